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
