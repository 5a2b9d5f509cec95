"""The July-1 cycle's demo step on the fixed cast's small tree: last year's cycle published, this year's
open around the load date, and clearing removes everything it made."""

import pytest
from django.utils import timezone

from assessments.demo_cycle import CycleDemo, cycle_demo_clear
from assessments.models import Assessment, AssessmentCycle, IndicatorTable, ItemScore
from members.demo import DemoBuilder

pytestmark = pytest.mark.django_db


def test_demo_cycles_load_and_clear(cast):
    today = timezone.localdate()
    counts = CycleDemo(DemoBuilder(seed=7, scale=1, today=today)).run()
    assert counts["last_year"] == 4 and counts["this_year"] == 4
    # One table a programme: 引航计划, 山梯, 华章, 砺效 and the retirees' light table (issue 18).
    assert IndicatorTable.objects.filter(year=today.year).count() == 5
    last = AssessmentCycle.objects.get(year=today.year - 1)
    assert last.published_on is not None
    assert not Assessment.objects.filter(cycle=last).exclude(status="published").exists()
    assert not Assessment.objects.filter(cycle=last, grade="").exists()
    current = AssessmentCycle.objects.get(year=today.year)
    assert current.self_opens_on < today < current.self_closes_on and current.opened_on == today
    assert current.published_on is None
    cycle_demo_clear()
    assert not AssessmentCycle.objects.exists() and not ItemScore.objects.exists()
    assert not IndicatorTable.objects.exists()
