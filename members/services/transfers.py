"""Transfers (组织关系接转): letters out of, into and within the university.

A member's branch changes only when the transfer completes; the member's history keeps the move."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.history import history_reason
from branches.models import Organization
from branches.once import once_bind, once_claim
from branches.dates import prose_date
from members.signals import member_left_roster
from members.models import LifecycleRule, Member, Transfer
from members.rules import add_months, first_of_month, rules
from members.services.development import require_manage

K = LifecycleRule.Key


def _validity(issued_on: datetime.date, valid_until: datetime.date | None) -> datetime.date:
    if valid_until is None:
        return add_months(issued_on, rules()[K.TRANSFER_VALIDITY_MONTHS])
    if valid_until < issued_on:
        raise ValidationError(_("The letter cannot expire before it is issued."))
    return valid_until


def _open_exists(member: Member) -> bool:
    return Transfer.objects.filter(member=member, status=Transfer.Status.OPEN).exists()


def _create(**fields) -> Transfer:
    try:
        with transaction.atomic():
            return Transfer.objects.create(**fields)
    except IntegrityError as exc:  # another letter for this member was issued meanwhile
        raise ValidationError(
            _("%(name)s already has a transfer in progress.") % {"name": fields["member"].name}
        ) from exc


def _same_university(branch: Organization, other: Organization) -> bool:
    """Whether both branches sit under the same university (the nearest university above ``branch``; the tree's
    root where there is none). One query."""
    above = Organization.objects.filter(
        path__in=branch.ancestor_paths()[:-1], kind=Organization.Kind.UNIVERSITY
    )
    university_path = above.values_list("path", flat=True).first() or branch.path[: Organization.steplen]
    return other.path.startswith(university_path)


@transaction.atomic
def transfer_start(
    *,
    member: Member,
    direction: str,
    letter_number: str,
    issued_on: datetime.date,
    by: User | None,
    to_branch: Organization | None = None,
    outside_unit: str = "",
    valid_until: datetime.date | None = None,
    dues_paid_to: datetime.date | None = None,
    note: str = "",
    request_key=None,
) -> Transfer:
    """Issue a letter moving ``member`` out of the university or to another branch within it (once per form:
    the same one-time key twice returns the first letter)."""
    require_manage(by=by, branch=member.branch)
    if (existing := once_claim(key=request_key, user=by, model=Transfer)) is not None:
        return existing
    if direction not in (Transfer.Direction.OUT, Transfer.Direction.WITHIN):
        raise ValidationError(_("Transfers into the university are registered with the incoming person."))
    if not member.is_active:
        raise ValidationError(_("%(name)s is no longer active here.") % {"name": member.name})
    if _open_exists(member):
        raise ValidationError(_("%(name)s already has a transfer in progress.") % {"name": member.name})
    if not letter_number.strip():
        raise ValidationError(_("Enter the letter number."))
    if direction == Transfer.Direction.WITHIN:
        if to_branch is None or to_branch.kind != Organization.Kind.BRANCH or not to_branch.is_active:
            raise ValidationError(_("Choose the active branch the member moves to."))
        if to_branch.pk == member.branch_id:
            raise ValidationError(_("The member already belongs to this branch."))
        if not _same_university(member.branch, to_branch):
            raise ValidationError(
                _("A transfer within the university goes to a branch of the same university.")
            )
        outside_unit = ""
    else:
        to_branch = None
        if not outside_unit.strip():
            raise ValidationError(_("Enter the organisation the member moves to."))
    transfer = _create(
        member=member,
        direction=direction,
        from_branch_id=member.branch_id,
        to_branch=to_branch,
        outside_unit=outside_unit.strip(),
        letter_number=letter_number.strip(),
        issued_on=issued_on,
        valid_until=_validity(issued_on, valid_until),
        dues_paid_to=first_of_month(dues_paid_to) if dues_paid_to else None,
        note=note,
        created_by=by,
    )
    once_bind(key=request_key, record=transfer)
    return transfer


@transaction.atomic
def transfer_in_register(
    *,
    to_branch: Organization,
    person: dict,
    outside_unit: str,
    letter_number: str,
    issued_on: datetime.date,
    by: User | None,
    valid_until: datetime.date | None = None,
    dues_paid_to: datetime.date | None = None,
) -> Transfer:
    """Register a member arriving from outside: their record is kept inactive until the transfer completes.

    ``person`` holds Member fields (name, gender, birth_date, category, stage, joined_on, id_number …)."""
    require_manage(by=by, branch=to_branch)
    if to_branch.kind != Organization.Kind.BRANCH or not to_branch.is_active:
        raise ValidationError(_("Choose the active branch the member moves to."))
    if person.get("stage") not in Member.PARTY_STAGES or not person.get("joined_on"):
        raise ValidationError(_("A member transferring in is a party member with the date they joined."))
    if not outside_unit.strip() or not letter_number.strip():
        raise ValidationError(_("Enter the letter number and the organisation the member comes from."))
    member = Member(branch=to_branch, is_active=False, **person)
    try:
        member.full_clean(exclude=["user", "party_group"])
    except ValidationError as exc:
        raise ValidationError(list(exc.messages)) from exc
    member.save()
    return _create(
        member=member,
        direction=Transfer.Direction.IN,
        to_branch=to_branch,
        outside_unit=outside_unit.strip(),
        letter_number=letter_number.strip(),
        issued_on=issued_on,
        valid_until=_validity(issued_on, valid_until),
        dues_paid_to=first_of_month(dues_paid_to) if dues_paid_to else None,
        created_by=by,
    )


@transaction.atomic
def transfer_complete(
    *,
    transfer: Transfer,
    completed_on: datetime.date,
    by: User | None,
    receipt_returned_on: datetime.date | None = None,
) -> Transfer:
    """Complete a transfer: the member moves (within), leaves (out, with the returned receipt) or becomes
    active in the receiving branch (in). The receiving side completes; for letters out, the sending branch."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    receiving = transfer.to_branch if transfer.to_branch_id else transfer.from_branch
    assert receiving is not None  # transfer_start gives every letter a branch on one side or both
    require_manage(by=by, branch=receiving)
    if transfer.status != Transfer.Status.OPEN:
        raise ValidationError(_("This transfer is not in progress."))
    if completed_on < transfer.issued_on:
        raise ValidationError(
            _("A transfer cannot complete before its letter was issued (%(date)s).")
            % {"date": prose_date(transfer.issued_on)}
        )
    if completed_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if transfer.direction == Transfer.Direction.OUT:
        transfer.receipt_returned_on = receipt_returned_on or completed_on
        member.is_active = False
        history_reason(member, f"transfer out {transfer.letter_number}")
        member.save(update_fields=["is_active"])
        left = member.branch
    elif transfer.direction == Transfer.Direction.WITHIN:
        assert transfer.to_branch is not None  # a transfer within has both branches (check constraint)
        left = member.branch
        member.branch = transfer.to_branch
        member.party_group = None  # the old branch's party group does not follow
        history_reason(member, f"transfer within {transfer.letter_number}")
        member.save(update_fields=["branch", "party_group"])
    else:
        member.is_active = True
        history_reason(member, f"transfer in {transfer.letter_number}")
        member.save(update_fields=["is_active"])
        transfer.receipt_returned_on = receipt_returned_on
        left = None
    transfer.status, transfer.completed_on = Transfer.Status.DONE, completed_on
    transfer.save(update_fields=["status", "completed_on", "receipt_returned_on"])
    if left is not None:  # what still runs in the branch they left drops them (an open evaluation, issue 19)
        member_left_roster.send(
            sender=Member, member=member, branch=left, left_on=completed_on, reason="transfer"
        )
    return transfer


@transaction.atomic
def transfer_out_bulk(
    *,
    branch: Organization,
    members: Sequence[Member],
    outside_unit: str,
    letter_prefix: str,
    issued_on: datetime.date,
    by: User | None,
    dues_paid_to: datetime.date | None = None,
) -> list[Transfer]:
    """Graduates' transfers: one letter per member (``<prefix>-001`` …), all in one transaction or none."""
    require_manage(by=by, branch=branch)
    if not members:
        raise ValidationError(_("Select at least one member."))
    if any(m.branch_id != branch.pk for m in members):
        raise PermissionDenied
    problems: list[str] = []
    transfers = []
    for number, member in enumerate(members, start=1):
        try:
            transfers.append(
                transfer_start(
                    member=member,
                    direction=Transfer.Direction.OUT,
                    letter_number=f"{letter_prefix.strip()}-{number:03d}",
                    issued_on=issued_on,
                    by=None,
                    outside_unit=outside_unit,
                    dues_paid_to=dues_paid_to,
                )
            )
        except ValidationError as exc:
            problems.extend(f"{member.name}: {m}" for m in exc.messages)
    if problems:
        raise ValidationError(problems)
    return transfers
