"""load_demo's 民主评议 to-dos and follow-ups (issue 19): this year's open evaluations ask their members with a
login (dy001 among them) to write the 个人自评 and vote; zb001's branch's members are told last year's grade was
approved; one 限期改正 ended as 已改正, approved. The demo is the session's (tests/conftest.py)."""

import pytest

from assessments.models.evaluation import EvaluationFollowUp, MemberEvaluation
from disclosure.models import Todo


@pytest.fixture
def db_demo(session_demo, db):
    return session_demo


def test_members_have_their_evaluation_todos(db_demo):
    year = db_demo.today.year
    dy001 = Todo.objects.open().filter(user__username="dy001", kind=Todo.Kind.EVALUATION)
    keys = set(dy001.values_list("key", flat=True))
    evaluation = (
        MemberEvaluation.objects.filter(branch__roles__user__username="zb001", year=year).distinct().get()
    )
    assert evaluation.status == MemberEvaluation.Status.OPEN
    assert f"evaluation:{evaluation.pk}:self" in keys  # nobody wrote a self-evaluation in the demo
    last = MemberEvaluation.objects.get(branch=evaluation.branch, year=year - 1)
    assert f"evaluation-grade:{last.pk}" in keys
    # every open evaluation's to-dos are what the state says: the daily step has nothing to change
    from assessments.services.evaluation_todos import evaluation_todos_advance

    assert evaluation_todos_advance(today=db_demo.today) == {"created": 0, "closed": 0}


def test_one_follow_up_corrected_and_approved(db_demo):
    [corrected] = EvaluationFollowUp.objects.filter(step=EvaluationFollowUp.Step.CORRECTED)
    assert corrected.status == EvaluationFollowUp.Status.APPROVED and corrected.corrected_on is not None
    rectify = corrected.entry.follow_ups.get(step=EvaluationFollowUp.Step.RECTIFY)
    assert rectify.status == EvaluationFollowUp.Status.APPROVED
    assert rectify.recorded_on <= corrected.corrected_on <= db_demo.today
    assert corrected.history.count() == 1


def test_last_years_participation_agrees_with_its_tallies_and_its_history_has_users(db_demo):
    """The reviewer's demo defect: "0名同志参加了测评" beside a 15-vote distribution, a history "已通过" by "—".
    Each full member's participation count is their tally's total; the history is opened and reported by the
    branch's secretary, approved by the unit above."""
    from assessments.models import BallotTally
    from assessments.selectors import evaluation as selectors

    last = (
        MemberEvaluation.objects.filter(branch__roles__user__username="zb001", year=db_demo.today.year - 1)
        .distinct()
        .get()
    )
    assert selectors.participants(evaluation=last) >= last.entries.count() - 1
    totals: dict[int, int] = {}
    for subject, count in BallotTally.objects.filter(box_id=last.box_id).values_list("subject", "count"):
        totals[subject] = totals.get(subject, 0) + count
    rows = [r for r in selectors.evaluation_rows(evaluation=last) if r.entry.graded]
    assert rows and all(r.raters == totals.get(r.entry.member_id, 0) > 0 for r in rows)
    from assessments.selectors.history import status_history

    history = status_history(last)
    assert [h.status for h in history] == ["open", "submitted", "approved"]
    assert history[0].user.username == "zb001" and history[1].user.username == "zb001"
    assert history[2].user is not None and history[2].user.pk == last.decided_by_id != last.opened_by_id
