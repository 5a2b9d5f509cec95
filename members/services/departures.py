"""逝世 and 出党 (issue 21): recording that a party member died or left the Party.

Who records: whoever manages the member's branch (its secretary, deputy or organiser) or holds that on a unit
above it (the secondary committee, the 组织部) — ``manage_members`` on the branch, as for the roster. The
service writes exactly what the 党内统计 "deaths and departures" table reads (``Member.left_on`` and
``Member.left_reason``, members.statistics' LEFT subject, counted at the branch the member left from) and
ends the active record: the roster and every current list drop the member at once, while the statistics as
of a day before ``left_on`` still count them (``_present``). The member's history keeps the change.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.bounds import date_problem
from branches.models import Role
from branches.services import role_end
from branches.once import once
from branches.dates import prose_date
from members.models import Departure, Member
from members.selectors import member_may_manage
from members.signals import member_left_roster


def may_record_departure(*, user, member: Member) -> bool:
    """The member's branch or a unit above it (manage_members). One query."""
    return member_may_manage(user=user, member=member)


@transaction.atomic
def member_depart(
    *,
    member: Member,
    reason: str,
    left_on: datetime.date,
    document: str,
    note: str = "",
    by: User | None,
    today: datetime.date | None = None,
    request_key=None,
) -> Departure:
    """Record the death or departure of ``member`` on ``left_on``; the record becomes inactive from then."""
    if by is not None and not may_record_departure(user=by, member=member):
        raise PermissionDenied
    member = Member.objects.select_for_update().get(pk=member.pk)
    today = today or timezone.localdate()

    def create() -> Departure:
        errors: dict[str, list[str]] = {}
        if member.stage not in Member.PARTY_STAGES:
            errors[NON_FIELD_ERRORS] = [_("Only a party member's death or departure is recorded here.")]
        elif not member.is_active or member.left_on is not None:
            errors[NON_FIELD_ERRORS] = [_("This member is no longer on the active roster.")]
        if reason not in Member.DEPARTURE_REASONS:
            errors["reason"] = [_("Choose what happened.")]
        if left_on > today:
            errors["left_on"] = [_("A death or departure is recorded after it happened.")]
        elif problem := date_problem(left_on, field_name="left_on"):
            errors["left_on"] = [problem]
        elif member.joined_on and left_on < member.joined_on:
            errors["left_on"] = [
                _("The member joined the Party on %(date)s; the date cannot be before it.")
                % {"date": prose_date(member.joined_on)}
            ]
        if not document.strip():
            errors["document"] = [_("Name the decision or certificate it rests on.")]
        if errors:
            raise ValidationError(errors)
        user = by if getattr(by, "pk", None) else None
        departure = Departure(
            member=member,
            reason=reason,
            left_on=left_on,
            document=document.strip()[:200],
            note=note.strip()[:1000],
            recorded_by=user,
        )
        departure._history_user = user  # type: ignore[attr-defined]
        departure.save()
        member.left_on, member.left_reason, member.is_active = left_on, reason, False
        member._history_user = user  # type: ignore[attr-defined]
        member._change_reason = f"departure: {reason}"  # type: ignore[attr-defined]
        member.save(update_fields=["left_on", "left_reason", "is_active"])
        _end_standing(member=member, left_on=left_on, reason=reason)
        # What is still running drops them (an open evaluation's roll and ballot, issue 19).
        member_left_roster.send(
            sender=Member, member=member, branch=member.branch, left_on=left_on, reason=reason
        )
        return departure

    return once(key=request_key, user=by, model=Departure, create=create)


def _end_standing(*, member: Member, left_on: datetime.date, reason: str) -> None:
    """Who is no longer in the Party holds no office in it: every current role of the member's login ends on
    the day (or on the role's first day, if it began later) and its permissions are withdrawn (role_end). A
    deceased member's login is closed too; one who left keeps theirs (a student or a staff member still rates
    and reads the public pages) but sees nothing of a unit any more. Two queries and one per role."""
    if member.user_id is None:
        return
    for role in Role.objects.current().filter(user_id=member.user_id).select_related("user"):
        role_end(role=role, ended_on=max(left_on, role.started_on), by=None)
    if reason == Member.LeftReason.DIED:
        User.objects.filter(pk=member.user_id).update(is_active=False)
