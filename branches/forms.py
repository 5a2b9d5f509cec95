from django import forms
from django.utils.translation import gettext_lazy as _

from branches import bounds
from branches.models import Organization
from branches.once import OnceField


class OrganizationCreateForm(forms.Form):
    request_key = OnceField()
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—")] + list(Organization.Category.choices), required=False
    )
    unit_type = forms.ChoiceField(
        label=_("Unit type"), choices=[("", "—")] + list(Organization.UnitType.choices), required=False
    )
    founded_on = bounds.DateField(
        future=False, label=_("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    term_started_on = bounds.DateField(
        future=False,
        label=_("Term started on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, parent: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [k for k, parents in Organization.ALLOWED_PARENTS.items() if parent.kind in parents]
        self.fields["kind"].choices = [(k, Organization.Kind(k).label) for k in allowed]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Organization.Kind.BRANCH and not data.get("category"):
            self.add_error("category", _("A branch needs a category."))
        return data


class OrganizationRenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)


class OrganizationMoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New parent unit"), queryset=Organization.objects.none())

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = candidates


class ThemeDayForm(forms.Form):
    theme_day = forms.IntegerField(
        label=_("theme party day (day of the month)"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_(
            "The branch's fixed day for its monthly theme party day, 1–31; in a shorter month the last "
            "day. Leave it empty for no fixed day."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
