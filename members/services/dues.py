"""Dues (党费): the monthly amount from the declared base and the brackets in force; the branch ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import DuesBracket, DuesDeclaration, DuesPayment, Member
from members.rules import first_of_month, to_fen
from members.services.development import require_manage


def dues_brackets_on(*, day: datetime.date, kind: str) -> list[DuesBracket]:
    """The brackets of ``kind`` in the table valid on ``day`` (the latest ``valid_from`` ≤ day). One query."""
    brackets = list(DuesBracket.objects.filter(kind=kind, valid_from__lte=day).order_by("-valid_from"))
    if not brackets:
        return []
    newest = brackets[0].valid_from
    table = [b for b in brackets if b.valid_from == newest]
    return sorted(table, key=lambda b: (b.up_to is None, b.up_to or 0))


def dues_amount(*, base: Decimal, kind: str, day: datetime.date, brackets: list[DuesBracket] | None = None) -> Decimal:
    """The monthly dues for ``base`` (after-tax pay or pension, yuan): the first bracket whose upper limit is
    at least the base, so exactly 3000 pays 0.5 % and 3000.01 pays 1 %. Rounded half-up to the fen."""
    try:
        base = Decimal(base)
    except (InvalidOperation, TypeError) as exc:
        raise ValidationError(_("The base must be an amount in yuan.")) from exc
    if base < 0:
        raise ValidationError(_("The base cannot be negative."))
    brackets = brackets if brackets is not None else dues_brackets_on(day=day, kind=kind)
    for bracket in brackets:
        if bracket.up_to is None or base <= bracket.up_to:
            return bracket.monthly_amount(base)
    raise ValidationError(_("No dues bracket applies on %(date)s; check the dues table in the admin.")
                          % {"date": day.isoformat()})


@transaction.atomic
def dues_declare(*, member: Member, kind: str, base: Decimal, valid_from: datetime.date,
                 by: AbstractBaseUser | None) -> DuesDeclaration:
    """Declare a member's base from a month on (replacing a declaration for the same month)."""
    require_manage(by=by, branch=member.branch)
    if kind not in DuesBracket.Kind.values:
        raise ValidationError(_("Unknown payer kind."))
    month = first_of_month(valid_from)
    base = to_fen(Decimal(base))
    amount = dues_amount(base=base, kind=kind, day=month)
    declaration, _created = DuesDeclaration.objects.update_or_create(
        member=member, valid_from=month, defaults={"kind": kind, "base": base, "amount": amount}
    )
    return declaration


def dues_due_for(*, member: Member, month: datetime.date) -> Decimal | None:
    """The amount due for ``month``: the latest declaration from that month or before. One query."""
    declaration = (DuesDeclaration.objects.filter(member=member, valid_from__lte=first_of_month(month))
                   .order_by("-valid_from").first())
    return declaration.amount if declaration else None


@transaction.atomic
def dues_record(
    *,
    member: Member,
    month: datetime.date,
    status: str,
    by: AbstractBaseUser | None,
    amount: Decimal | None = None,
    paid_on: datetime.date | None = None,
    paid_by: Member | None = None,
    approval: str = "",
    today: datetime.date | None = None,
) -> DuesPayment:
    """Record one member's dues for one month in their branch's ledger.

    Paid or paid by another member (who must be in the same branch); exempt needs who approved it.
    The amount defaults to the declared one. A month already recorded is refused, so a double submit does
    not count twice.
    """
    require_manage(by=by, branch=member.branch)
    today = today or timezone.localdate()
    month = first_of_month(month)
    if month > first_of_month(today):
        raise ValidationError(_("Dues cannot be recorded for a future month."))
    if not member.is_party_member:
        raise ValidationError(_("Only party members pay dues."))
    if status not in DuesPayment.Status.values:
        raise ValidationError(_("Unknown dues status."))
    if status == DuesPayment.Status.PAID_BY_OTHER:
        if paid_by is None or paid_by.pk == member.pk:
            raise ValidationError(_("Name the member who paid on their behalf."))
        if paid_by.branch_id != member.branch_id:
            raise ValidationError(_("The member who pays on another's behalf must be in the same branch."))
    else:
        paid_by = None
    if status == DuesPayment.Status.EXEMPT:
        if not approval.strip():
            raise ValidationError(_("An exemption needs the approval: say who approved it."))
        amount = Decimal(0)
    elif amount is None:
        amount = dues_due_for(member=member, month=month)
        if amount is None:
            raise ValidationError(_("%(name)s has no declared dues base for %(month)s; declare it first.")
                                  % {"name": member.name, "month": month.strftime("%Y-%m")})
    if Decimal(amount) < 0:
        raise ValidationError(_("The amount cannot be negative."))
    if DuesPayment.objects.filter(member=member, month=month).exists():
        raise ValidationError(_("%(name)s's dues for %(month)s are already recorded.")
                              % {"name": member.name, "month": month.strftime("%Y-%m")})
    try:
        with transaction.atomic():
            return DuesPayment.objects.create(
                member=member, branch_id=member.branch_id, month=month, status=status, amount=to_fen(Decimal(amount)),
                paid_on=None if status == DuesPayment.Status.EXEMPT else (paid_on or today), paid_by=paid_by,
                approval=approval.strip(), recorded_by=by,
            )
    except IntegrityError as exc:  # the same month recorded meanwhile by another request
        raise ValidationError(_("%(name)s's dues for %(month)s are already recorded.")
                              % {"name": member.name, "month": month.strftime("%Y-%m")}) from exc


@transaction.atomic
def dues_payment_delete(*, payment: DuesPayment, by: AbstractBaseUser | None) -> None:
    """Undo a ledger line entered by mistake (history keeps it)."""
    require_manage(by=by, branch=payment.branch)
    payment.delete()
