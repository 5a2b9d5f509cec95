"""The July-1 cycle's daily step (DESIGN §7) and its writes: a whole year walked day by day, a scheduler
down over July 1, idempotence, self-assessment → review → verification → publication, permissions."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Assessment, AssessmentCycle, Grade, ItemScore
from assessments.services import cycles_advance
from assessments.services.assessment import (
    ItemInput,
    assessment_cycles_advance,
    assessment_review,
    assessment_self_save,
    assessment_verify,
    cycle_create,
    cycle_publish,
)
from tests.assessment_fixtures import YEAR, cycle_cast, day  # noqa: F401

pytestmark = pytest.mark.django_db


def flags(cycle: AssessmentCycle) -> dict:
    cycle.refresh_from_db()
    return {
        f: getattr(cycle, f)
        for f in ("opened_on", "self_closed_on", "review_closed_on", "verification_closed_on", "published_on")
    }


def test_a_whole_year_day_by_day_does_each_phase_once_on_its_date(cycle_cast):
    c = cycle_cast
    done: dict[str, list[datetime.date]] = {}
    today = day(1, 1)
    while today.year == YEAR:
        # the whole daily step (meeting reminders, ratings and the cycle), as beat runs it
        for part, count in cycles_advance(today=today).get("assessments", {}).items():
            if count:
                done.setdefault(part, []).append(today)
        today += datetime.timedelta(days=1)
    assert done == {
        "opened": [day(6, 10)],
        "self_closed": [day(7, 2)],
        "reviewed": [day(7, 16)],
        "verified": [day(8, 1)],
        "published": [day(8, 1)],
    }
    assert flags(c.cycle) == {
        "opened_on": day(6, 10),
        "self_closed_on": day(7, 2),
        "review_closed_on": day(7, 16),
        "verification_closed_on": day(8, 1),
        "published_on": day(8, 1),
    }
    # the four assessed units: two committees (引航计划), a teacher and a student branch
    assert dict(Assessment.objects.values_list("organization__code", "programme")) == {
        "C1": "guide",
        "C2": "guide",
        "A": "ladder",
        "B": "chapter",
    }
    assert set(Assessment.objects.values_list("status", flat=True)) == {Assessment.Status.PUBLISHED}
    # nobody self-assessed: the deadline submitted the pre-filled drafts as they stood, marked late
    assert Assessment.objects.filter(late_submitted=True).count() == 4


def test_the_whole_daily_step_reports_the_cycle_part(cycle_cast):
    assert not any(cycles_advance(today=day(6, 9))["assessments"].values())
    assert cycles_advance(today=day(6, 10))["assessments"]["opened"] == 4
    assert not any(
        cycles_advance(today=day(6, 10))["assessments"].values()
    )  # a second run the same day: nothing


def test_a_scheduler_down_for_a_week_over_july_1_catches_up_once(cycle_cast):
    c = cycle_cast
    assessment_cycles_advance(today=day(6, 27))
    # down from 28 June to 4 July: the next run closes the self-assessment, once
    first = assessment_cycles_advance(today=day(7, 5))
    assert first["self_closed"] == 4 and first["reviewed"] == 0
    assert flags(c.cycle)["self_closed_on"] == day(7, 5)
    assert not any(assessment_cycles_advance(today=day(7, 5)).values())
    assert not any(assessment_cycles_advance(today=day(7, 6)).values())


def test_a_scheduler_down_for_the_whole_season_does_every_missed_phase_in_order(cycle_cast):
    c = cycle_cast
    assert not any(assessment_cycles_advance(today=day(6, 1)).values())
    counts = assessment_cycles_advance(today=day(8, 20))
    assert counts == {"opened": 4, "self_closed": 4, "reviewed": 4, "verified": 4, "published": 4}
    assert all(v == day(8, 20) for v in flags(c.cycle).values())
    assert not any(assessment_cycles_advance(today=day(8, 21)).values())
    assert (
        ItemScore.objects.filter(verified_points__isnull=False).count()
        == ItemScore.objects.filter(self_points__isnull=False).count()
    )


def test_the_command_runs_the_same_step(cycle_cast, capsys):
    call_command("advance_cycles", "--today", "2026-06-10")
    assert Assessment.objects.count() == 4


def test_measurable_items_are_prefilled_and_marked(cycle_cast):
    assessment_cycles_advance(today=day(6, 10))
    a = Assessment.objects.get(organization=cycle_cast.branch_a)
    meetings = a.items.get(indicator__code="2.1")
    assert meetings.prefilled and meetings.self_points == D(0)  # no meeting held: 0 of the periods ended
    assert "三会一课" in meetings.prefill_note
    posts = a.items.get(indicator__code="3.2")
    assert posts.prefilled and posts.self_points == D(0)
    assert not a.items.get(indicator__code="1.1").prefilled
    # one item per leaf indicator: 23 second-level items, no first-level one
    assert a.items.count() == 23
    assert not a.items.filter(indicator__parent__isnull=True).exists()


def _full_inputs(assessment, *, points=None):
    return {
        i.pk: ItemInput(points=(points or i.max_points) if i.kind != "veto" else None, evidence="台账")
        for i in assessment.items.select_related("indicator")
    }


def test_self_assessment_review_verification_and_publication(cycle_cast):
    c = cycle_cast
    assessment_cycles_advance(today=day(6, 10))
    a = Assessment.objects.get(organization=c.branch_a)
    inputs = _full_inputs(a)
    assessment_self_save(assessment=a, by=c.alice, inputs=inputs, today=day(6, 20))
    a.refresh_from_db()
    assert a.status == Assessment.Status.DRAFT and a.self_total == D(105)  # 100 basic + bonus 5 (cap)
    assessment_self_save(assessment=a, by=c.alice, inputs={}, submit=True, today=day(6, 20))
    a.refresh_from_db()
    assert a.status == Assessment.Status.SUBMITTED and a.grade == Grade.FIVE_STARS
    with pytest.raises(ValidationError):  # a double submit changes nothing
        assessment_self_save(assessment=a, by=c.alice, inputs={}, submit=True, today=day(6, 20))

    # the committee (officer: organizer of C1) reviews: a change needs a reason
    item = a.items.get(indicator__code="1.1")
    with pytest.raises(ValidationError) as refused:
        assessment_review(
            assessment=a, by=c.officer, inputs={item.pk: ItemInput(points="2")}, today=day(7, 3)
        )
    assert "reason" in str(refused.value) or "理由" in str(refused.value)
    assessment_review(
        assessment=a,
        by=c.officer,
        inputs={item.pk: ItemInput(points="2", reason="学习记录不全")},
        today=day(7, 3),
    )
    a.refresh_from_db()
    assert a.status == Assessment.Status.REVIEWED and a.review_total == D(102) and a.rank_in_committee == 1
    item.refresh_from_db()
    assert item.reviewed_points == D(2) and item.history.count() >= 3  # pre-filled/created, self, reviewed

    with pytest.raises(PermissionDenied):  # a committee cannot verify
        assessment_verify(assessment=a, by=c.officer, inputs={}, today=day(7, 20))
    veto = a.items.get(indicator__code="1.4")
    assessment_verify(
        assessment=a,
        by=c.zzb,
        inputs={veto.pk: ItemInput(failed=True, reason="核查发现问题")},
        today=day(7, 20),
    )
    a.refresh_from_db()
    assert (
        a.status == Assessment.Status.VERIFIED
        and a.verified_total == D(102)
        and a.grade == Grade.NOT_COMPLIANT
    )

    assessment_cycles_advance(today=day(8, 1))  # the rest are carried over; everything is published
    a.refresh_from_db()
    assert a.status == Assessment.Status.PUBLISHED and a.grade == Grade.NOT_COMPLIANT
    assert a.rank_overall == 2  # B (pre-filled zeros but no failed veto) ranks before a failed veto


def test_only_the_units_own_secretary_self_assesses(cycle_cast):
    c = cycle_cast
    assessment_cycles_advance(today=day(6, 10))
    a = Assessment.objects.get(organization=c.branch_a)
    for outsider in (c.charlie, c.bob, c.officer, c.zzb):
        with pytest.raises(PermissionDenied):
            assessment_self_save(assessment=a, by=outsider, inputs={}, today=day(6, 20))
    assessment_self_save(assessment=a, by=c.alice, inputs=_full_inputs(a), submit=True, today=day(6, 20))
    for outsider in (c.charlie, c.alice, c.bob):  # only C1 (or a unit above it) reviews A
        with pytest.raises(PermissionDenied):
            assessment_review(assessment=a, by=outsider, inputs={}, today=day(7, 3))
    assessment_review(assessment=a, by=c.zzb, inputs={}, today=day(7, 3))  # 组织部 holds on the whole tree


def test_bad_points_and_a_closed_window_are_refused_and_lose_nothing(cycle_cast):
    c = cycle_cast
    assessment_cycles_advance(today=day(6, 10))
    a = Assessment.objects.get(organization=c.branch_a)
    item = a.items.get(indicator__code="1.1")
    with pytest.raises(ValidationError):
        assessment_self_save(
            assessment=a, by=c.alice, inputs={item.pk: ItemInput(points="6")}, today=day(6, 20)
        )
    with pytest.raises(ValidationError):
        assessment_self_save(
            assessment=a, by=c.alice, inputs={item.pk: ItemInput(points="abc")}, today=day(6, 20)
        )
    with pytest.raises(ValidationError):
        assessment_self_save(
            assessment=a, by=c.alice, inputs={item.pk: ItemInput(points="3")}, today=day(7, 2)
        )
    item.refresh_from_db()
    assert item.self_points is None
    with pytest.raises(ValidationError):  # submitting with unscored items
        assessment_self_save(assessment=a, by=c.alice, inputs={}, submit=True, today=day(6, 20))


def test_ranks_within_the_committee_share_ties(cycle_cast):
    from tests.factories import make_org

    c = cycle_cast
    a2 = make_org(c.c1, "branch", "计算机学院教工第二党支部", code="A2", category="teacher")
    assessment_cycles_advance(today=day(6, 10))
    for unit in (c.branch_a, a2):
        a = Assessment.objects.get(organization=unit)
        ItemScore.objects.filter(assessment=a).update(self_points=D(4))
    assessment_cycles_advance(today=day(8, 1))
    ranks = dict(
        Assessment.objects.filter(organization__kind="branch").values_list(
            "organization__code", "rank_in_committee"
        )
    )
    assert ranks == {"A": 1, "A2": 1, "B": 1}
    overall = dict(
        Assessment.objects.filter(organization__kind="branch").values_list(
            "organization__code", "rank_overall"
        )
    )
    assert overall["A"] == overall["A2"] == 1 and overall["B"] == 3


def test_publishing_early_needs_every_assessment_verified(cycle_cast):
    c = cycle_cast
    assessment_cycles_advance(today=day(6, 10))
    with pytest.raises(ValidationError):
        cycle_publish(cycle=c.cycle, by=c.zzb)
    with pytest.raises(PermissionDenied):
        cycle_publish(cycle=c.cycle, by=c.officer)


def test_cycle_dates_must_be_in_order(cycle_cast):
    with pytest.raises(ValidationError):
        cycle_create(root=cycle_cast.university, year=2027, self_closes_on=datetime.date(2027, 6, 1))
    with pytest.raises(ValidationError):
        cycle_create(root=cycle_cast.university, year=YEAR)


def test_measures_come_from_the_minutes_and_posts(cycle_cast):
    """三会一课 completion counts the periods ended before the window opens; timeliness the filed records."""
    from django.utils import timezone as tz

    from disclosure.models import Meeting

    c = cycle_cast
    aware = tz.get_current_timezone()

    def meeting(month, kind, *, late=False, status=Meeting.Status.APPROVED):
        return Meeting.objects.create(
            organization=c.branch_a,
            kind=kind,
            status=status,
            is_late=late,
            held_at=datetime.datetime(YEAR, month, 10, 15, tzinfo=aware),
        )

    for month in range(1, 6):  # the monthly 主题党日 held January–May, one of them filed late
        meeting(month, Meeting.Kind.THEME_DAY, late=month == 3)
    meeting(2, Meeting.Kind.GENERAL_ASSEMBLY, status=Meeting.Status.SUBMITTED)  # filed, not yet approved
    assessment_cycles_advance(today=day(6, 10))
    a = Assessment.objects.get(organization=c.branch_a)
    timeliness = a.items.get(indicator__code="3.1")
    assert timeliness.prefilled and "5" in timeliness.prefill_note and "6" in timeliness.prefill_note
    assert timeliness.self_points == D("4.2")  # 5 of 6 on time × 5 points, half-up to one decimal
    meetings = a.items.get(indicator__code="2.1")
    # periods ended by 10 June: five months of 主题党日, Q1 of 党员大会 and of 党课 (approved records only):
    # 5 of 7 done × 8 points
    assert meetings.self_points == D("5.7") and "5" in meetings.prefill_note and "7" in meetings.prefill_note
    # 引航计划 scores what the committee does itself (issue 18): its own 民主生活会, none held, not its
    # branches' filing
    committee = Assessment.objects.get(organization=c.c1).items.get(indicator__code="3.1")
    assert (
        committee.prefilled
        and committee.self_points == D(0)
        and committee.indicator.source == "democratic_life"
    )


def test_the_cycle_puts_its_work_on_the_to_do_lists_and_takes_it_off_when_done(cycle_cast):
    """Self-assessments to submit (the unit's secretaries), reviews (the committee above), verification (组织部)."""
    from assessments.models import Assessment
    from disclosure.models import Todo

    c = cycle_cast
    cycle = c.cycle
    cycles_advance(today=cycle.self_opens_on)

    def open_for(user):
        return {t.key: t for t in Todo.objects.open().filter(user=user, kind=Todo.Kind.ASSESSMENT)}

    mine = open_for(c.alice)
    a = Assessment.objects.get(cycle=cycle, organization=c.branch_a)
    assert list(mine) == [f"assessment:{a.pk}:self"]
    assert mine[f"assessment:{a.pk}:self"].link == reverse("cycle:assessment", args=[a.pk])
    assert mine[f"assessment:{a.pk}:self"].due_on == cycle.self_closes_on
    assert not open_for(c.bob) and f"assessment:{a.pk}:self" not in open_for(c.charlie)
    assert cycles_advance(today=cycle.self_opens_on)["assessment_todos"] == {"created": 0, "closed": 0}

    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.SUBMITTED)
    cycles_advance(today=cycle.self_opens_on + datetime.timedelta(days=1))
    assert f"assessment:{a.pk}:self" not in open_for(c.alice)  # submitted: hers is done
    assert f"assessment:{a.pk}:review" in open_for(c.officer)  # C1's organizer reviews it
    assert f"assessment:{a.pk}:review" not in open_for(c.charlie)

    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.REVIEWED)
    cycles_advance(today=cycle.self_opens_on + datetime.timedelta(days=2))
    assert f"assessment:{a.pk}:review" not in open_for(c.officer)
    assert f"assessment-verify:{cycle.pk}" in open_for(c.zzb)  # the 组织部 verifies
