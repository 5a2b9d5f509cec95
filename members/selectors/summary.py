"""The statistical summary the 组织部 reports upward (``party_stats``): counts by level, category, stage,
gender and age band."""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Count, Value, When
from django.utils import timezone

from branches.dates import add_years
from branches.models import Organization
from branches.selectors import organization_breakdown
from members.models import Member

# Age bands as the yearly 党内统计 reports them; (key, oldest age in the band).
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("30_and_under", 30),
    ("31_40", 40),
    ("41_50", 50),
    ("51_60", 60),
    ("61_70", 70),
    ("71_and_over", None),
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
