"""Reads behind the assessment's Word documents (issue 21): a unit's assessment report, a committee's
考核评估总结 of its branches, and the 组织部's report to the university committee on the year's assessment.
Each loads what its document prints in a fixed number of queries, whatever the number of units."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from assessments.models import Assessment, AssessmentCycle, Grade, Indicator, ItemScore
from assessments.selectors.assessment import committee_branches
from branches.models import Organization

# Statuses whose grade is a grade: a draft has not been submitted, so its pre-filled points grade nothing.
GRADED = (
    Assessment.Status.SUBMITTED,
    Assessment.Status.REVIEWED,
    Assessment.Status.VERIFIED,
    Assessment.Status.PUBLISHED,
)


def grade_counts(assessments: list[Assessment]) -> dict[str, int]:
    """How many of ``assessments`` (the graded ones) hold each grade, every grade present (zeros too)."""
    counts = Counter(a.grade for a in assessments if a.status in GRADED and a.grade)
    return {grade: counts.get(grade, 0) for grade in Grade.values}


def average_total(assessments: list[Assessment]) -> Decimal | None:
    """The mean of the graded assessments' latest totals, to one decimal; None when none is graded."""
    totals = [a.final_total for a in assessments if a.status in GRADED and a.final_total is not None]
    if not totals:
        return None
    return (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def final_failed(item: ItemScore) -> bool:
    """Whether a veto item failed at its latest stage (verified, else reviewed, else the unit's own)."""
    if item.verified_points is not None:
        return item.verified_failed
    if item.reviewed_points is not None:
        return item.reviewed_failed
    return item.self_failed


def final_reason(item: ItemScore) -> str:
    """The reason given at the latest stage that changed the item."""
    return item.verify_reason or item.review_reason


def parent_of(unit: Organization) -> Organization | None:
    """The unit above ``unit`` (its reviewer). One query; none for the root."""
    if unit.depth <= 1:
        return None
    return Organization.objects.filter(path=unit.path[: -unit.steplen]).first()


@dataclass
class CommitteeSummary:
    committee: Organization
    own: Assessment | None  # the committee's own assessment, which holds its written summary
    rows: list[Assessment]  # its branches' assessments, best rank first
    counts: dict[str, int]
    average: Decimal | None
    vetoed: list[Assessment]


def committee_summary(*, cycle: AssessmentCycle, committee: Organization) -> CommitteeSummary:
    """A committee's branches' results of the cycle with their counts by grade. Two queries: the committee's
    own assessment, its branches' assessments."""
    own = Assessment.objects.filter(cycle=cycle, organization=committee).first()
    rows = committee_branches(cycle=cycle, committee=committee)
    return CommitteeSummary(
        committee=committee,
        own=own,
        rows=rows,
        counts=grade_counts(rows),
        average=average_total(rows),
        vetoed=[a for a in rows if a.status in GRADED and a.veto_failed],
    )


@dataclass
class CommitteeLine:
    """One secondary unit in the university's report: its own assessment and its branches' grades."""

    committee: Organization | None  # None: the branches directly under the university (直属党支部)
    own: Assessment | None
    branches: list[Assessment] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return grade_counts(self.branches)


@dataclass
class VetoLine:
    assessment: Assessment
    committee: Organization | None
    items: list[ItemScore]  # the veto items that failed, with their reasons


@dataclass
class UniversityReport:
    cycle: AssessmentCycle
    lines: list[CommitteeLine]
    branch_counts: dict[str, int]
    committee_counts: dict[str, int]
    branches: int
    committees: int
    five_stars: list[tuple[Assessment, Organization | None]]  # best first
    vetoes: list[VetoLine]


def university_report(*, cycle: AssessmentCycle) -> UniversityReport:
    """The year's results for the 组织部's report upward: per secondary unit its branches counted by grade,
    the five-star units, the units failing a veto item and which items. Three queries: the cycle's
    assessments with their units, the secondary units, the failed veto items."""
    root = cycle.root
    depth = root.depth + 1
    prefix_len = depth * Organization.steplen
    assessments = list(
        Assessment.objects.filter(cycle=cycle).select_related("organization").order_by("organization__path")
    )
    secondary = {
        o.path: o
        for o in Organization.objects.filter(
            path__startswith=root.path, depth=depth, kind__in=Organization.SECONDARY_KINDS
        ).order_by("path")
    }
    lines = {path: CommitteeLine(committee=unit, own=None) for path, unit in secondary.items()}
    direct = CommitteeLine(committee=None, own=None)

    def committee_of(unit: Organization) -> Organization | None:
        return secondary.get(unit.path[:prefix_len])

    branches, committees = [], []
    for a in assessments:
        unit = a.organization
        if unit.kind == Organization.Kind.BRANCH:
            branches.append(a)
            line = lines.get(unit.path[:prefix_len], direct)
            line.branches.append(a)
        elif unit.path in lines:
            committees.append(a)
            lines[unit.path].own = a
        else:
            committees.append(a)  # a general branch below a committee is assessed among the committees
    graded = [a for a in assessments if a.status in GRADED]
    five = sorted(
        (a for a in graded if a.grade == Grade.FIVE_STARS),
        key=lambda a: (-(a.final_total or 0), a.organization.path),
    )
    failed_items: dict[int, list[ItemScore]] = {}
    for item in (
        ItemScore.objects.filter(
            assessment__cycle=cycle, assessment__veto_failed=True, indicator__kind=Indicator.Kind.VETO
        )
        .select_related("indicator")
        .order_by("assessment_id", "indicator__position", "pk")
    ):
        if final_failed(item):
            failed_items.setdefault(item.assessment_id, []).append(item)
    vetoes = [
        VetoLine(
            assessment=a,
            committee=committee_of(a.organization)
            if a.organization.kind == Organization.Kind.BRANCH
            else None,
            items=failed_items.get(a.pk, []),
        )
        for a in graded
        if a.veto_failed
    ]
    return UniversityReport(
        cycle=cycle,
        lines=[*lines.values(), *([direct] if direct.branches else [])],
        branch_counts=grade_counts(branches),
        committee_counts=grade_counts(committees),
        branches=len(branches),
        committees=len(committees),
        five_stars=[
            (a, committee_of(a.organization) if a.organization.kind == Organization.Kind.BRANCH else None)
            for a in five
        ],
        vetoes=vetoes,
    )


def report_assessment_for(*, user, pk: int) -> Assessment | None:
    """The assessment whose report (page or document) ``user`` may read: a unit's own people and the units
    above it (``assessment_for``), and, once published, everyone who sees the cycle. One query, two when the
    first finds nothing."""
    from assessments.selectors.assessment import assessment_for, cycles_for

    found = assessment_for(user=user, pk=pk)
    if found is None:
        found = (
            Assessment.objects.filter(
                pk=pk, status=Assessment.Status.PUBLISHED, cycle__in=cycles_for(user=user)
            )
            .select_related("cycle", "cycle__root", "organization")
            .first()
        )
    return found
