import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from branches import bounds
from branches.models import Organization, Role
from branches.once import OnceField
from branches.uploads import MultipleFileField
from members.models import Member, TermElection


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
                _("The file is larger than %(mb)d MB.")
                % {"mb": settings.MEMBER_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


# --- the lifecycle (issue 8) -------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ApplicantForm(forms.Form):
    request_key = OnceField()
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("M", _("Male")), ("F", _("Female"))])
    birth_date = bounds.DateField(
        future=False, field_name="birth_date", label=_("Birth date"), widget=DateInput()
    )
    category = forms.ChoiceField(label=_("Category"), choices=Organization.Category.choices)
    applied_on = bounds.DateField(future=False, label=_("Applied on"), widget=DateInput())


class StepForm(forms.Form):
    done_on = bounds.DateField(future=False, label=_("Date"), widget=DateInput())
    people = forms.ModelMultipleChoiceField(
        label=_("People (members)"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    people_names = forms.CharField(
        label=_("People (names)"),
        max_length=200,
        required=False,
        help_text=_("Names of people who are not in the portal, separated by commas."),
    )
    documents = forms.CharField(label=_("Documents checked"), max_length=300, required=False)
    training_days = forms.IntegerField(label=_("Training days"), min_value=0, max_value=365, required=False)
    training_hours = forms.IntegerField(
        label=_("Training class hours"), min_value=0, max_value=2000, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(
        label=_("Scanned documents"),
        required=False,
        help_text=_("PDF, images or Office documents, e.g. the application or the form."),
    )

    def __init__(self, *args, people, step_number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        if step_number != 11:
            del self.fields["training_days"], self.fields["training_hours"]


class ReviewForm(forms.Form):
    reviewed_on = bounds.DateField(future=False, label=_("Reviewed on"), widget=DateInput())


class ExtensionForm(forms.Form):
    months = forms.IntegerField(label=_("Extend by (months)"), min_value=1, max_value=24)
    decided_on = bounds.DateField(future=False, label=_("Decided on"), widget=DateInput())


class TransferForm(forms.Form):
    request_key = OnceField()
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("out", _("Out of the university")), ("within", _("Within the university"))],
    )
    to_branch = forms.ModelChoiceField(
        label=_("To branch (within the university)"), queryset=None, required=False
    )
    outside_unit = forms.CharField(
        label=_("To organisation (out of the university)"), max_length=120, required=False
    )
    letter_number = forms.CharField(label=_("Letter number"), max_length=40)
    issued_on = bounds.DateField(future=False, label=_("Letter issued on"), widget=DateInput())
    dues_paid_to = bounds.DateField(label=_("Dues paid up to (month)"), widget=DateInput(), required=False)

    def __init__(self, *args, members, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["to_branch"].queryset = branches


class BulkTransferForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    outside_unit = forms.CharField(label=_("To organisation"), max_length=120)
    letter_prefix = forms.CharField(label=_("Letter number prefix"), max_length=30)
    issued_on = bounds.DateField(future=False, label=_("Letters issued on"), widget=DateInput())
    dues_paid_to = bounds.DateField(label=_("Dues paid up to (month)"), widget=DateInput(), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members


class CompleteForm(forms.Form):
    completed_on = bounds.DateField(future=False, label=_("Completed on"), widget=DateInput())


class DeclareForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    kind = forms.ChoiceField(label=_("Payer kind"), choices=())
    base = forms.DecimalField(
        label=_("Declared monthly base (yuan)"), min_value=0, max_digits=10, decimal_places=2
    )
    valid_from = bounds.DateField(label=_("From month"), widget=DateInput())

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


class DuesMonthForm(forms.Form):
    """ "All paid this month, except …" (issue 22): the ticked members are left open, the rest are paid."""

    request_key = OnceField()
    exceptions = forms.ModelMultipleChoiceField(
        label=_("Not paid (left out)"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exceptions"].queryset = members


class CareOccasionForm(forms.Form):
    request_key = OnceField()
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    kind = forms.ModelChoiceField(label=_("Occasion"), queryset=None)
    noted_on = bounds.DateField(future=False, label=_("Noted on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, members, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["kind"].queryset = kinds


class CareVisitForm(forms.Form):
    request_key = OnceField()
    visited_on = bounds.DateField(future=False, label=_("Visited on"), widget=DateInput())
    visitors = forms.CharField(label=_("Visitors"), max_length=200)
    help_given = forms.CharField(label=_("Help given"), max_length=300, required=False)
    amount = forms.DecimalField(
        label=_("Money given (yuan)"), min_value=0, max_digits=8, decimal_places=2, required=False
    )


class CareReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("Half-year"), coerce=int, choices=[(1, _("First half")), (2, _("Second half"))]
    )
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 4}))


ELECTION_SEATS = 8  # rows for the other committee members: a committee of 3–5, with room for larger ones


class ElectionForm(forms.Form):
    """The new committee: its secretary and every other member, each with a role chosen from a list.

    ``clean`` turns the logins into users, so the view hands the service ``seats`` [(user, role)]."""

    organization = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    elected_on = bounds.DateField(future=False, label=_("Elected on"), widget=DateInput())
    term_years = forms.IntegerField(label=_("Term (years)"), min_value=1, max_value=5)
    secretary = forms.CharField(label=_("Secretary (login)"), max_length=150)
    # The tally, for the 决议 (issue 21): optional, as the election may be recorded before it is typed in.
    voters = forms.IntegerField(
        label=_("Voting members present"), min_value=1, max_value=TermElection.MAX_VOTERS, required=False
    )
    secretary_votes = forms.IntegerField(
        label=_("Secretary's votes"), min_value=0, max_value=TermElection.MAX_VOTERS, required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = units
        roles = [("", "---------")] + [
            (kind.value, kind.label)
            for kind in (Role.Kind.DEPUTY, Role.Kind.ORGANIZER, Role.Kind.PUBLICITY, Role.Kind.DISCIPLINE)
        ]
        for i in range(1, ELECTION_SEATS + 1):
            self.fields[f"member_{i}"] = forms.CharField(
                label=_("Committee member %(n)s (login)") % {"n": i}, max_length=150, required=False
            )
            self.fields[f"role_{i}"] = forms.ChoiceField(
                label=_("Role of committee member %(n)s") % {"n": i}, choices=roles, required=False
            )
            self.fields[f"votes_{i}"] = forms.IntegerField(
                label=_("Votes of committee member %(n)s") % {"n": i},
                min_value=0,
                max_value=TermElection.MAX_VOTERS,
                required=False,
            )

    @property
    def head_fields(self) -> list:
        return [
            self[name]
            for name in ("organization", "elected_on", "term_years", "voters", "secretary", "secretary_votes")
        ]

    @property
    def seat_rows(self) -> list[tuple]:
        return [
            (i, self[f"member_{i}"], self[f"role_{i}"], self[f"votes_{i}"])
            for i in range(1, ELECTION_SEATS + 1)
        ]

    def clean(self):
        data = super().clean()
        wanted = []
        votes: dict[str, int] = {}
        if data.get("secretary"):
            wanted.append((data["secretary"].strip(), Role.Kind.SECRETARY))
            if data.get("secretary_votes") is not None:
                votes[data["secretary"].strip()] = data["secretary_votes"]
        for i in range(1, ELECTION_SEATS + 1):
            login, role = (data.get(f"member_{i}") or "").strip(), data.get(f"role_{i}") or ""
            if login and not role:
                self.add_error(f"role_{i}", _("Choose this member's role."))
            elif role and not login:
                self.add_error(f"member_{i}", _("Enter this member's login."))
            elif login:
                wanted.append((login, role))
                if data.get(f"votes_{i}") is not None:
                    votes[login] = data[f"votes_{i}"]
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=[name for name, _k in wanted])}
        missing = [name for name, _k in wanted if name not in users]
        if missing:
            raise ValidationError(_("Unknown logins: %(names)s") % {"names": "、".join(missing)})
        data["seats"] = [(users[name], kind) for name, kind in wanted]
        data["votes"] = {users[name].pk: count for name, count in votes.items()}
        return data


class TermCandidateForm(forms.Form):
    """A candidate for the unit's next election: one of its full members."""

    member = forms.ModelChoiceField(label=_("Candidate"), queryset=None)
    request_key = OnceField()

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Member.objects.active().in_subtree(unit).filter(stage=Member.Stage.FULL).order_by("name")
        )


class LifecycleImportForm(forms.Form):
    what = forms.ChoiceField(
        label=_("Spreadsheet of"),
        choices=[("development", _("Applicants")), ("dues", _("Dues ledger")), ("transfers", _("Transfers"))],
    )
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, kinds: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if (
            kinds is not None
        ):  # the spreadsheets this user may import here (dues: the branch's recorders only)
            self.fields["what"].choices = [c for c in self.fields["what"].choices if c[0] in kinds]

    def clean_file(self):
        return MemberImportForm.clean_file(self)


class DuesExemptionForm(forms.Form):
    """The branch's request to exempt a member from dues (issue 22): member, months, reason."""

    request_key = OnceField()
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    first_month = forms.TypedChoiceField(label=_("From month"), choices=(), coerce=str)
    months = forms.IntegerField(label=_("Number of months"), min_value=1, max_value=12, initial=1)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500})
    )

    def __init__(self, *args, members, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["first_month"].choices = [(m.isoformat(), f"{m.year}年{m.month}月") for m in months]

    def clean_first_month(self):
        return datetime.date.fromisoformat(self.cleaned_data["first_month"])


class DuesExemptionResubmitForm(DuesExemptionForm):
    """A returned request corrected and sent again: the same fields but the member."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["member"]
        del self.fields["request_key"]


class DuesExemptionReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason for returning"), max_length=500)
