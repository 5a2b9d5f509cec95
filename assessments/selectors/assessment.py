"""Reads of the July-1 cycle, filtered by what the user may see (``branches.selectors``), with fixed
query counts: a unit's assessment is seen by those who may view the unit (its own people and the units
above it); published results by every logged-in user of the university."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from assessments.models import (
    Assessment,
    AssessmentCycle,
    Grade,
    Indicator,
    ItemScore,
    PlanItem,
)
from assessments.services.assessment import SELF_ROLES, may_verify
from branches.models import Organization, Role
from branches.selectors import (
    MANAGE_UNITS,
    VIEW,
    organizations_visible_to,
    organizations_with_permission,
    permission_roots,
)


def cycles_for(*, user: User) -> QuerySet[AssessmentCycle]:
    """Cycles of universities the user can see anything of (a branch secretary sees their university's, a
    province's officer every university's). Two queries: the paths of the units the user holds the view on
    (a handful, not the hundreds below them), then the cycles rooted above one of them or below."""
    visible = organizations_visible_to(user=user)
    roots = list(permission_roots(user=user, codename=VIEW).values_list("path", flat=True))
    prefixes = {
        p[: Organization.steplen * d] for p in roots for d in range(1, len(p) // Organization.steplen + 1)
    }
    return AssessmentCycle.objects.filter(Q(root__path__in=prefixes) | Q(root__in=visible)).select_related(
        "root"
    )


def assessments_visible(*, user: User, cycle: AssessmentCycle) -> QuerySet[Assessment]:
    """The cycle's assessments of units the user may view, in tree order. One query."""
    return (
        Assessment.objects.filter(cycle=cycle, organization__in=organizations_visible_to(user=user))
        .select_related("organization")
        .order_by("organization__path")
    )


def assessment_status_counts(*, assessments: QuerySet[Assessment]) -> dict[str, int]:
    """How many of ``assessments`` are in each status (every status, zeros included). One grouped query."""
    counts = {status: 0 for status in Assessment.Status.values}
    for status, n in assessments.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] = n
    return counts


def assessment_for(*, user: User, pk: int) -> Assessment | None:
    """The assessment if the user may view its unit, else None (the view answers 404). One query."""
    return (
        Assessment.objects.filter(pk=pk, organization__in=organizations_visible_to(user=user))
        .select_related("cycle", "cycle__root", "organization")
        .first()
    )


@dataclass
class Group:
    """A first-level indicator and the items under it, for the forms and the report."""

    title: str
    code: str
    items: list[ItemScore] = field(default_factory=list)


def _indicator_of(it: ItemScore) -> Indicator:
    """The item's indicator, or the one its plan item was planned under: exactly one of the two is set (the
    check constraint item_score_indicator_or_plan_item)."""
    if it.indicator is not None:
        return it.indicator
    return cast(PlanItem, it.plan_item).indicator


def assessment_groups(*, assessment: Assessment) -> list[Group]:
    """The assessment's items grouped under their first-level indicators (approved plan items under the
    indicator they were planned under). Two queries."""
    items = list(
        ItemScore.objects.filter(assessment=assessment).select_related(
            "indicator", "plan_item", "plan_item__indicator"
        )
    )
    wanted: set[int] = set()
    for it in items:
        ind = _indicator_of(it)
        parent_id = ind.parent_id if it.indicator_id else (ind.parent_id or ind.pk)
        if parent_id is not None:
            wanted.add(parent_id)
    parents = {i.pk: i for i in Indicator.objects.filter(pk__in=wanted)}
    groups: dict[int | None, Group] = {}

    def position(it: ItemScore):
        ind = _indicator_of(it)
        parent = parents.get(ind.parent_id) if ind.parent_id else ind
        return (parent.position if parent else 0, it.plan_item_id is not None, ind.position, it.pk)

    for it in sorted(items, key=position):
        ind = _indicator_of(it)
        parent = parents.get(ind.parent_id) if ind.parent_id else (ind if it.plan_item_id else None)
        key = parent.pk if parent else None
        if key not in groups:
            groups[key] = Group(title=parent.title if parent else "", code=parent.code if parent else "")
        groups[key].items.append(it)
    return list(groups.values())


def may_self_assess_any(*, user: User) -> set[int]:
    """Ids of the units the user self-assesses (their own units). One query."""
    return set(
        Role.objects.current()
        .filter(user=user, kind__in=SELF_ROLES)
        .values_list("organization_id", flat=True)
    )


@dataclass
class Reminder:
    text: str
    url_name: str
    pk: int
    due_on: datetime.date | None


def reminders_for(*, user: User, cycle: AssessmentCycle | None, today: datetime.date) -> list[Reminder]:
    """What the user should do in the cycle now (shown on the cycle's page; derived from the state, so it is
    never stale): self-assessments to submit, reviews to do, verifications to do. Two queries."""
    if cycle is None or cycle.opened_on is None or cycle.published_on is not None:
        return []
    own = may_self_assess_any(user=user)
    reminders = []
    managed = organizations_with_permission(user=user, codename=MANAGE_UNITS)
    rows = Assessment.objects.filter(cycle=cycle).filter(
        organization__in=managed.values("pk")
    ) | Assessment.objects.filter(cycle=cycle, organization__in=own)
    for a in rows.select_related("organization").order_by("organization__path"):
        if a.organization_id in own and a.status == Assessment.Status.DRAFT and today <= cycle.self_closes_on:
            reminders.append(
                Reminder(
                    _("Submit the self-assessment of %(unit)s") % {"unit": a.organization.display_name},
                    "cycle:assessment",
                    a.pk,
                    cycle.self_closes_on,
                )
            )
        elif (
            a.organization_id not in own
            and a.status == Assessment.Status.SUBMITTED
            and today <= cycle.review_closes_on
        ):
            reminders.append(
                Reminder(
                    _("Review the self-assessment of %(unit)s") % {"unit": a.organization.display_name},
                    "cycle:assessment",
                    a.pk,
                    cycle.review_closes_on,
                )
            )
    if may_verify(user=user, cycle=cycle):
        waiting = sum(
            1 for _a in Assessment.objects.filter(cycle=cycle, status=Assessment.Status.REVIEWED).only("pk")
        )
        if waiting:
            reminders.append(
                Reminder(
                    _("%(n)d reviewed assessments to verify") % {"n": waiting},
                    "cycle:progress",
                    cycle.year,
                    cycle.verification_closes_on,
                )
            )
    return reminders


@dataclass
class Results:
    committees: list[Assessment]
    branches: list[Assessment]
    distribution: dict[str, dict[str, int]]  # programme → grade → count
    shortlist: list[Assessment]


def cycle_results(*, cycle: AssessmentCycle) -> Results:
    """The published ranking tables, the star distribution per programme and the 七一 shortlist (five-star
    branches, best first). One query."""
    rows = list(
        Assessment.objects.filter(cycle=cycle)
        .select_related("organization")
        .order_by("rank_overall", "organization__path")
    )
    committees = [a for a in rows if a.organization.kind != Organization.Kind.BRANCH]
    branches = [a for a in rows if a.organization.kind == Organization.Kind.BRANCH]
    counts = Counter((a.programme, a.grade) for a in rows)
    from assessments.models import Programme

    distribution = {
        str(Programme(p).label): {str(Grade(g).label): counts.get((p, g), 0) for g in Grade.values}
        for p in Programme.values
    }
    shortlist = [a for a in branches if a.grade == Grade.FIVE_STARS]
    return Results(committees=committees, branches=branches, distribution=distribution, shortlist=shortlist)


def results_chart(results: Results) -> dict:
    """The star distribution for ECharts (static/js/assessment.js), given to the page with json_script."""
    grades = [str(label) for label in Grade.labels]
    return {
        "grades": grades,
        "series": [{"name": p, "data": [by[g] for g in grades]} for p, by in results.distribution.items()],
    }


def committee_branches(*, cycle: AssessmentCycle, committee: Organization) -> list[Assessment]:
    """The assessments of the committee's branches, best rank first. One query."""
    return list(
        Assessment.objects.filter(
            cycle=cycle,
            organization__path__startswith=committee.path,
            organization__kind=Organization.Kind.BRANCH,
        )
        .select_related("organization")
        .order_by("rank_in_committee", "organization__path")
    )


def plan_items_for(*, organization: Organization, year: int) -> QuerySet[PlanItem]:
    """The unit's plan items of ``year`` with their indicators. One query."""
    return (
        PlanItem.objects.filter(organization=organization, indicator__table__year=year)
        .select_related("indicator")
        .order_by("indicator__position", "pk")
    )


def plans_awaiting(*, user: User) -> QuerySet[PlanItem]:
    """Plan items submitted by units below those the user manages (not their own unit). One query."""
    managed = organizations_with_permission(user=user, codename=MANAGE_UNITS)
    own = may_self_assess_any(user=user)
    return (
        PlanItem.objects.filter(status=PlanItem.Status.SUBMITTED, organization__in=managed)
        .exclude(organization__in=own)
        .select_related("organization", "indicator")
        .order_by("organization__path")
    )
