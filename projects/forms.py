"""Forms for grants: they validate what people type; ``projects.services`` applies the rules and saves."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branches import bounds
from branches.models import Organization
from branches.once import OnceField
from branches.uploads import MultipleFileField
from projects.models import CallTopic, Grant, GrantCall, GrantReport

# Experts who review applications: members of this auth group (managed in the admin).
REVIEWER_GROUP = "grant_reviewers"
TEXTAREA = {"rows": 5}


class CallForm(bounds.BoundedModelForm):
    request_key = OnceField()
    topics = forms.CharField(
        label=_("Topics"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line. In a tender, each topic is won by one bid."),
    )

    class Meta:
        model = GrantCall
        fields = [
            "kind",
            "mode",
            "year",
            "title",
            "description",
            "opens_on",
            "deadline",
            "completes_on",
            "budget",
            "key_quota",
            "general_quota",
            "key_funding",
            "general_funding",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "completes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_topics(self) -> list[str]:
        topics = list(
            dict.fromkeys(line.strip() for line in self.cleaned_data["topics"].splitlines() if line.strip())
        )
        if not topics:
            raise forms.ValidationError(_("Give at least one topic."))
        if any(len(topic) > 200 for topic in topics):
            raise forms.ValidationError(_("A topic is at most 200 characters."))
        return topics

    def clean(self):
        data = super().clean()
        opens, deadline, completes = data.get("opens_on"), data.get("deadline"), data.get("completes_on")
        if opens and deadline and deadline < opens:
            self.add_error("deadline", _("The deadline comes after the opening date."))
        if deadline and completes and completes < deadline:
            self.add_error("completes_on", _("The final report is due after the application deadline."))
        for name in ("budget", "key_funding", "general_funding"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, _("Enter an amount of zero or more."))
        return data


class ApplicationForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Lead unit"), queryset=Organization.objects.none())
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner units"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("For a joint application: the other units taking part (hold Ctrl to choose several)."),
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=CallTopic.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    plan = forms.CharField(
        label=_("Plan"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What the unit will do, when, and who is responsible."),
    )
    expected_outputs = forms.CharField(label=_("Expected outputs"), widget=forms.Textarea(attrs={"rows": 3}))
    budget_requested = forms.DecimalField(
        label=_("Budget requested (yuan)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    files = MultipleFileField(
        label=_("Attachments"), required=False, help_text=_("PDF, images or Office documents.")
    )
    request_key = OnceField()

    def __init__(self, *args, call: GrantCall, units, partner_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["topic"].queryset = call.topics.all()
        self.fields["organization"].queryset = units
        self.fields["partners"].queryset = partner_units
        if call.kind == "research":
            self.fields["organization"].label = _("Your unit")
            del self.fields["partners"]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class EndorseForm(forms.Form):
    note = forms.CharField(label=_("Endorsement"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Experts in the reviewers group (managed by the administrator)."),
    )

    def __init__(self, *args, exclude_user_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = (
            get_user_model()
            .objects.filter(groups__name=REVIEWER_GROUP, is_active=True)
            .exclude(pk=exclude_user_id)
            .order_by("username")
        )


class ReviewForm(forms.Form):
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=100)
    opinion = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    grade = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Grant.Grade.KEY, _("Key grant")),
            (Grant.Grade.GENERAL, _("General grant")),
            ("rejected", _("Rejected")),
        ],
    )
    amount = forms.DecimalField(
        label=_("Amount granted (yuan)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Empty: the call's funding for the grade."),
    )
    reason = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=GrantReport.Kind.choices)
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs=TEXTAREA))
    outputs = forms.CharField(label=_("Outputs"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One address per line, e.g. the unit's posts."),
    )
    files = MultipleFileField(label=_("Attachments"), required=False)


class ExpenseForm(forms.Form):
    spent_on = bounds.DateField(
        future=False, label=_("Spent on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    request_key = OnceField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class AcceptForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[
            (Grant.Status.PASSED, _("Passed")),
            (Grant.Status.FAILED, pgettext_lazy("grant", "Failed")),
            ("extended", _("Extended")),
        ],
    )
    extended_until = bounds.DateField(
        label=_("Extended until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 3}))
