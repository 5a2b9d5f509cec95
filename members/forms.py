from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches.models import Organization
from branches.uploads import MultipleFileField


class MemberImportForm(forms.Form):
    scope = forms.ModelChoiceField(label=_("Import into"), queryset=Organization.objects.none())
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Only Excel .xlsx files can be imported."))
        if upload.size > settings.MEMBER_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": settings.MEMBER_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


# --- the lifecycle (issue 8) -------------------------------------------------------------------------------

class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ApplicantForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("M", _("Male")), ("F", _("Female"))])
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput())
    category = forms.ChoiceField(label=_("Category"), choices=Organization.Category.choices)
    applied_on = forms.DateField(label=_("Applied on"), widget=DateInput())


class StepForm(forms.Form):
    done_on = forms.DateField(label=_("Date"), widget=DateInput())
    people = forms.ModelMultipleChoiceField(label=_("People (members)"), queryset=None, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    people_names = forms.CharField(label=_("People (names)"), max_length=200, required=False,
                                   help_text=_("Names of people who are not in the portal, separated by commas."))
    documents = forms.CharField(label=_("Documents checked"), max_length=300, required=False)
    training_days = forms.IntegerField(label=_("Training days"), min_value=0, max_value=365, required=False)
    training_hours = forms.IntegerField(label=_("Training class hours"), min_value=0, max_value=2000, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("Scanned documents"), required=False,
                              help_text=_("PDF, images or Office documents, e.g. the application or the form."))

    def __init__(self, *args, people, step_number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        if step_number != 11:
            del self.fields["training_days"], self.fields["training_hours"]


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DateInput())


class ExtensionForm(forms.Form):
    months = forms.IntegerField(label=_("Extend by (months)"), min_value=1, max_value=24)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())


class TransferForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    direction = forms.ChoiceField(label=_("Direction"), choices=[("out", _("Out of the university")),
                                                                  ("within", _("Within the university"))])
    to_branch = forms.ModelChoiceField(label=_("To branch (within the university)"), queryset=None, required=False)
    outside_unit = forms.CharField(label=_("To organisation (out of the university)"), max_length=120, required=False)
    letter_number = forms.CharField(label=_("Letter number"), max_length=40)
    issued_on = forms.DateField(label=_("Letter issued on"), widget=DateInput())
    dues_paid_to = forms.DateField(label=_("Dues paid up to (month)"), widget=DateInput(), required=False)

    def __init__(self, *args, members, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["to_branch"].queryset = branches


class BulkTransferForm(forms.Form):
    members = forms.ModelMultipleChoiceField(label=_("Members"), queryset=None, widget=forms.CheckboxSelectMultiple)
    outside_unit = forms.CharField(label=_("To organisation"), max_length=120)
    letter_prefix = forms.CharField(label=_("Letter number prefix"), max_length=30)
    issued_on = forms.DateField(label=_("Letters issued on"), widget=DateInput())
    dues_paid_to = forms.DateField(label=_("Dues paid up to (month)"), widget=DateInput(), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())


class DeclareForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    kind = forms.ChoiceField(label=_("Payer kind"), choices=())
    base = forms.DecimalField(label=_("Declared monthly base (yuan)"), min_value=0, max_digits=10, decimal_places=2)
    valid_from = forms.DateField(label=_("From month"), widget=DateInput())

    def __init__(self, *args, members, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["kind"].choices = kinds


class DuesRecordForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=())
    paid_by = forms.IntegerField(required=False, widget=forms.HiddenInput)
    approval = forms.CharField(label=_("Exemption approved by"), max_length=120, required=False)

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = statuses


class CareOccasionForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    kind = forms.ModelChoiceField(label=_("Occasion"), queryset=None)
    noted_on = forms.DateField(label=_("Noted on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, members, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["kind"].queryset = kinds


class CareVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    visitors = forms.CharField(label=_("Visitors"), max_length=200)
    help_given = forms.CharField(label=_("Help given"), max_length=300, required=False)
    amount = forms.DecimalField(label=_("Money given (yuan)"), min_value=0, max_digits=8, decimal_places=2,
                                required=False)


class CareReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("Half-year"), coerce=int, choices=[(1, _("First half")),
                                                                              (2, _("Second half"))])
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 4}))


class ElectionForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    elected_on = forms.DateField(label=_("Elected on"), widget=DateInput())
    term_years = forms.IntegerField(label=_("Term (years)"), min_value=1, max_value=5)
    secretary = forms.CharField(label=_("Secretary (login)"), max_length=150)
    others = forms.CharField(label=_("Other committee members"), required=False, max_length=1000,
                             help_text=_("One per line: login and role (deputy, organizer, publicity, discipline)."))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = units


class LifecycleImportForm(forms.Form):
    what = forms.ChoiceField(label=_("Spreadsheet of"), choices=[("development", _("Applicants")),
                                                                ("dues", _("Dues ledger")),
                                                                ("transfers", _("Transfers"))])
    file = forms.FileField(label=_("Spreadsheet (.xlsx)"), widget=forms.ClearableFileInput(
        attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}))

    def clean_file(self):
        return MemberImportForm.clean_file(self)
