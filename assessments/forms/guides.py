"""Forms of the annual work guides and the 八个一 checklist (issue 18): validation only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import GuideAction, Programme
from assessments.services.guides import BRANCH_PROGRAMMES
from branches import bounds
from branches.once import OnceField

EVIDENCE_LENGTH = 2000


class GuideNewForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    programme = forms.ChoiceField(
        label=_("Programme"), choices=[(p, Programme(p).label) for p in BRANCH_PROGRAMMES]
    )


class GuideActionForm(bounds.BoundedModelForm):
    request_key = OnceField()
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, choices=[(m, f"{m}月") for m in range(1, 13)]
    )

    class Meta:
        model = GuideAction
        fields = ["month", "required", "title", "description", "indicator_code"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2, "maxlength": EVIDENCE_LENGTH})}

    def clean_description(self):
        return self.cleaned_data["description"][:EVIDENCE_LENGTH]


class GuideDoneForm(forms.Form):
    request_key = OnceField()
    action = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    done_on = bounds.DateField(
        label=_("Done on"), future=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=EVIDENCE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EightOnesTickForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    evidence = forms.CharField(
        label=_("Evidence"), max_length=EVIDENCE_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
