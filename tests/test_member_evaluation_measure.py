"""民主评议党员 in the assessment figures (issue 19): the indicator source "member evaluation completed and
approved" — a branch full or nothing, a committee by the share of its branches — and its label in the xlsx."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from assessments.models import Indicator, IndicatorTable
from assessments.models.evaluation import MemberEvaluation
from assessments.services import evaluation as services
from assessments.services import programme_measures
from assessments.services.targets import SOURCE_LABELS
from tests.factories import MemberFactory

YEAR = 2027
S = Indicator.Source


def _cycle(cast):
    return SimpleNamespace(year=YEAR, self_opens_on=datetime.date(YEAR, 6, 1), root=cast.university)


def _indicator(points=4):
    table = IndicatorTable.objects.create(year=YEAR, programme="ladder", title="t")
    return Indicator.objects.create(
        table=table, code="2.3", title="民主评议", max_points=points, source=S.MEMBER_EVALUATION
    )


def _approved(branch, by, year):
    evaluation = services.evaluation_open(branch=branch, year=year, by=by, today=datetime.date(year, 12, 10))
    MemberEvaluation.objects.filter(pk=evaluation.pk).update(status=MemberEvaluation.Status.APPROVED)
    return evaluation


@pytest.fixture(autouse=True)
def _english():
    # The evidence lines are asserted in their English source; an earlier test may leave Chinese active.
    with translation.override("en"):
        yield


def test_every_source_has_a_label():
    assert set(S.values) <= set(SOURCE_LABELS)


def test_branch_full_only_when_approved_and_committee_by_share(cast):
    _approved(cast.branch_a, cast.alice, YEAR - 1)
    # B's evaluation exists but is not approved: it does not count.
    MemberFactory(branch=cast.branch_b, category="student")
    services.evaluation_open(
        branch=cast.branch_b, year=YEAR - 1, by=cast.charlie, today=datetime.date(YEAR - 1, 12, 10)
    )
    indicator = _indicator()
    units = [cast.c1, cast.c2, cast.branch_a, cast.branch_b]
    m = programme_measures.collect(cycle=_cycle(cast), units=units, per_branch={})
    points, how = programme_measures.prefill(indicator, cast.branch_a, m)
    assert points == Decimal("4.0") and "approved" in how
    points, how = programme_measures.prefill(indicator, cast.branch_b, m)
    assert points == 0
    points, how = programme_measures.prefill(indicator, cast.c1, m)
    assert points == Decimal("4.0") and "1 of 1" in how
    points, how = programme_measures.prefill(indicator, cast.c2, m)
    assert points == 0 and "0 of 1" in how


def test_an_older_year_does_not_count(cast):
    _approved(cast.branch_a, cast.alice, YEAR - 3)
    m = programme_measures.collect(cycle=_cycle(cast), units=[cast.branch_a], per_branch={})
    points, _how = programme_measures.prefill(_indicator(), cast.branch_a, m)
    assert points == 0
