"""Retiree branches onto their own light table (issue 18): before it existed they were assessed under the
admin staff's 砺效行动. A year's assessments opened that way are moved by ``retirees_move`` (run by the
``retirees_move`` command after upgrading): each draft the branch has not yet touched is re-opened under the
retiree table by the cycle's own ``assessments_open``, so its items and pre-filled measures are exactly those
of a new one. A draft with points the branch entered, or anything submitted, reviewed or published, keeps
the table it was scored under — a score is not silently re-based."""

from __future__ import annotations

from django.db import transaction

from assessments.models import Assessment, AssessmentCycle, IndicatorTable, ItemScore, Programme
from assessments.services.assessment import assessments_open
from assessments.services.targets import indicator_table_create
from branches.models import Organization


@transaction.atomic
def retirees_move(*, year: int) -> dict[str, int]:
    """Move ``year``'s untouched draft assessments of retiree branches to the retiree table (created with its
    standard items if the year has tables but not that one). Idempotent: a second run moves nothing."""
    retirees = Organization.objects.filter(
        kind=Organization.Kind.BRANCH, category=Organization.Category.RETIREE
    )
    stale = Assessment.objects.filter(cycle__year=year, organization__in=retirees).exclude(
        programme=Programme.RETIREE
    )
    result = {"table_created": 0, "moved": 0, "kept": 0}
    if not stale.exists():
        return result
    if not IndicatorTable.objects.filter(year=year, programme=Programme.RETIREE).exists():
        indicator_table_create(year=year, programme=Programme.RETIREE, by=None)
        result["table_created"] = 1
    # Points the branch typed itself (not the portal's pre-fill, not a veto's default) mean it has started.
    touched = set(
        ItemScore.objects.filter(
            assessment__in=stale,
            self_points__isnull=False,
            prefilled=False,
            indicator__kind__in=["required", "optional", "bonus"],
        ).values_list("assessment_id", flat=True)
    )
    touched |= set(
        ItemScore.objects.filter(
            assessment__in=stale, plan_item__isnull=False, self_points__isnull=False
        ).values_list("assessment_id", flat=True)
    )
    cycles: dict[int, set[int]] = {}
    for assessment in stale.select_for_update():
        if assessment.status != Assessment.Status.DRAFT or assessment.pk in touched:
            result["kept"] += 1
            continue
        cycles.setdefault(assessment.cycle_id, set()).add(assessment.organization_id)
        assessment.items.all().delete()
        assessment._change_reason = "moved to the retiree table"  # type: ignore[attr-defined]
        assessment.delete()  # one history row per assessment: who was moved is on record
        result["moved"] += 1
    for cycle in AssessmentCycle.objects.filter(pk__in=cycles):
        assessments_open(cycle=cycle, only=cycles[cycle.pk])
    return result
