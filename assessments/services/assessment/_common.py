"""What the parts of the July-1 cycle's writes share: the constants, who may do what, totals and ranks."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User

from assessments.models import Assessment, AssessmentCycle
from assessments.services import scoring
from branches.models import Organization, Role
from branches.selectors import MANAGE_UNITS, organization_permission_holds


ONE_DECIMAL = Decimal("0.1")
# bulk_update writes CASE WHEN lists whose cost grows with the square of the batch on SQLite: keep them short.
BULK_BATCH = 100
# A veto item's "points": 0 once a stage has looked at it (its failure is the *_failed flag), None before,
# so the step carries an untouched item's verdict over from the previous stage and keeps a decided one.
VETO_DECIDED = Decimal("0")
SELF_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER)


# --- permissions -----------------------------------------------------------------------------------------


def may_self_assess(*, user: User, organization: Organization) -> bool:
    """A current secretary, deputy or organizer of the unit itself (not of a unit above it)."""
    if not user.is_authenticated:
        return False
    return Role.objects.current().filter(user=user, organization=organization, kind__in=SELF_ROLES).exists()


def may_review(*, user: User, assessment: Assessment) -> bool:
    parent = Organization.objects.get_parent(assessment.organization)
    return parent is not None and organization_permission_holds(
        user=user, organization=parent, codename=MANAGE_UNITS
    )


def may_verify(*, user: User, cycle: AssessmentCycle) -> bool:
    return organization_permission_holds(user=user, organization=cycle.root, codename=MANAGE_UNITS)


# --- totals and ranks -----------------------------------------------------------------------------------


def _thresholds(cycle: AssessmentCycle) -> scoring.Thresholds:
    return scoring.Thresholds(cycle.compliant_from, cycle.four_stars_from, cycle.five_stars_from)


def _lines(items, stage: str) -> list[scoring.Line]:
    return [
        scoring.Line(
            kind=i.kind,
            max_points=i.max_points,
            points=getattr(i, f"{stage}_points"),
            failed=getattr(i, f"{stage}_failed"),
        )
        for i in items
    ]


def assessment_score(*, assessment: Assessment, items, stage: str) -> scoring.Score:
    """The ``stage`` (self / reviewed / verified) score of ``assessment`` from its ``items``."""
    return scoring.score(
        _lines(items, stage), bonus_cap=assessment.cycle.bonus_cap, thresholds=_thresholds(assessment.cycle)
    )


def cycle_rank(*, cycle: AssessmentCycle) -> int:
    """Rank every assessment of the cycle by its latest total: branches within their parent unit and across
    the university; committees among committees. Two queries."""
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("organization"))
    groups: dict[str, list[Assessment]] = {}
    levels: dict[bool, list[Assessment]] = {}
    for a in assessments:
        is_branch = a.organization.kind == Organization.Kind.BRANCH
        levels.setdefault(is_branch, []).append(a)
        if is_branch:
            groups.setdefault(a.organization.path[: -a.organization.steplen], []).append(a)
    for a in assessments:
        a.rank_in_committee = a.rank_overall = None
    for members in groups.values():
        ranks = scoring.rank([(a.pk, a.final_total, a.veto_failed) for a in members])
        for a in members:
            a.rank_in_committee = ranks.get(a.pk)
    for members in levels.values():
        ranks = scoring.rank([(a.pk, a.final_total, a.veto_failed) for a in members])
        for a in members:
            a.rank_overall = ranks.get(a.pk)
    Assessment.objects.bulk_update(assessments, ["rank_in_committee", "rank_overall"], batch_size=BULK_BATCH)
    return len(assessments)
