"""Opening the cycle's assessments: what the other apps measure of each unit, the pre-filled items."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, cast

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from assessments.models import Assessment, AssessmentCycle, Indicator, IndicatorTable, ItemScore, PlanItem
from assessments.models.targets import ASSESSED_KINDS, programme_for
from branches.models import Organization

from assessments.services.assessment._common import ONE_DECIMAL, VETO_DECIDED

if TYPE_CHECKING:  # for the annotation only: the functions below import programme_measures where they use it
    from assessments.services.programme_measures import CommitteeMeasures


# --- opening: assessments and their pre-filled items ---------------------------------------------------


def _ratio_points(maximum: Decimal, ratio: float) -> Decimal:
    return (Decimal(maximum) * Decimal(str(max(0.0, min(1.0, ratio))))).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass
class Measures:
    """What the other apps say about each unit, computed once for the whole tree when assessments open."""

    meetings: dict[int, tuple[int, int]]  # unit id → (periods done, periods ended) of 三会一课
    filed: dict[int, tuple[int, int]]  # unit id → (records filed, filed late)
    posts: dict[int, int]  # unit id → posts published in the year
    programme: CommitteeMeasures | None = None  # the 引航计划's and the guides' (issue 18)
    guide_evidence: dict | None = None  # (branch id, indicator code) → the guide actions it recorded


def measures_collect(*, cycle: AssessmentCycle, units: list[Organization]) -> Measures:
    """三会一课 completion (``disclosure.selectors.compliance``: four queries for the whole tree), minutes
    timeliness (the filed records and the late ones, as ``disclosure.selectors.filing_lag_summary`` counts
    them, but grouped per unit in one query instead of one query per unit) and published posts (one query).
    A committee's figures are its subtree's."""
    from disclosure.models import Meeting, Post
    from disclosure.selectors import compliance

    per_branch: dict[str, tuple[int, int]] = {}
    for entry in compliance(root=cycle.root, year=cycle.year, today=cycle.self_opens_on):
        done = sum(
            1
            for row in entry.rows
            for cell in row.cells
            if cell.state == "done" and cell.ends_on < cycle.self_opens_on
        )
        ended = sum(1 for row in entry.rows for cell in row.cells if cell.ends_on < cycle.self_opens_on)
        per_branch[entry.branch.path] = (done, ended)
    meetings, filed, posts = {}, {}, {}
    start = datetime.date(cycle.year, 1, 1)
    published = dict(
        Post.objects.published()
        .filter(
            organization__path__startswith=cycle.root.path,
            published_at__date__gte=start,
            published_at__date__lt=cycle.self_opens_on,
        )
        .values("organization__path")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organization__path", "n")
    )
    filings = {
        row[0]: (row[1], row[2])
        for row in (
            Meeting.objects.filed()
            .filter(organization__path__startswith=cycle.root.path, held_at__year=cycle.year)
            .values("organization__path")
            .annotate(filed=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
            .order_by()
            .values_list("organization__path", "filed", "late")
        )
    }
    for unit in units:
        inside = [v for path, v in per_branch.items() if path.startswith(unit.path)]
        if inside:
            meetings[unit.pk] = (sum(d for d, _e in inside), sum(e for _d, e in inside))
        below = [v for path, v in filings.items() if path.startswith(unit.path)]
        filed[unit.pk] = (sum(f for f, _l in below), sum(late for _f, late in below))
        posts[unit.pk] = sum(n for path, n in published.items() if path.startswith(unit.path))
    from assessments.services import programme_measures

    return Measures(
        meetings=meetings,
        filed=filed,
        posts=posts,
        programme=programme_measures.collect(cycle=cycle, units=units, per_branch=per_branch),
        guide_evidence=programme_measures.guide_evidence(cycle=cycle, units=units),
    )


def prefill(indicator: Indicator, unit: Organization, measures: Measures) -> tuple[Decimal, str] | None:
    """The points and how they were measured for a measurable ``indicator``, or None (not measurable)."""
    S = Indicator.Source
    if measures.programme is not None and indicator.source not in (S.NONE, S.MEETINGS, S.TIMELINESS, S.POSTS):
        from assessments.services import programme_measures

        return programme_measures.prefill(indicator, unit, measures.programme)
    if indicator.source == S.MEETINGS and unit.pk in measures.meetings:
        done, ended = measures.meetings[unit.pk]
        if ended:
            return _ratio_points(indicator.max_points, done / ended), _(
                "三会一课: %(done)d of %(ended)d periods held as required"
            ) % {"done": done, "ended": ended}
    if indicator.source == S.TIMELINESS:
        filed, late = measures.filed.get(unit.pk, (0, 0))
        if filed:
            return _ratio_points(indicator.max_points, (filed - late) / filed), _(
                "Minutes: %(on_time)d of %(filed)d filed on time"
            ) % {"on_time": filed - late, "filed": filed}
    if indicator.source == S.POSTS:
        n = measures.posts.get(unit.pk, 0)
        target = indicator.target_count or 1
        return _ratio_points(indicator.max_points, n / target), _(
            "%(n)d posts published (full points from %(target)d)"
        ) % {"n": n, "target": target}
    return None


def assessments_open(*, cycle: AssessmentCycle, only: set[int] | None = None) -> int:
    """Create the assessment of every active assessed unit of the cycle's university whose programme has a
    table this year, with one item per leaf indicator and per approved plan item, measurable items
    pre-filled. Units that already have one are skipped, so a second run creates nothing. ``only``: just
    those units (ids), for re-opening a few (services.retirees)."""
    tables = {t.programme: t for t in IndicatorTable.objects.filter(year=cycle.year)}
    indicators: dict[int, list[Indicator]] = {}
    for counted in Indicator.objects.filter(table__in=tables.values()).annotate(n=Count("children")):
        if counted.n == 0:  # leaves: second-level items, or a first-level item without any
            indicators.setdefault(counted.table_id, []).append(counted)
    done = set(Assessment.objects.filter(cycle=cycle).values_list("organization_id", flat=True))
    units = [
        u
        for u in Organization.objects.subtree_of(cycle.root)
        .filter(kind__in=ASSESSED_KINDS, is_active=True)
        .order_by("path")
        if u.pk not in done and programme_for(u) in tables and (only is None or u.pk in only)
    ]
    if not units:
        return 0

    def programme(unit: Organization) -> str:
        return cast(str, programme_for(unit))  # `units` holds only units whose programme has a table

    measures = measures_collect(cycle=cycle, units=units)
    plans: dict[int, list[PlanItem]] = {}
    for plan_item in PlanItem.objects.filter(
        status=PlanItem.Status.APPROVED, organization__in=units, indicator__table__year=cycle.year
    ):
        plans.setdefault(plan_item.organization_id, []).append(plan_item)
    assessments = [Assessment(cycle=cycle, organization=u, programme=programme(u)) for u in units]
    assessments = bulk_create_with_history(assessments, Assessment, default_change_reason="cycle opened")
    # bulk_create_with_history returns the objects with their ids on PostgreSQL and SQLite ≥ 3.35.
    by_unit = {a.organization_id: a for a in Assessment.objects.filter(cycle=cycle, organization__in=units)}
    items = []
    for unit in units:
        assessment = by_unit[unit.pk]
        for indicator in indicators.get(tables[programme(unit)].pk, []):
            item = ItemScore(assessment=assessment, indicator=indicator)
            if indicator.kind == Indicator.Kind.VETO:
                item.self_points = VETO_DECIDED  # not failed unless the unit or a reviewer says so
            measured = prefill(indicator, unit, measures)
            if measured is not None:
                item.self_points, item.prefill_note = measured
                item.prefilled = True
            # The annual guide's actions the branch recorded are evidence for their indicator (issue 18).
            item.evidence = (measures.guide_evidence or {}).get((unit.pk, indicator.code), "")
            items.append(item)
        items.extend(ItemScore(assessment=assessment, plan_item=p) for p in plans.get(unit.pk, []))
    bulk_create_with_history(items, ItemScore, batch_size=1000, default_change_reason="pre-filled")
    return len(units)
