"""Dues (党费): the monthly amount from the declared base and the brackets in force; the branch ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from simple_history.utils import bulk_create_with_history

from branches.models import Organization, Role
from branches.once import once_bind, once_claim
from branches.dates import prose_date
from members.models import DuesBracket, DuesDeclaration, DuesExemption, DuesPayment, Member
from members.rules import first_of_month, to_fen

# Dues are the branch's to record: its secretary, deputy secretary and organisation commissioner (issue 22).
# Units above (a committee's secretary, the 组织部) read the ledger and approve exemptions where the rules ask
# for it; they do not write the branch's lines, although they hold manage_members on the whole subtree.
DUES_RECORDER_KINDS = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER)


def dues_refusal() -> str:
    """What a unit above is told when it tries to write a branch's ledger (a 403 page's reason)."""
    return _(
        "Dues are recorded by the branch (its secretary, deputy secretary and organisation commissioner); "
        "units above read the ledger and approve exemptions."
    )


def dues_may_record(*, user: User | None, branch: Organization) -> bool:
    """Whether ``user`` may write ``branch``'s dues ledger: a current secretary, deputy or organisation
    commissioner role on the branch itself (not above it), or a superuser. One query (none for a superuser)."""
    if user is None:  # a command or the demo: trusted
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if branch.kind != Organization.Kind.BRANCH:  # a committee's secretary role is not a branch's ledger
        return False
    return (
        Role.objects.current().filter(user=user, organization=branch, kind__in=DUES_RECORDER_KINDS).exists()
    )


def require_record_dues(*, by: User | None, branch: Organization) -> None:
    if not dues_may_record(user=by, branch=branch):
        raise PermissionDenied(dues_refusal())


def dues_brackets_on(*, day: datetime.date, kind: str) -> list[DuesBracket]:
    """The brackets of ``kind`` in the table valid on ``day`` (the latest ``valid_from`` ≤ day). One query."""
    brackets = list(DuesBracket.objects.filter(kind=kind, valid_from__lte=day).order_by("-valid_from"))
    if not brackets:
        return []
    newest = brackets[0].valid_from
    table = [b for b in brackets if b.valid_from == newest]
    return sorted(table, key=lambda b: (b.up_to is None, b.up_to or 0))


def dues_amount(
    *, base: Decimal, kind: str, day: datetime.date, brackets: list[DuesBracket] | None = None
) -> Decimal:
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
    raise ValidationError(
        _("No dues bracket applies on %(date)s; check the dues table in the admin.")
        % {"date": prose_date(day)}
    )


@transaction.atomic
def dues_declare(
    *, member: Member, kind: str, base: Decimal, valid_from: datetime.date, by: User | None
) -> DuesDeclaration:
    """Declare a member's base from a month on (replacing a declaration for the same month)."""
    require_record_dues(by=by, branch=member.branch)
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
    declaration = (
        DuesDeclaration.objects.filter(member=member, valid_from__lte=first_of_month(month))
        .order_by("-valid_from")
        .first()
    )
    return declaration.amount if declaration else None


@transaction.atomic
def dues_record(
    *,
    member: Member,
    month: datetime.date,
    status: str,
    by: User | None,
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
    require_record_dues(by=by, branch=member.branch)
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
            raise ValidationError(
                _("%(name)s has no declared dues base for %(month)s; declare it first.")
                % {"name": member.name, "month": month.strftime("%Y-%m")}
            )
    if Decimal(amount) < 0:
        raise ValidationError(_("The amount cannot be negative."))
    if DuesPayment.objects.filter(member=member, month=month).exists():
        raise ValidationError(
            _("%(name)s's dues for %(month)s are already recorded.")
            % {"name": member.name, "month": month.strftime("%Y-%m")}
        )
    try:
        with transaction.atomic():
            return DuesPayment.objects.create(
                member=member,
                branch_id=member.branch_id,
                month=month,
                status=status,
                amount=to_fen(Decimal(amount)),
                paid_on=None if status == DuesPayment.Status.EXEMPT else (paid_on or today),
                paid_by=paid_by,
                approval=approval.strip(),
                recorded_by=by,
            )
    except IntegrityError as exc:  # the same month recorded meanwhile by another request
        raise ValidationError(
            _("%(name)s's dues for %(month)s are already recorded.")
            % {"name": member.name, "month": month.strftime("%Y-%m")}
        ) from exc


@transaction.atomic
def dues_record_month(
    *,
    branch: Organization,
    month: datetime.date,
    by: User | None,
    except_members: set[int] | frozenset[int] = frozenset(),
    request_key=None,
    today: datetime.date | None = None,
) -> list[DuesPayment]:
    """ "All paid this month, except …": one line "paid" at the declared amount for every party member of
    ``branch`` who has no line for ``month`` yet, a declared base, and is not in ``except_members`` (those
    are left open, to be recorded one by one: unpaid, paid by another, exempt). A member whose approved
    exemption covers the month gets an exempt line instead, naming the approving unit.

    One transaction, one history row per line. ``request_key`` (the form's one-time key) makes a second
    submission of the same form record nothing. Returns the lines created.
    """
    require_record_dues(by=by, branch=branch)
    today = today or timezone.localdate()
    month = first_of_month(month)
    if month > first_of_month(today):
        raise ValidationError(_("Dues cannot be recorded for a future month."))
    if once_claim(key=request_key, user=by, model=DuesPayment) is not None:
        return []  # this form was already sent: its lines exist
    members = list(
        Member.objects.active()
        .party_members()
        .filter(branch=branch)
        .exclude(pk__in=list(except_members))
        .exclude(dues_payments__month=month)
        .select_for_update(of=("self",))
    )
    declarations: dict[int, DuesDeclaration] = {}
    for declaration in DuesDeclaration.objects.filter(
        member__in=[m.pk for m in members], valid_from__lte=month
    ).order_by("member_id", "valid_from"):
        declarations[declaration.member_id] = declaration  # the latest from that month or before wins
    # A member whose approved exemption covers the month is recorded exempt, not paid, with the approving
    # unit named on the line (issue 22).
    exempted = {
        e.member_id: e.approver.display_name[:120]
        for e in DuesExemption.objects.approved()
        .filter(member__in=[m.pk for m in members], first_month__lte=month, last_month__gte=month)
        .select_related("approver")
    }
    lines = [
        DuesPayment(
            member=member,
            branch=branch,
            month=month,
            status=DuesPayment.Status.EXEMPT,
            amount=Decimal(0),
            paid_on=None,
            approval=exempted[member.pk],
            recorded_by=by,
        )
        if member.pk in exempted
        else DuesPayment(
            member=member,
            branch=branch,
            month=month,
            status=DuesPayment.Status.PAID,
            amount=declarations[member.pk].amount,
            paid_on=today,
            recorded_by=by,
        )
        for member in members
        if member.pk in declarations or member.pk in exempted
    ]
    if not lines:
        return []
    try:
        with transaction.atomic():
            created = bulk_create_with_history(
                lines, DuesPayment, default_user=by, default_change_reason="dues_record_month"
            )
    except IntegrityError as exc:  # a line for the same month recorded meanwhile by another request
        raise ValidationError(_("Some of these dues were recorded meanwhile; reload the page.")) from exc
    first = DuesPayment.objects.filter(branch=branch, month=month, member_id=lines[0].member_id).first()
    if first is not None:
        once_bind(key=request_key, record=first)
    return created
