"""党纪处分 (issue 19): recording a sanction on a member's record.

Who may record: whoever holds ``manage_members`` on the unit *above* the member's branch — the secondary
committee (二级党委 / 党总支) and, through the tree, the university's 组织部 (its role sits on the root). A
sanction is decided by a Party committee (党章 §40: a branch's decision needs the committee above it to
approve), so the branch's own secretary does not record it and cannot edit what the committee recorded.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.bounds import date_problem
from branches.models import Organization
from branches.once import once
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from members.models import DisciplinaryRecord, Member


def _above(branch: Organization) -> Organization:
    """The unit above the branch as an unsaved node with its path: enough for the permission check."""
    return Organization(path=branch.path[: -branch.steplen], kind=Organization.Kind.COMMITTEE)


def may_record_discipline(*, user, member: Member) -> bool:
    """The committee above the member's branch, or higher (the 组织部); never the branch itself. One query."""
    if len(member.branch.path) <= member.branch.steplen:
        return bool(getattr(user, "is_superuser", False))
    return organization_permission_holds(
        user=user, organization=_above(member.branch), codename=MANAGE_MEMBERS
    )


@transaction.atomic
def discipline_record(
    *,
    member: Member,
    kind: str,
    decided_on: datetime.date,
    decided_by_unit: str,
    reason: str,
    by: User | None,
    today: datetime.date | None = None,
    request_key=None,
) -> DisciplinaryRecord:
    """Record a sanction decided on ``decided_on`` by ``decided_by_unit``; history keeps who recorded it."""
    if by is not None and not may_record_discipline(user=by, member=member):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if kind not in DisciplinaryRecord.Kind.values:
        errors["kind"] = [_("Choose a sanction.")]
    today = today or timezone.localdate()
    if decided_on > today:
        errors["decided_on"] = [_("A sanction is recorded after it was decided.")]
    elif problem := date_problem(decided_on, field_name="decided_on"):
        errors["decided_on"] = [problem]
    if not decided_by_unit.strip():
        errors["decided_by_unit"] = [_("Say which committee decided it.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason as the decision states it.")]
    if errors:
        raise ValidationError(errors)

    def create() -> DisciplinaryRecord:
        record = DisciplinaryRecord(
            member=member,
            kind=kind,
            decided_on=decided_on,
            decided_by_unit=decided_by_unit.strip()[:120],
            reason=reason.strip()[:2000],
            recorded_by=by if getattr(by, "pk", None) else None,
        )
        record._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
        record.save()
        return record

    return once(key=request_key, user=by, model=DisciplinaryRecord, create=create)
