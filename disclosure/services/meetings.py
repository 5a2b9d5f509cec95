"""Writes to meetings: save a draft, submit, return (退回), approve; attachments; the daily reminders."""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass
from typing import cast

import nh3
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from branches.attachments import attachment_remove, attachment_store, attachments_check
from branches.history import history_by, save_without_history
from branches.models import Organization
from branches.once import once
from branches.review import ReviewStep
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from branches.uploads import upload_check
from disclosure.services.sign_in import attendance_corrections_record
from disclosure.models import Attachment, Attendance, Meeting, MeetingRule, Period, Todo
from disclosure.public_cache import public_pages_invalidate
from disclosure.selectors import (
    REVIEWER_ROLES,
    SECRETARY_ROLES,
    compliance,
    meeting_may_review,
    reviewer_unit_for,
)
from disclosure.services.todos import todos_sync
from disclosure.services.todos import users_with_roles as _users_with_roles
from members.models import Member

MINUTES_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
# What an attachment may be, decided from its first bytes, never from its name.


def sanitize_minutes(text: str) -> str:
    """Rich text as a small safe subset of HTML. Plain text (no tags) becomes paragraphs."""
    text = (text or "").strip()
    if not text:
        return ""
    if "<" not in text:
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(text, tags=MINUTES_TAGS, attributes={}, url_schemes=set()).strip()


def attachment_check(upload) -> str:
    """Refuse oversized files and anything that is not a PDF, an image or an Office file *by content*
    (``branches.uploads``), with the minutes' size limit."""
    return upload_check(upload, max_bytes=settings.MEETING_ATTACHMENT_MAX_BYTES)


@dataclass
class AttendanceEntry:
    member_id: int
    status: str
    reason: str = ""


def _apply_attendance(meeting: Meeting, entries: list[AttendanceEntry]) -> None:
    """Replace the attendance and derive every count from it (no count is typed by hand)."""
    members = {
        m.pk: m
        for m in Member.objects.active()
        .party_members()
        .in_subtree(meeting.organization)
        .filter(pk__in=[e.member_id for e in entries])
    }
    unknown = [e.member_id for e in entries if e.member_id not in members]
    if unknown:
        raise ValidationError(_("Some attendees are not party members of this unit."))
    for entry in entries:
        if entry.status != Attendance.Status.PRESENT and not entry.reason.strip():
            raise ValidationError(
                _("Give the reason why %(name)s was absent or on leave.")
                % {"name": members[entry.member_id].name}
            )
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member_id=e.member_id, status=e.status, reason=e.reason.strip()[:200])
        for e in entries
    )
    present = [e for e in entries if e.status == Attendance.Status.PRESENT]
    meeting.expected_count = len(entries)
    meeting.present_count = len(present)
    meeting.leave_count = sum(1 for e in entries if e.status == Attendance.Status.LEAVE)
    meeting.absent_count = sum(1 for e in entries if e.status == Attendance.Status.ABSENT)
    # Only full members vote; probationary members attend without a vote.
    meeting.voting_expected = sum(1 for e in entries if members[e.member_id].stage == Member.Stage.FULL)
    meeting.voting_present = sum(1 for e in present if members[e.member_id].stage == Member.Stage.FULL)


# The minutes' review step: a submitted record is returned (退回) to its secretary with a reason, by its
# reviewer, who and when kept on the record (the posts' 保密审查 is the other user of branches.review).
MEETING_REVIEW = ReviewStep(
    awaiting=Meeting.Status.SUBMITTED,
    returned=Meeting.Status.RETURNED,
    reviewer_field="reviewed_by",
    reviewed_at_field="reviewed_at",
)

MEETING_FIELDS = (
    "kind",
    "party_group",
    "visibility",
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
)


def _check_kind(organization: Organization, kind: str) -> None:
    allowed = (
        Meeting.BRANCH_KINDS if organization.kind == Organization.Kind.BRANCH else Meeting.COMMITTEE_KINDS
    )
    if kind not in allowed:
        raise ValidationError(_("%(unit)s does not hold this type of meeting.") % {"unit": organization.name})


def _check_ready(meeting: Meeting) -> None:
    """What a record needs before review (a draft may lack any of it)."""
    problems = []
    if meeting.held_at > timezone.now():
        problems.append(_("The meeting has not taken place yet."))
    if not (meeting.topics.strip() or meeting.minutes.strip()):
        problems.append(_("Write the topics or the minutes."))
    if meeting.expected_count == 0:
        problems.append(_("Record who was expected and who attended."))
    if meeting.kind == Meeting.Kind.PARTY_LECTURE and not meeting.lecturer.strip():
        problems.append(_("A party lecture needs its lecturer."))
    if meeting.kind == Meeting.Kind.DEMOCRATIC_LIFE and not meeting.observers.strip():
        # 民主生活会 (issue 18): the upper committee sends someone to attend and guide it; record who.
        problems.append(_("A democratic life meeting needs the upper committee's observers recorded."))
    if (
        meeting.kind == Meeting.Kind.GENERAL_ASSEMBLY
        and meeting.takes_vote
        and meeting.voting_present * 2 <= meeting.voting_expected
    ):
        problems.append(
            _(
                "A vote needs more than half of the %(expected)d voting members present; only %(present)d were."
            )
            % {"expected": meeting.voting_expected, "present": meeting.voting_present}
        )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def meeting_save(
    *,
    by: User,
    organization: Organization,
    data: dict,
    attendance: list[AttendanceEntry],
    attachments: tuple = (),
    meeting: Meeting | None = None,
    submit: bool = False,
    request_key=None,
) -> Meeting:
    """Save a record as a draft, or save and submit it for review.

    Only the unit's secretaries (manage_members) file minutes; a submitted or approved record is frozen
    until its reviewer returns it. Submitting checks completeness and the voting quorum, records when it
    was first filed, how many days after the meeting (the lag), and whether that was late. A new record's
    form carries a one-time key: the same key twice (a double click, parallel posts) files one record.
    """
    if not organization_permission_holds(user=by, organization=organization, codename=MANAGE_MEMBERS):
        raise PermissionDenied

    def write() -> Meeting:
        return _meeting_write(
            by=by,
            organization=organization,
            data=data,
            attendance=attendance,
            attachments=attachments,
            meeting=meeting,
            submit=submit,
        )

    if meeting is None:
        return once(key=request_key, user=by, model=Meeting, create=write)
    return write()


def _meeting_write(
    *,
    by,
    organization: Organization,
    data: dict,
    attendance: list[AttendanceEntry],
    attachments: tuple,
    meeting: Meeting | None,
    submit: bool,
) -> Meeting:
    if meeting is None:
        meeting = Meeting(organization=organization, created_by=by)
    else:
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.organization_id != organization.pk:
            raise PermissionDenied
        if not meeting.editable:
            raise ValidationError(_("This record has been submitted and can no longer be changed."))
    _check_kind(organization, data["kind"])
    group = data.get("party_group")
    if group is not None and (
        group.kind != Organization.Kind.GROUP or not group.path.startswith(organization.path)
    ):
        raise ValidationError(_("That party group does not belong to this branch."))
    for name in MEETING_FIELDS:
        if name in data:
            setattr(meeting, name, data[name])
    meeting.minutes = sanitize_minutes(meeting.minutes)
    history_by(meeting, by)
    created = meeting.pk is None
    if created:
        # Attendance and attachments need the id; its history row is written once, by the last save.
        save_without_history(meeting)
    _apply_attendance(meeting, attendance)
    # Where the minutes now differ from the QR sign-ins, the secretary's correction is kept (issue 20).
    attendance_corrections_record(meeting=meeting, entries=attendance, by=by)
    if submit:
        _check_ready(meeting)  # before any file is stored, so a refusal leaves nothing behind
    checked = attachments_check(attachments)
    if len(checked) + meeting.attachments.count() > settings.MEETING_ATTACHMENTS_PER_UPLOAD * 3:
        raise ValidationError(_("Too many attachments on one record."))
    for item in checked:  # written to storage when the record commits
        attachment_store(model=Attachment, checked=item, by=by, meeting=meeting)
    if submit:
        now = timezone.now()
        meeting.status = Meeting.Status.SUBMITTED
        meeting.submitted_at = now
        if meeting.first_submitted_at is None:
            meeting.first_submitted_at = now
            meeting.filing_lag_days = (timezone.localtime(now).date() - meeting.held_on).days
            meeting.is_late = meeting.filing_lag_days > settings.MINUTES_FILING_DAYS
        meeting.reviewer = reviewer_unit_for(organization)
        Todo.objects.open().filter(meeting=meeting, kind=Todo.Kind.RETURNED).update(done_at=now)
        _review_todos([meeting])
        public_pages_invalidate(organization=organization)  # the benchmark's filing figures change
    if created:
        # A new record is one change: one "created" history row with its counts, not a row per save.
        save_without_history(meeting)
        Meeting.history.bulk_history_create([meeting], default_user=by)
    else:
        meeting.save()
    return meeting


def todo_key(prefix: str, meeting: Meeting, moment: datetime.datetime) -> str:
    """One key per meeting and submission (or return): the daily step re-creates nothing twice."""
    return f"{prefix}:{meeting.pk}:{int(moment.timestamp())}"


def _review_todo_rows(meetings: list[Meeting]) -> list[Todo]:
    """A to-do for every reviewer of each waiting record (one roles query), due MINUTES_FILING_DAYS after its
    submission: a function of the record, so the submit and every daily run write the same row."""
    meetings = [m for m in meetings if m.reviewer_id is not None]
    if not meetings:
        return []
    reviewers: dict[int | None, list[int]] = {}  # looked up by reviewer_id, which is set on all of these
    for user_id, org_id in _users_with_roles({m.reviewer_id for m in meetings}, REVIEWER_ROLES):
        reviewers.setdefault(org_id, []).append(user_id)
    days = datetime.timedelta(days=settings.MINUTES_FILING_DAYS)
    # A submitted record has its submission time (the cast tells mypy so).
    return [
        Todo(
            user_id=user_id,
            kind=Todo.Kind.REVIEW_WAITING,
            key=todo_key("review", m, cast(datetime.datetime, m.submitted_at)),
            organization_id=m.organization_id,
            meeting=m,
            # The meeting's date in the text: two records of one unit and type must read differently.
            text=_("Review: %(meeting)s of %(unit)s held on %(day)s")
            % {
                "meeting": m.get_kind_display(),
                "unit": m.organization.name,
                "day": date_format(timezone.localtime(m.held_at).date(), "DATE_FORMAT"),
            },
            due_on=timezone.localdate(m.submitted_at) + days,
        )
        for m in meetings
        for user_id in reviewers.get(m.reviewer_id, [])
    ]


def _review_todos(meetings: list[Meeting]) -> None:
    """Give the reviewers of just-submitted records their to-dos (one roles query, one insert)."""
    Todo.objects.bulk_create(_review_todo_rows(meetings), ignore_conflicts=True, batch_size=1000)


def _returned_todo_rows(meetings: list[Meeting]) -> list[Todo]:
    """A to-do for the secretaries of each returned record (one roles query), due MINUTES_FILING_DAYS after
    the return: what ``meeting_return`` creates and every daily run keeps (resubmitting closes it)."""
    secretaries: dict[int, list[int]] = {}
    for user_id, org_id in _users_with_roles({m.organization_id for m in meetings}, SECRETARY_ROLES):
        secretaries.setdefault(org_id, []).append(user_id)
    days = datetime.timedelta(days=settings.MINUTES_FILING_DAYS)
    return [
        Todo(
            user_id=user_id,
            kind=Todo.Kind.RETURNED,
            key=todo_key("returned", m, m.reviewed_at),
            organization_id=m.organization_id,
            meeting=m,
            text=_("Returned: %(meeting)s of %(day)s — %(reason)s")
            % {
                "meeting": m.get_kind_display(),
                "reason": m.return_reason[:120],
                "day": date_format(timezone.localtime(m.held_at).date(), "DATE_FORMAT"),
            },
            due_on=timezone.localdate(m.reviewed_at) + days,
        )
        for m in meetings
        if m.reviewed_at is not None
        for user_id in secretaries.get(m.organization_id, [])
    ]


def _close_review_todos(meeting: Meeting) -> None:
    Todo.objects.open().filter(meeting=meeting, kind=Todo.Kind.REVIEW_WAITING).update(done_at=timezone.now())


@transaction.atomic
def meeting_return(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    """退回: send a submitted record back to its secretary with the reason."""
    # of=self: the reviewer join is nullable, and PostgreSQL cannot lock the nullable side of an outer join.
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("reviewer", "organization")
        .get(pk=meeting.pk)
    )
    if not meeting_may_review(user=by, meeting=meeting):
        raise PermissionDenied
    MEETING_REVIEW.send_back(
        meeting,
        by=by,
        reason=reason,
        not_awaiting=_("Only records awaiting review can be returned."),
        no_reason=_("Say why the record is returned."),
    )
    _close_review_todos(meeting)
    public_pages_invalidate(organization=meeting.organization)  # no longer counted as filed
    Todo.objects.bulk_create(_returned_todo_rows([meeting]), ignore_conflicts=True)
    return meeting


@transaction.atomic
def meeting_approve(*, meeting: Meeting, by: User) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("reviewer").get(pk=meeting.pk)
    if not meeting_may_review(user=by, meeting=meeting):
        raise PermissionDenied
    if meeting.status != Meeting.Status.SUBMITTED:
        raise ValidationError(_("Only records awaiting review can be approved."))
    meeting.status = Meeting.Status.APPROVED
    meeting.return_reason = ""
    meeting.reviewed_by = by
    meeting.reviewed_at = timezone.now()
    history_by(meeting, by)
    meeting.save()
    _close_review_todos(meeting)
    return meeting


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    meeting = attachment.meeting
    if not meeting.editable or not organization_permission_holds(
        user=by, organization=meeting.organization, codename=MANAGE_MEMBERS
    ):
        raise PermissionDenied
    attachment_remove(attachment=attachment)  # the file goes when the delete commits


# --- the daily step -------------------------------------------------------------------------------------


def _period_key(cell, year: int) -> str:
    return f"{year}-{cell.first_month:02d}"


def _committee_yearly_todos(today: datetime.date) -> list[Todo]:
    """Secondary committees' yearly meetings under an active rule (民主生活会, issue 18) not yet recorded this
    year: from COMMITTEE_YEARLY_REMINDER_DAYS before the year's end, a to-do for the committee's secretaries,
    due on 31 December. Three queries whatever the number of committees: the rules, the year's meetings grouped
    by committee and kind, the secretaries."""
    year_end = datetime.date(today.year, 12, 31)
    if year_end - today > datetime.timedelta(days=settings.COMMITTEE_YEARLY_REMINDER_DAYS):
        return []
    rules = {
        r.kind: r
        for r in MeetingRule.objects.filter(
            is_active=True, period=Period.YEAR, kind__in=Meeting.COMMITTEE_KINDS
        )
    }
    if not rules:
        return []
    held: dict[tuple[int, str], int] = {
        (row["organization_id"], row["kind"]): row["n"]
        for row in Meeting.objects.filter(
            organization__kind__in=Organization.SECONDARY_KINDS,
            organization__is_active=True,
            kind__in=rules,
            status__in=(Meeting.Status.SUBMITTED, Meeting.Status.APPROVED),
            held_at__year=today.year,
        )
        .values("organization_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    wanted = []
    committees = Organization.objects.filter(kind__in=Organization.SECONDARY_KINDS, is_active=True)
    for user_id, org_id in _users_with_roles(committees.values("pk"), SECRETARY_ROLES):
        for kind, rule in rules.items():
            n = held.get((org_id, kind), 0)
            if n >= rule.times:
                continue
            wanted.append(
                Todo(
                    user_id=user_id,
                    kind=Todo.Kind.MEETING_MISSING,
                    organization_id=org_id,
                    key=f"missing:{org_id}:{kind}:{today.year}-01",
                    due_on=year_end,
                    text=_("Hold and record: %(meeting)s (%(held)d of %(required)d so far)")
                    % {"meeting": Meeting.Kind(kind).label, "held": n, "required": rule.times},
                )
            )
    return wanted


def reminders_advance(*, today: datetime.date | None = None) -> dict[str, int]:
    """Make the meeting to-dos those of the state at ``today`` (``todos_sync``): whatever dates ran before,
    in any order, the open ones are what a single run at ``today`` would open. Idempotent.

    * Secretaries: a required meeting still missing in a period that ends within MEETING_REMINDER_DAYS,
      kept open until MINUTES_FILING_DAYS after the period's end (a late filing is still accepted).
    * Reviewers: every record awaiting their review.
    * Secretaries: every record returned to them (until it is submitted again).
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.MEETING_REMINDER_DAYS)
    # A meeting held before its period ended can still be filed (late) for a few days after.
    grace = datetime.timedelta(days=settings.MINUTES_FILING_DAYS)
    wanted: list[Todo] = []
    secretaries: dict[int, list[int]] = {}
    for user_id, org_id in _users_with_roles(
        Organization.objects.filter(kind=Organization.Kind.BRANCH, is_active=True).values("pk"),
        SECRETARY_ROLES,
    ):
        secretaries.setdefault(org_id, []).append(user_id)
    for root in Organization.objects.filter(depth=1):
        report = compliance(
            root=root,
            year=today.year,
            today=today,
            statuses=(Meeting.Status.SUBMITTED, Meeting.Status.APPROVED),
        )
        for entry in report:
            for row in entry.rows:
                for cell in row.cells:
                    if cell.state not in ("due", "missing"):
                        continue
                    ends = cell.ends_on
                    if cell.state == "due" and ends > horizon:
                        continue  # not yet: the period has more than MEETING_REMINDER_DAYS to run
                    if cell.state == "missing" and ends + grace < today:
                        continue  # too late even for a late filing: the compliance view shows the miss
                    key = f"missing:{entry.branch.pk}:{row.kind}:{_period_key(cell, today.year)}"
                    due = ends
                    if row.kind == Meeting.Kind.THEME_DAY and entry.branch.theme_day:
                        # The branch's fixed day (issue 18): the month's to-do is due on it.
                        due = entry.branch.theme_day_in(ends.year, ends.month)
                    for user_id in secretaries.get(entry.branch.pk, []):
                        wanted.append(
                            Todo(
                                user_id=user_id,
                                kind=Todo.Kind.MEETING_MISSING,
                                key=key,
                                organization=entry.branch,
                                text=_("Hold and record: %(meeting)s (%(held)d of %(required)d so far)")
                                % {"meeting": row.label, "held": cell.held, "required": cell.required},
                                due_on=due,
                            )
                        )
    wanted += _committee_yearly_todos(today)
    missing = todos_sync(kind=Todo.Kind.MEETING_MISSING, wanted=wanted)
    waiting = Meeting.objects.filter(status=Meeting.Status.SUBMITTED).select_related("organization")
    review = todos_sync(kind=Todo.Kind.REVIEW_WAITING, wanted=_review_todo_rows(list(waiting)))
    returned = todos_sync(
        kind=Todo.Kind.RETURNED,
        wanted=_returned_todo_rows(list(Meeting.objects.filter(status=Meeting.Status.RETURNED))),
    )
    parts = (missing, review, returned)
    return {
        "created": sum(part["created"] for part in parts),
        "closed": sum(part["closed"] for part in parts),
    }
