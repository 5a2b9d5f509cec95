"""Forms of the July-1 cycle: validation only; the services save."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import AssessmentCycle, Indicator, PlanItem
from branches import bounds
from branches.once import OnceField
from assessments.services.assessment import ItemInput


def item_inputs(data, files, items, *, stage: str) -> dict[int, ItemInput]:
    """The per-item fields of the self-assessment, review and verification forms (``points-<id>``,
    ``failed-<id>``, ``evidence-<id>``, ``file-<id>``, ``reason-<id>``); the services validate the values."""
    inputs = {}
    for item in items:
        key = str(item.pk)
        if f"points-{key}" not in data and f"failed-{key}" not in data and f"present-{key}" not in data:
            continue
        inputs[item.pk] = ItemInput(
            points=data.get(f"points-{key}", "").strip() or None,
            failed=data.get(f"failed-{key}") == "on",
            evidence=data.get(f"evidence-{key}", "") if stage == "self" else "",
            file=files.get(f"file-{key}") if stage == "self" else None,
            reason=data.get(f"reason-{key}", ""),
        )
    return inputs


class SummaryForm(forms.Form):
    text = forms.CharField(
        label=_("Assessment summary"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )


class IndicatorForm(bounds.BoundedModelForm):
    request_key = OnceField()

    class Meta:
        model = Indicator
        fields = ["parent", "code", "title", "description", "max_points", "kind", "source", "target_count"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, table, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = table.indicators.filter(parent__isnull=True)
        self.fields["parent"].required = False


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class PlanItemForm(bounds.BoundedModelForm):
    request_key = OnceField()

    class Meta:
        model = PlanItem
        fields = ["indicator", "title", "target", "max_points"]

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["max_points"].max_value = Decimal("20")


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason for returning"), max_length=300, required=False)


class CycleForm(bounds.BoundedModelForm):
    class Meta:
        model = AssessmentCycle
        fields = [
            "plan_opens_on",
            "half_year_check_on",
            "self_opens_on",
            "self_closes_on",
            "review_closes_on",
            "verification_closes_on",
            "publish_on",
            "summary_due_on",
            "bonus_cap",
            "compliant_from",
            "four_stars_from",
            "five_stars_from",
        ]
        widgets = {f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for f in fields[:8]}
