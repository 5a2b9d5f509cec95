"""A 不合格's 限期改正 can end as 已改正 (issue 19): recorded with its day and a note, approved or returned by
the secondary committee like the disposal steps, the case closed after it, every step in the history."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from branches.dates import prose_date

from assessments.models.evaluation import EvaluationFollowUp, MemberEvaluation
from assessments.services import evaluation as services
from members.flags import member_flags
from tests.conftest import login
from tests.factories import MemberFactory

TODAY = datetime.date(2026, 12, 10)
YEAR = 2026
LATER = datetime.date(2027, 2, 1)  # within the 限期改正's deadline
F = EvaluationFollowUp


def _unqualified(cast):
    """Branch A's approved evaluation of three full members, bob graded 不合格, and his 限期改正 approved."""
    MemberFactory(branch=cast.branch_a)
    evaluation = services.evaluation_open(branch=cast.branch_a, year=YEAR, by=cast.alice, today=TODAY)
    services.vote_close(evaluation=evaluation, by=cast.alice)
    entries = list(evaluation.entries.order_by("pk"))
    bob = next(e for e in entries if e.member_id == cast.bob_member.pk)
    grades = {e.pk: ("qualified", "") for e in entries}
    grades[bob.pk] = ("unqualified", "长期不参加组织生活")
    services.grades_save(evaluation=evaluation, grades=grades, by=cast.alice, submit=True)
    services.evaluation_decide(evaluation=evaluation, by=cast.officer, approve=True)
    rectify = services.followup_record(
        entry=bob,
        step=F.Step.RECTIFY,
        note="限期三个月改正",
        by=cast.alice,
        today=TODAY,
        deadline=TODAY + datetime.timedelta(days=90),
    )
    return bob, rectify


def test_corrected_only_after_an_approved_rectify(cast):
    bob, rectify = _unqualified(cast)
    with pytest.raises(ValidationError):  # the 限期改正 awaits the committee
        services.followup_record(
            entry=bob, step=F.Step.CORRECTED, note="已改正", by=cast.alice, today=LATER, corrected_on=LATER
        )
    services.followup_decide(follow_up=rectify, by=cast.officer, approve=True)
    assert services.followup_next_steps(approved=[F.Step.RECTIFY]) == [F.Step.CORRECTED, F.Step.PERSUADE]
    step = services.followup_record(
        entry=bob,
        step=F.Step.CORRECTED,
        note="按时参加组织生活",
        by=cast.alice,
        today=LATER,
        corrected_on=LATER,
    )
    assert (step.status, step.corrected_on, step.deadline) == (F.Status.PROPOSED, LATER, None)


@pytest.mark.parametrize(
    "day,ok",
    [
        (TODAY - datetime.timedelta(days=1), False),  # before the 限期改正 was recorded
        (TODAY, True),  # the day it was recorded
        (LATER, True),  # today
        (LATER + datetime.timedelta(days=1), False),  # tomorrow
        (None, False),
    ],
)
def test_corrected_day_bounded(cast, day, ok):
    bob, rectify = _unqualified(cast)
    services.followup_decide(follow_up=rectify, by=cast.officer, approve=True)

    def record():
        return services.followup_record(
            entry=bob, step=F.Step.CORRECTED, note="已改正", by=cast.alice, today=LATER, corrected_on=day
        )

    if ok:
        assert record().corrected_on == day
    else:
        with pytest.raises(ValidationError):
            record()


def test_corrected_returned_then_approved_closes_the_case(cast):
    bob, rectify = _unqualified(cast)
    services.followup_decide(follow_up=rectify, by=cast.officer, approve=True)
    step = services.followup_record(
        entry=bob, step=F.Step.CORRECTED, note="已改正", by=cast.alice, today=LATER, corrected_on=LATER
    )
    with pytest.raises(ValidationError):  # a return needs its reason
        services.followup_decide(follow_up=step, by=cast.officer, approve=False, reason="")
    services.followup_decide(follow_up=step, by=cast.officer, approve=False, reason="请附组织生活记录")
    again = services.followup_record(
        entry=bob, step=F.Step.CORRECTED, note="附记录", by=cast.alice, today=LATER, corrected_on=LATER
    )
    services.followup_decide(follow_up=again, by=cast.officer, approve=True)
    for later in (F.Step.PERSUADE, F.Step.REMOVE, F.Step.CORRECTED):  # nothing after 已改正
        with pytest.raises(ValidationError):
            services.followup_record(
                entry=bob, step=later, note="x", by=cast.alice, today=LATER, corrected_on=LATER
            )
    statuses = list(step.history.order_by("history_id").values_list("status", "return_reason"))
    assert statuses == [("proposed", ""), ("returned", "请附组织生活记录")]
    [flag] = member_flags([cast.bob_member.pk])[cast.bob_member.pk]
    assert prose_date(LATER) in str(flag.detail)


def test_persuade_still_follows_a_rectify_and_remove_follows_persuade(cast):
    bob, rectify = _unqualified(cast)
    services.followup_decide(follow_up=rectify, by=cast.officer, approve=True)
    persuade = services.followup_record(
        entry=bob, step=F.Step.PERSUADE, note="劝退", by=cast.alice, today=LATER
    )
    services.followup_decide(follow_up=persuade, by=cast.officer, approve=True)
    with pytest.raises(ValidationError):  # 已改正 follows the 限期改正, not the 劝退
        services.followup_record(
            entry=bob, step=F.Step.CORRECTED, note="x", by=cast.alice, today=LATER, corrected_on=LATER
        )
    assert services.followup_record(entry=bob, step=F.Step.REMOVE, note="除名", by=cast.alice, today=LATER)


@time_machine.travel(datetime.datetime(2027, 2, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_corrected_recorded_and_shown_on_the_page(cast):
    bob, rectify = _unqualified(cast)
    services.followup_decide(follow_up=rectify, by=cast.officer, approve=True)
    evaluation = MemberEvaluation.objects.get()
    client = login(cast.alice)
    response = client.post(
        reverse("evaluation:followup_new", args=[bob.pk]),
        {"step": "corrected", "note": "已改正", "corrected_on": LATER.isoformat()},
    )
    assert response.status_code == 302
    step = F.objects.get(step=F.Step.CORRECTED)
    assert step.corrected_on == LATER
    page = client.get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    assert "已改正" in page and prose_date(LATER) in page
    # a date that is not one is refused with the message, nothing recorded
    step.delete()
    client.post(
        reverse("evaluation:followup_new", args=[bob.pk]),
        {"step": "corrected", "note": "x", "corrected_on": "2027-02-30"},
    )
    assert not F.objects.filter(step=F.Step.CORRECTED).exists()
