"""QR sign-in at meetings (issue 20): the secretary's rotating code, a member's sign-in, the attendance
pre-filled from the sign-ins and the secretary's corrections recorded when the minutes are saved.

The code is a link carrying ``<step>-<mac>``: ``step`` counts MEETING_SIGN_IN_ROTATE_SECONDS since the epoch
and the MAC (the site's secret, salted per meeting) binds it to the meeting, so the code on the phone changes
every step and a photo of it passed on is stale after MEETING_SIGN_IN_TOKEN_SECONDS. Codes are accepted only
in the meeting's hour (MEETING_SIGN_IN_EARLY_MINUTES before it starts to MEETING_SIGN_IN_MINUTES after),
and only while the record can still be edited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from branches.models import Organization
from disclosure.models import Attendance, AttendanceCorrection, Meeting, SignIn
from members.models import Member

NOT_SIGNED_IN = (
    "未扫码签到"  # the reason pre-filled for whoever did not sign in (the secretary may change it)
)


class SignInRefused(Exception):
    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SignInWindow:
    opens: datetime.datetime
    closes: datetime.datetime

    def holds(self, moment: datetime.datetime) -> bool:
        return self.opens <= moment <= self.closes


def sign_in_window(*, meeting: Meeting) -> SignInWindow:
    """The meeting's hour, when its code is accepted."""
    return SignInWindow(
        opens=meeting.held_at - datetime.timedelta(minutes=settings.MEETING_SIGN_IN_EARLY_MINUTES),
        closes=meeting.held_at + datetime.timedelta(minutes=settings.MEETING_SIGN_IN_MINUTES),
    )


def _step(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) // settings.MEETING_SIGN_IN_ROTATE_SECONDS


def _mac(meeting_pk: int, step: int) -> str:
    return salted_hmac("disclosure.sign_in", f"{meeting_pk}:{step}", algorithm="sha256").hexdigest()[:20]


def sign_in_token(*, meeting: Meeting, now: datetime.datetime | None = None) -> str:
    """The code shown now (it changes every MEETING_SIGN_IN_ROTATE_SECONDS)."""
    step = _step(now or timezone.now())
    return f"{step}-{_mac(meeting.pk, step)}"


def sign_in_token_check(*, meeting: Meeting, token: str, now: datetime.datetime | None = None) -> None:
    """Raise SignInRefused unless ``token`` is this meeting's, recent, within its hour and the record open."""
    now = now or timezone.now()
    step_text, _dash, mac = (token or "").partition("-")
    if (
        not step_text.isdigit()
        or len(step_text) > 12
        or not constant_time_compare(mac, _mac(meeting.pk, int(step_text)))
    ):
        raise SignInRefused(_("This is not a sign-in code of this meeting."), reason="bad_code")
    age = (_step(now) - int(step_text)) * settings.MEETING_SIGN_IN_ROTATE_SECONDS
    if age < 0 or age > settings.MEETING_SIGN_IN_TOKEN_SECONDS:
        raise SignInRefused(
            _("This code has expired: scan the code on the secretary's screen again."), reason="stale_code"
        )
    if not sign_in_window(meeting=meeting).holds(now):
        raise SignInRefused(_("Sign-in is open only around the meeting's time."), reason="closed")
    if not meeting.editable:
        raise SignInRefused(
            _("The minutes of this meeting have been submitted: sign-in is closed."), reason="closed"
        )


def _expected(meeting: Meeting, member: Member | None) -> bool:
    """The member is on the meeting's roster, by the rule of the secretary's form (disclosure.views.meetings):
    a branch's active party members; for a committee's own meetings, the holders of a current role on it."""
    if member is None or not member.is_active or member.stage not in Member.PARTY_STAGES:
        return False
    unit = meeting.organization
    if not member.branch.path.startswith(unit.path):
        return False
    if unit.kind == Organization.Kind.BRANCH:
        return True
    assert member.user is not None  # found by its user (meeting_sign_in)
    return member.user.party_roles.filter(organization=unit, ended_on__isnull=True).exists()


def meeting_sign_in(
    *, meeting: Meeting, user: User, token: str, now: datetime.datetime | None = None
) -> tuple[SignIn, bool]:
    """Sign ``user``'s member record in to ``meeting`` with a code read from the secretary's screen.

    Returns the sign-in and whether it is new (scanning again keeps the first time). Refused (SignInRefused)
    for a wrong, stale or closed code, and for someone not expected at the meeting.
    """
    now = now or timezone.now()
    sign_in_token_check(meeting=meeting, token=token, now=now)
    member = Member.objects.select_related("branch", "user").filter(user=user).first()
    if member is None or not _expected(meeting, member):
        raise SignInRefused(
            _("You are not on the list of members expected at this meeting."), reason="not_expected"
        )
    try:
        with transaction.atomic():
            return SignIn.objects.create(meeting=meeting, member=member, signed_at=now), True
    except IntegrityError:
        return SignIn.objects.get(meeting=meeting, member=member), False


def signed_in_members(*, meeting: Meeting) -> set[int]:
    """The ids of the members who signed in (one query)."""
    return set(SignIn.objects.filter(meeting=meeting).values_list("member_id", flat=True))


def attendance_prefill(
    *, meeting: Meeting, members: list[Member], recorded: dict[int, Attendance]
) -> tuple[dict[int, Attendance], int]:
    """The attendance the secretary's form starts from once members have signed in (two queries).

    Signed in: present. Not signed in: absent, with the reason 未扫码签到 for the secretary to change. What the
    secretary already set against the sign-ins (a correction), or a leave or absence they recorded, is kept.
    Returns the rows for the form (unsaved Attendance objects where nothing is recorded) and how many signed in.
    """
    signed = signed_in_members(meeting=meeting)
    if not signed:
        return recorded, 0
    corrected = set(AttendanceCorrection.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    rows = {}
    for member in members:
        previous = recorded.get(member.pk)
        if member.pk in corrected and previous is not None:
            rows[member.pk] = previous
        elif member.pk in signed:
            rows[member.pk] = Attendance(member=member, status=Attendance.Status.PRESENT, reason="")
        elif previous is not None and previous.status != Attendance.Status.PRESENT:
            rows[member.pk] = previous
        else:
            rows[member.pk] = Attendance(member=member, status=Attendance.Status.ABSENT, reason=NOT_SIGNED_IN)
    return rows, len(signed & {m.pk for m in members})


def attendance_corrections_record(
    *, meeting: Meeting, entries: list, by: User | None, now: datetime.datetime | None = None
) -> int:
    """Keep, for each member, where the saved attendance differs from the sign-ins (three or four queries;
    none when nobody signed in). Called by meeting_save inside its transaction. Returns the number of corrections."""
    signed = signed_in_members(meeting=meeting)
    if not signed:
        return 0
    now = now or timezone.now()
    differing = {
        e.member_id: (e.status, e.reason.strip()[:200])
        for e in entries
        if (e.member_id in signed) != (e.status == Attendance.Status.PRESENT)
    }
    kept = {
        member_id: (status, reason)
        for member_id, status, reason in AttendanceCorrection.objects.filter(meeting=meeting).values_list(
            "member_id", "status", "reason"
        )
    }
    # A correction saved again unchanged keeps who made it and when; a changed or withdrawn one is replaced.
    stale = [m for m, value in kept.items() if differing.get(m) != value]
    if stale:
        AttendanceCorrection.objects.filter(meeting=meeting, member_id__in=stale).delete()
    AttendanceCorrection.objects.bulk_create(
        AttendanceCorrection(
            meeting=meeting,
            member_id=member_id,
            signed_in=member_id in signed,
            status=status,
            reason=reason,
            corrected_by=by,
            corrected_at=now,
        )
        for member_id, (status, reason) in differing.items()
        if kept.get(member_id) != (status, reason)
    )
    return len(differing)
