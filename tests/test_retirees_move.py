"""Retiree branches assessed under 砺效行动 before their own light table existed (issue 18) move to it: an
untouched draft is re-opened under the retiree table by the cycle's own opening; a draft the branch has
scored, and anything submitted, keeps the table it was scored under. A second run moves nothing."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command

from assessments.models import Assessment, IndicatorTable, ItemScore, Programme
from assessments.services.retirees import retirees_move
from branches.models import Organization
from tests.assessment_fixtures import YEAR, cycle_cast  # noqa: F401  (fixture)
from tests.factories import make_org


def _legacy(cycle_cast, code: str, status: str = Assessment.Status.DRAFT, typed: bool = False) -> Assessment:
    """An assessment as the portal opened it before issue 18: the retiree branch under 砺效行动's table."""
    branch = make_org(
        cycle_cast.c1, Organization.Kind.BRANCH, f"离退休第{code}党支部", code=code, category="retiree"
    )
    assessment = Assessment.objects.create(
        cycle=cycle_cast.cycle, organization=branch, programme=Programme.EFFICIENCY, status=status
    )
    leaves = cycle_cast.tables["efficiency"].indicators.filter(children__isnull=True)
    ItemScore.objects.bulk_create(ItemScore(assessment=assessment, indicator=i) for i in leaves)
    if typed:
        ItemScore.objects.filter(assessment=assessment, indicator__code="1.1").update(
            self_points=Decimal("4")
        )
    return assessment


def test_an_untouched_draft_moves_to_the_retiree_table(cycle_cast):
    legacy = _legacy(cycle_cast, "R1")
    assert retirees_move(year=YEAR) == {"table_created": 0, "moved": 1, "kept": 0}
    moved = Assessment.objects.get(cycle=cycle_cast.cycle, organization=legacy.organization)
    assert moved.programme == Programme.RETIREE and moved.status == Assessment.Status.DRAFT
    tables = set(moved.items.values_list("indicator__table__programme", flat=True))
    assert tables == {Programme.RETIREE}
    assert (
        moved.items.count() == cycle_cast.tables["retiree"].indicators.filter(children__isnull=True).count()
    )
    assert Assessment.history.filter(id=legacy.pk, history_type="-").exists()  # the move is on record
    assert retirees_move(year=YEAR) == {"table_created": 0, "moved": 0, "kept": 0}  # idempotent


def test_a_scored_draft_and_a_submitted_one_keep_their_table(cycle_cast):
    typed = _legacy(cycle_cast, "R2", typed=True)
    submitted = _legacy(cycle_cast, "R3", status=Assessment.Status.SUBMITTED)
    assert retirees_move(year=YEAR) == {"table_created": 0, "moved": 0, "kept": 2}
    for kept in (typed, submitted):
        kept.refresh_from_db()
        assert kept.programme == Programme.EFFICIENCY


def test_the_retiree_table_is_created_when_the_year_lacks_it_and_no_other_unit_is_opened(cycle_cast):
    cycle_cast.tables["retiree"].delete()
    legacy = _legacy(cycle_cast, "R4")
    before = (
        Assessment.objects.filter(cycle=cycle_cast.cycle).exclude(organization=legacy.organization).count()
    )
    call_command("retirees_move", year=YEAR, stdout=io.StringIO())
    assert IndicatorTable.objects.filter(year=YEAR, programme=Programme.RETIREE).exists()
    assert Assessment.objects.get(organization=legacy.organization).programme == Programme.RETIREE
    # Only the moved unit is (re)opened: the other units' absence of assessments is not this command's business.
    assert (
        Assessment.objects.filter(cycle=cycle_cast.cycle).exclude(organization=legacy.organization).count()
        == before
    )
