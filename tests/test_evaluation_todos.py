"""民主评议党员's to-dos (issue 19): each member is asked to write their 个人自评 and cast the 测评 while the
evaluation is open (done when they did, or when it closes), and is told — alone — that their grade is approved,
through the to-do layer and its notification source."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from assessments.models.evaluation import MemberEvaluation
from assessments.services import evaluation as services
from assessments.services.cycles import cycles_advance
from assessments.services.evaluation_todos import evaluation_todos_advance
from disclosure.models import Todo
from members.models import Member
from notifications.sources import source
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory

TODAY = datetime.date(2026, 12, 10)
PINNED = datetime.datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
YEAR = 2026
K = Todo.Kind.EVALUATION


def _open_keys(user) -> set[str]:
    return set(Todo.objects.open().filter(user=user, kind=K).values_list("key", flat=True))


def _evaluation(cast, *, probationary_user=None) -> MemberEvaluation:
    """Branch A: alice and bob (full, with logins), a third full member without a login, and optionally a
    probationary member with a login."""
    MemberFactory(branch=cast.branch_a)
    if probationary_user is not None:
        MemberFactory(
            branch=cast.branch_a, user=probationary_user, stage=Member.Stage.PROBATIONARY, full_on=None
        )
    return services.evaluation_open(branch=cast.branch_a, year=YEAR, by=cast.alice, today=TODAY)


def test_opening_asks_each_member_with_a_login(cast):
    probationer = UserFactory()
    evaluation = _evaluation(cast, probationary_user=probationer)
    pk = evaluation.pk
    both = {f"evaluation:{pk}:self", f"evaluation:{pk}:vote"}
    assert _open_keys(cast.bob) == both and _open_keys(cast.alice) == both
    assert _open_keys(probationer) == both  # takes part (grades the full members), is not graded
    assert not Todo.objects.filter(kind=K).exclude(user__in=[cast.alice, cast.bob, probationer]).exists()
    todo = Todo.objects.get(user=cast.bob, key=f"evaluation:{pk}:vote")
    assert todo.link == reverse("evaluation:vote", args=[pk]) and todo.organization_id == cast.branch_a.pk


def test_done_when_written_and_when_every_colleague_is_graded(cast):
    evaluation = _evaluation(cast)
    pk = evaluation.pk
    bob = services.entry_of(evaluation=evaluation, user=cast.bob)
    services.self_evaluation_save(entry=bob, text="认真学习，按时交纳党费", by=cast.bob)
    assert _open_keys(cast.bob) == {f"evaluation:{pk}:vote"}
    colleagues = list(services.vote_subjects(evaluation=evaluation, rater=bob))
    assert len(colleagues) == 2
    services.vote_cast(evaluation=evaluation, rater=bob, choices={colleagues[0].pk: "qualified"})
    assert _open_keys(cast.bob) == {f"evaluation:{pk}:vote"}  # one colleague still to grade
    services.vote_cast(evaluation=evaluation, rater=bob, choices={colleagues[1].pk: "excellent"})
    assert _open_keys(cast.bob) == set()
    assert _open_keys(cast.alice) == {f"evaluation:{pk}:self", f"evaluation:{pk}:vote"}  # alice's stay
    # the daily step derives the same from the state: nothing changes, and running it twice changes nothing
    assert evaluation_todos_advance(today=TODAY) == {"created": 0, "closed": 0}
    assert evaluation_todos_advance(today=TODAY) == {"created": 0, "closed": 0}


def test_closed_when_the_evaluation_closes(cast):
    evaluation = _evaluation(cast)
    services.vote_close(evaluation=evaluation, by=cast.alice)
    assert not Todo.objects.open().filter(kind=K).exists()
    assert Todo.objects.filter(kind=K).count() == 4  # kept, done


def test_daily_step_catches_up_and_leaves_other_evaluations_alone(cast):
    evaluation = _evaluation(cast)
    Todo.objects.filter(kind=K).delete()  # a change that missed its to-dos (rows written past the service)
    with time_machine.travel(PINNED, tick=False):
        results = cycles_advance(today=TODAY)
    assert results["evaluation_todos"] == {"created": 4, "closed": 0}
    # closed outside the service (a count written past it): the next run closes the to-dos
    MemberEvaluation.objects.filter(pk=evaluation.pk).update(status=MemberEvaluation.Status.COUNTED)
    assert evaluation_todos_advance(today=TODAY) == {"created": 0, "closed": 4}


def test_each_member_told_their_own_grade_and_only_they_see_it(cast):
    evaluation = _evaluation(cast)
    services.vote_close(evaluation=evaluation, by=cast.alice)
    entries = list(evaluation.entries.select_related("member"))
    grades = {e.pk: ("qualified", "") for e in entries}
    bob_entry = next(e for e in entries if e.member_id == cast.bob_member.pk)
    grades[bob_entry.pk] = ("basic", "组织生活参加不够")
    services.grades_save(evaluation=evaluation, grades=grades, by=cast.alice, submit=True)
    key = f"evaluation-grade:{evaluation.pk}"
    assert not Todo.objects.filter(key=key).exists()  # nothing before the committee approves
    services.evaluation_decide(evaluation=evaluation, by=cast.officer, approve=True)
    told = Todo.objects.filter(key=key)
    assert set(told.values_list("user_id", flat=True)) == {cast.alice.pk, cast.bob.pk}
    todo = told.get(user=cast.bob)
    assert "基本合格" not in todo.text and "Basically" not in todo.text  # mail and SMS carry no grade
    assert todo.link == reverse("evaluation:mine")
    # the notification source reports it to bob, and to no one else bob's
    dues = [d for d in source("evaluation").collect(TODAY) if d.key == f"todo:{key}"]
    assert {d.user_id for d in dues} == {cast.alice.pk, cast.bob.pk}
    with time_machine.travel(PINNED, tick=False):
        bob = login(cast.bob)
        page = bob.get(reverse("evaluation:mine")).content.decode()
    assert "基本合格" in page and "组织生活参加不够" in page
    assert not Todo.objects.open().filter(user=cast.bob, key=key).exists()  # seen
    assert Todo.objects.open().filter(user=cast.alice, key=key).exists()  # alice has not looked yet
    with time_machine.travel(PINNED, tick=False):
        alice_page = login(cast.alice).get(reverse("evaluation:mine")).content.decode()
    assert "基本合格" not in alice_page and "组织生活参加不够" not in alice_page  # not bob's grade


def test_returned_evaluation_tells_no_one(cast):
    evaluation = _evaluation(cast)
    services.vote_close(evaluation=evaluation, by=cast.alice)
    grades = {e.pk: ("qualified", "") for e in evaluation.entries.all()}
    services.grades_save(evaluation=evaluation, grades=grades, by=cast.alice, submit=True)
    services.evaluation_decide(evaluation=evaluation, by=cast.officer, approve=False, reason="请复核")
    assert not Todo.objects.filter(key__startswith="evaluation-grade:").exists()
