"""Forms for the minutes and the posts: they validate what secretaries and reviewers type; the services save."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from branches import bounds
from branches.models import Organization
from branches.once import OnceField
from branches.uploads import MultipleFileField, MultipleFileInput  # noqa: F401 — used by the forms below
from disclosure.models import Attendance, Meeting, Post, PostCategory
from disclosure.services import AttendanceEntry, attachment_check
from members.models import Member


def _label(name: str):
    """The model field's verbose name, capitalised as a ModelForm would (one msgid for both)."""
    return capfirst(Meeting._meta.get_field(name).verbose_name)


class MeetingForm(forms.Form):
    """Everything about a record the secretary types. Counts are not here: the attendance gives them."""

    kind = forms.ChoiceField(label=_label("kind"))
    request_key = OnceField()
    held_at = bounds.DateTimeField(
        future=False,
        label=_label("held_at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_label("place"), max_length=120, required=False)
    party_group = forms.TypedChoiceField(
        label=_label("party_group"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("For a party group meeting."),
    )
    chair = forms.CharField(label=_label("chair"), max_length=50, required=False)
    recorder = forms.CharField(label=_label("recorder"), max_length=50, required=False)
    lecturer = forms.CharField(
        label=_label("lecturer"), max_length=50, required=False, help_text=_("Required for a party lecture.")
    )
    topics = forms.CharField(label=_label("topics"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(
        label=_label("minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Plain text with a blank line between paragraphs, or simple formatting "
            "(bold, lists, tables); anything else is removed."
        ),
    )
    decisions = forms.CharField(
        label=_label("decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    observers = forms.CharField(
        label=_label("observers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("People present who are not members of this unit."),
    )
    takes_vote = forms.BooleanField(
        label=_("A vote is taken at this meeting"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_(
            "A vote of the branch general meeting needs more than half of the voting (full) members present."
        ),
    )
    visibility = forms.ChoiceField(
        label=_label("visibility"),
        choices=Meeting.Visibility.choices,
        initial=Meeting.Visibility.INTERNAL,
        help_text=_(
            "Public: anyone who sees the unit's page. Internal: the unit and the committees above it. "
            "Restricted: the unit's secretaries and the reviewer only."
        ),
    )
    attachments = MultipleFileField(
        label=_("Add attachments"),
        required=False,
        widget=MultipleFileInput(
            attrs={
                "accept": ".pdf,.png,.jpg,.jpeg,.gif,.doc,.docx,.xls,.xlsx,.ppt,.pptx,application/pdf,image/*",
            }
        ),
    )

    def __init__(self, *args, unit: Organization, groups: list[Organization] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        kinds = Meeting.BRANCH_KINDS if unit.kind == Organization.Kind.BRANCH else Meeting.COMMITTEE_KINDS
        self.fields["kind"].choices = [(kind.value, kind.label) for kind in kinds]
        self.groups = {group.pk: group for group in groups}
        if self.groups:
            self.fields["party_group"].choices = [("", "—")] + [(g.pk, g.name) for g in groups]
        else:
            del self.fields["party_group"]
        mb = settings.MEETING_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        self.fields["attachments"].help_text = gettext(
            "PDF, images (PNG, JPEG, GIF) or Office documents, at most %(mb)d MB each and %(n)d at a time."
        ) % {"mb": mb, "n": settings.MEETING_ATTACHMENTS_PER_UPLOAD}

    def clean_party_group(self):
        pk = self.cleaned_data.get("party_group")
        if pk is None:
            return None
        if pk not in self.groups:
            raise ValidationError(_("That party group does not belong to this branch."))
        return self.groups[pk]

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        if len(uploads) > settings.MEETING_ATTACHMENTS_PER_UPLOAD:
            raise ValidationError(
                gettext("At most %(n)d files at a time.") % {"n": settings.MEETING_ATTACHMENTS_PER_UPLOAD}
            )
        problems = []
        for upload in uploads:
            # The service's own check: size first (nothing is read), then the content's first bytes.
            try:
                attachment_check(upload)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError(problems)
        return uploads

    def meeting_data(self) -> dict:
        """The cleaned fields as ``meeting_save`` takes them."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("attachments", "request_key")
        }
        data.setdefault("party_group", None)
        return data

    @staticmethod
    def initial_for(meeting: Meeting | None) -> dict:
        if meeting is None:
            return {"held_at": timezone.localtime().replace(second=0, microsecond=0)}
        initial = {
            name: getattr(meeting, name)
            for name in (
                "kind",
                "held_at",
                "place",
                "chair",
                "recorder",
                "lecturer",
                "topics",
                "minutes",
                "decisions",
                "observers",
                "takes_vote",
                "visibility",
            )
        }
        initial["party_group"] = meeting.party_group_id
        return initial


class AttendanceForm(forms.Form):
    """One row per party member of the unit: a status and, for anyone not present, the reason.

    A row that is not sent means "present, no reason": the page's script sends only the rows that differ
    (meetings.js), so a unit of 2,000 people posts a handful of fields, not 4,000 — Django refuses a form
    past DATA_UPLOAD_MAX_NUMBER_FIELDS. A browser without the script sends every row, which the limit
    (settings, 5,000 by default) leaves room for up to about 2,400 people."""

    def __init__(self, *args, members: list[Member], recorded: dict[int, Attendance] | None = None, **kwargs):
        kwargs.setdefault("prefix", "att")
        super().__init__(*args, **kwargs)
        self.members = members
        recorded = recorded or {}
        for member in members:
            previous = recorded.get(member.pk)
            self.fields[f"status_{member.pk}"] = forms.ChoiceField(
                label=gettext("Attendance of %(name)s") % {"name": member.name},
                choices=Attendance.Status.choices,
                required=False,
                initial=previous.status if previous else Attendance.Status.PRESENT,
                widget=forms.Select(
                    attrs={"class": "form-select form-select-sm", "data-attendance-status": ""}
                ),
            )
            self.fields[f"reason_{member.pk}"] = forms.CharField(
                label=gettext("Reason for %(name)s") % {"name": member.name},
                max_length=200,
                required=False,
                initial=previous.reason if previous else "",
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm",
                        "autocomplete": "off",
                        "data-attendance-reason": "",
                        "placeholder": gettext("Reason, if absent or on leave"),
                    }
                ),
            )

    def rows(self):
        for member in self.members:
            yield member, self[f"status_{member.pk}"], self[f"reason_{member.pk}"]

    def rows_html(self) -> str:
        """The table's rows as one string. The same markup Django's widgets would give (ids, names, labels,
        errors), written directly: through the template engine 2,000 people took ~2 s to render
        (bench/meeting_form.py), for what is one row repeated."""
        choices = [(value, escape(label)) for value, label in Attendance.Status.choices]
        placeholder = escape(gettext("Reason, if absent or on leave"))
        no_group = "—"
        out = []
        for member in self.members:
            pk = member.pk
            status_name, reason_name = self.add_prefix(f"status_{pk}"), self.add_prefix(f"reason_{pk}")
            status = self._shown_status(pk)
            reason = (
                self.data.get(reason_name, "") if self.is_bound else self.fields[f"reason_{pk}"].initial or ""
            )
            name = escape(member.name)
            options = "".join(
                f'<option value="{value}"{" selected" if value == status else ""}>{label}</option>'
                for value, label in choices
            )
            errors = "".join(
                f'<div class="field-error">{escape(e)}</div>'
                for e in (self.errors.get(f"reason_{pk}", []) if self.is_bound else [])
            )
            group = escape(member.party_group.name) if member.party_group_id else no_group
            away = "" if status == Attendance.Status.PRESENT else " is-away"
            status_label = escape(self.fields[f"status_{pk}"].label)
            reason_label = escape(self.fields[f"reason_{pk}"].label)
            out.append(
                f'<tr data-member="{pk}" data-attendance-row class="attendance-row{away}">'
                f'<th scope="row" class="fw-normal">{name}</th><td>{escape(member.get_stage_display())}</td>'
                f"<td>{group}</td>"
                f'<td><label class="visually-hidden" for="id_{status_name}">{status_label}</label>'
                f'<select name="{status_name}" id="id_{status_name}" class="form-select form-select-sm" '
                f"data-attendance-status>{options}</select></td>"
                f'<td><label class="visually-hidden" for="id_{reason_name}">{reason_label}</label>'
                f'<input type="text" name="{reason_name}" id="id_{reason_name}" maxlength="200" value="{escape(reason)}" '
                f'class="form-control form-control-sm" autocomplete="off" data-attendance-reason '
                f'placeholder="{placeholder}">{errors}</td></tr>'
            )
        return mark_safe("".join(out))  # every value above is escaped

    def clean(self):
        cleaned = super().clean()
        for member in self.members:
            status = cleaned.get(f"status_{member.pk}") or Attendance.Status.PRESENT
            if status != Attendance.Status.PRESENT and not cleaned.get(f"reason_{member.pk}", "").strip():
                self.add_error(f"reason_{member.pk}", _("Give the reason for the absence or leave."))
        return cleaned

    def entries(self) -> list[AttendanceEntry]:
        return [
            AttendanceEntry(
                member.pk,
                self.cleaned_data.get(f"status_{member.pk}") or Attendance.Status.PRESENT,
                self.cleaned_data.get(f"reason_{member.pk}", ""),
            )
            for member in self.members
        ]

    @property
    def totals(self) -> dict[str, int]:
        """Counts for the first rendering (the script keeps them live, the service stores its own)."""
        totals = {"expected": len(self.members), "present": 0, "leave": 0, "absent": 0}
        for member in self.members:
            value = self._shown_status(member.pk)
            if value in totals:
                totals[value] += 1
        return totals

    def _shown_status(self, pk: int) -> str:
        """What the row shows: what was sent (a row not sent is present), or the recorded / default value."""
        if self.is_bound:
            return self.data.get(self.add_prefix(f"status_{pk}")) or Attendance.Status.PRESENT
        return self.fields[f"status_{pk}"].initial


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_label("return_reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The secretary sees this and fixes the record before resubmitting it."),
    )


class PostForm(forms.Form):
    """A post as its secretary writes it. Whether "publish" goes through the confidentiality check is the
    service's business (the unit's PublishingRule)."""

    request_key = OnceField()
    section = forms.ChoiceField(
        label=capfirst(Post._meta.get_field("section").verbose_name), choices=Post.Section.choices
    )
    category = forms.ModelChoiceField(
        label=capfirst(Post._meta.get_field("category").verbose_name),
        queryset=PostCategory.objects.filter(is_active=True),
        empty_label=None,
    )
    title = forms.CharField(label=capfirst(Post._meta.get_field("title").verbose_name), max_length=200)
    body = forms.CharField(
        label=capfirst(Post._meta.get_field("body").verbose_name),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text (blank lines separate paragraphs) or simple HTML; anything else is removed."),
    )
    visibility = forms.ChoiceField(
        label=capfirst(Post._meta.get_field("visibility").verbose_name),
        choices=Post.Visibility.choices,
        help_text=_(
            "Public: anyone. Members of the university: anyone logged in. Restricted: the unit's "
            "secretaries and the units above."
        ),
    )
    attachments = MultipleFileField(
        label=_("Add attachments"),
        required=False,
        widget=MultipleFileInput(
            attrs={
                "accept": ".pdf,.png,.jpg,.jpeg,.gif,.doc,.docx,.xls,.xlsx,.ppt,.pptx,application/pdf,image/*",
            }
        ),
    )

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        if len(uploads) > settings.MEETING_ATTACHMENTS_PER_UPLOAD:
            raise ValidationError(
                gettext("At most %(n)d files at a time.") % {"n": settings.MEETING_ATTACHMENTS_PER_UPLOAD}
            )
        problems = []
        for upload in uploads:
            try:
                attachment_check(upload)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError(problems)
        return uploads

    def post_data(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("attachments", "request_key")
        }

    @staticmethod
    def initial_for(post) -> dict:
        if post is None:
            return {"section": "news", "visibility": "public"}
        return {
            "section": post.section,
            "category": post.category_id,
            "title": post.title,
            "body": post.body,
            "visibility": post.visibility,
        }


class DecisionForm(bounds.BoundedModelForm):
    """A major decision of a committee (issue 18); ``meeting`` offers the committee's own meetings."""

    request_key = OnceField()
    decided_on = bounds.DateField(
        label=pgettext_lazy("decision", "decided on"),
        future=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    basis = forms.CharField(
        label=_("basis"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The rules, documents or requests the decision rests on."),
    )
    decision = forms.CharField(label=_("decision"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(
        label=pgettext_lazy("decision", "follow-up"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who carries it out, by when, and how it went."),
    )

    class Meta:
        from disclosure.models import Decision

        model = Decision
        fields = [
            "decided_on",
            "meeting",
            "topic",
            "basis",
            "votes_for",
            "votes_against",
            "abstentions",
            "decision",
            "follow_up",
            "follow_up_done",
        ]

    def __init__(self, *args, unit: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            organization=unit, kind__in=Meeting.COMMITTEE_KINDS
        ).order_by("-held_at")
        self.fields["meeting"].required = False
