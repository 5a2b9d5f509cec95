"""Reads of members: who may see or manage a record, what of it they see (masking), a branch's roster and
a subtree's export."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User as AuthUser
from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils.translation import gettext as _

from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, VIEW, organization_permission_holds
from members.models import Member

User = AuthUser | AnonymousUser

STAGE_ORDER = {stage: i for i, stage in enumerate(reversed(Member.Stage.values))}


def mask_id_number(value: str) -> str:
    """Keep only the last four characters: **************1234. The middle eight are the birth date and the
    first six the birthplace, so showing either beside the birth date would give the number away."""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def sensitive_fields(member: Member, *, unmasked: bool) -> dict[str, str]:
    """ID number, phone and birth date as this viewer may see them: in full for those who manage the
    member (and the member), otherwise masked, with the birth year only."""
    if unmasked:
        return {"id_number": member.id_number, "phone": member.phone, "birth": member.birth_date.isoformat()}
    return {
        "id_number": mask_id_number(member.id_number),
        "phone": mask_phone(member.phone),
        "birth": _("%(year)d (year only)") % {"year": member.birth_date.year},
    }


def member_may_view(*, user: User, member: Member) -> bool:
    """A member sees their own record; officers and secretaries see the members of units they can view."""
    if user.is_authenticated and member.user_id == user.pk:
        return True
    return organization_permission_holds(user=user, organization=member.branch, codename=VIEW)


def member_may_manage(*, user: User, member: Member) -> bool:
    return organization_permission_holds(user=user, organization=member.branch, codename=MANAGE_MEMBERS)


def branch_roster(*, branch: Organization) -> QuerySet[Member]:
    """Active members of one branch with their party group, party members first. One query."""
    stage_rank = Case(
        *[When(stage=stage, then=Value(rank)) for stage, rank in STAGE_ORDER.items()],
        output_field=CharField(),
    )
    return (
        Member.objects.active()
        .filter(branch=branch)
        .select_related("party_group")
        .annotate(stage_rank=stage_rank)
        .order_by("stage_rank", "name", "pk")
    )


def members_for_export(*, organization: Organization) -> QuerySet[Member]:
    """Active members of a subtree in tree order, with branch and group loaded for the spreadsheet."""
    return (
        Member.objects.active()
        .in_subtree(organization)
        .select_related("branch", "party_group")
        .order_by("branch__path", "name", "pk")
    )
