"""Reads of members and of the statistics the 组织部 reports upward."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser, User as AuthUser
from django.db.models import Case, CharField, Count, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.dates import add_years
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    VIEW,
    organization_breakdown,
    organization_permission_holds,
)
from members.models import Member

User = AuthUser | AnonymousUser

# Age bands as the yearly 党内统计 reports them; (key, oldest age in the band).
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("30_and_under", 30),
    ("31_40", 40),
    ("41_50", 50),
    ("51_60", 60),
    ("61_70", 70),
    ("71_and_over", None),
)
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


def _age_band_expression(as_of: datetime.date) -> Case:
    whens = []
    for key, oldest in AGE_BANDS:
        if oldest is None:
            break
        # Age <= oldest  ⇔  born after (as_of - (oldest + 1) years).
        limit = add_years(as_of, -oldest - 1)
        whens.append(When(birth_date__gt=limit, then=Value(key)))
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def party_stats(*, organization: Organization, as_of: datetime.date | None = None) -> dict:
    """The statistical summary of a unit's subtree: counts by level, category, stage, gender and age band.

    Two queries: one grouped scan of the organizations and one of the members.
    ``party_stats --json`` prints exactly this; the overview page renders it.
    """
    as_of = as_of or timezone.localdate()
    by_kind = {k: 0 for k in Organization.Kind.values}
    branches = {c: 0 for c in Organization.Category.values}
    secondary_by_unit_type = {u: 0 for u in Organization.UnitType.values}
    for row in organization_breakdown(organization=organization):
        by_kind[row["kind"]] += row["n"]
        if row["kind"] == Organization.Kind.BRANCH and row["category"]:
            branches[row["category"]] += row["n"]
        if row["kind"] in Organization.SECONDARY_KINDS and row["unit_type"]:
            secondary_by_unit_type[row["unit_type"]] += row["n"]
    rows = (
        Member.objects.active()
        .in_subtree(organization)
        .values("stage", "category", "gender")
        .annotate(age_band=_age_band_expression(as_of))
        .values("stage", "category", "gender", "age_band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    stage = {s: 0 for s in Member.Stage.values}
    category = {c: 0 for c in Organization.Category.values}
    gender = {g: 0 for g in Member.Gender.values}
    age = {key: 0 for key, _ in AGE_BANDS}
    for counted in rows:
        stage[counted["stage"]] += counted["n"]
        if counted["stage"] in Member.PARTY_STAGES:
            category[counted["category"]] += counted["n"]
            gender[counted["gender"]] += counted["n"]
            age[counted["age_band"]] += counted["n"]
    party_members = stage[Member.Stage.PROBATIONARY] + stage[Member.Stage.FULL]
    return {
        "organization": {"id": organization.pk, "code": organization.code, "name": organization.name},
        "as_of": as_of.isoformat(),
        "organizations_by_kind": by_kind,
        "secondary_committees": sum(by_kind[k] for k in Organization.SECONDARY_KINDS),
        "secondary_committees_by_unit_type": secondary_by_unit_type,
        "branches_by_category": branches,
        "staff_branches": sum(branches[c] for c in Organization.STAFF_CATEGORIES),
        "party_members": party_members,
        "party_members_by_category": category,
        "staff_party_members": sum(category[c] for c in Organization.STAFF_CATEGORIES),
        "people_by_stage": stage,
        "party_members_by_gender": gender,
        "party_members_by_age_band": age,
    }
