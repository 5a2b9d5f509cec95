"""民主评议党员 (issue 19): the rules at every boundary, the sealed vote, the committee's decision, the pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments.models import BallotTally, SealedBallot
from assessments.models.evaluation import EvaluationEntry, EvaluationFollowUp, MemberEvaluation
from assessments.selectors import evaluation as selectors
from assessments.services import evaluation as services
from assessments.services.evaluation import EvaluationRefused
from members.models import Member
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory

TODAY = datetime.date(2026, 12, 10)
YEAR = 2026
S = MemberEvaluation.Status


def _branch_with(cast, full: int, probationary: int = 0):
    """Branch A with ``full`` full members (alice and bob among them) and ``probationary`` others."""
    for _ in range(full - 2):
        MemberFactory(branch=cast.branch_a)
    for _ in range(probationary):
        MemberFactory(branch=cast.branch_a, stage=Member.Stage.PROBATIONARY, full_on=None)


def _open(cast, **kw):
    return services.evaluation_open(branch=cast.branch_a, year=YEAR, by=cast.alice, today=TODAY, **kw)


def _counted(cast, full: int, probationary: int = 0) -> MemberEvaluation:
    _branch_with(cast, full, probationary)
    evaluation = _open(cast)
    return services.vote_close(evaluation=evaluation, by=cast.alice)


def _grades(evaluation, excellent: int, extra: dict | None = None):
    graded = list(evaluation.entries.filter(graded=True).order_by("pk"))
    grades = {e.pk: ("excellent" if i < excellent else "qualified", "") for i, e in enumerate(graded)}
    grades.update(extra or {})
    return grades


def test_open_grades_full_members_only(cast):
    _branch_with(cast, 4, probationary=2)
    MemberFactory(branch=cast.branch_a, stage=Member.Stage.ACTIVIST, joined_on=None, full_on=None)
    evaluation = _open(cast)
    assert evaluation.entries.count() == 6  # the activist is no party member
    assert evaluation.entries.filter(graded=True).count() == 4
    assert evaluation.box.public_key and evaluation.box.wrapped_key and not evaluation.box.opened
    with pytest.raises(ValidationError):
        _open(cast)  # once per branch and year


def test_open_refused_outside_own_branch_and_year(cast):
    with pytest.raises(PermissionDenied):
        services.evaluation_open(branch=cast.branch_a, year=YEAR, by=cast.charlie, today=TODAY)
    with pytest.raises(ValidationError):
        services.evaluation_open(branch=cast.branch_a, year=YEAR + 1, by=cast.alice, today=TODAY)
    with pytest.raises(ValidationError):
        services.evaluation_open(branch=cast.c1, year=YEAR, by=cast.officer, today=TODAY)


def test_open_is_idempotent_with_its_key(cast):
    import uuid

    key = uuid.uuid4()
    assert _open(cast, request_key=key).pk == _open(cast, request_key=key).pk
    assert MemberEvaluation.objects.count() == 1


@pytest.mark.parametrize("full,cap", [(2, 0), (3, 1), (5, 1), (6, 2), (9, 3)])
def test_excellent_cap_exactly_a_third(cast, full, cap):
    evaluation = _counted(cast, full, probationary=2)  # probationary members are not counted
    services.grades_save(evaluation=evaluation, grades=_grades(evaluation, cap), by=cast.alice, submit=True)
    assert evaluation.entries.filter(grade="excellent").count() == cap


@pytest.mark.parametrize("full", [2, 3, 6, 9])
def test_excellent_a_third_plus_one_refused(cast, full):
    evaluation = _counted(cast, full, probationary=3)
    with pytest.raises(ValidationError) as caught:
        services.grades_save(evaluation=evaluation, grades=_grades(evaluation, full // 3 + 1), by=cast.alice)
    assert "优秀" in str(caught.value) or "Excellent" in str(caught.value)
    assert not evaluation.entries.exclude(grade="").exists()  # refused whole


def test_probationary_member_not_graded(cast):
    evaluation = _counted(cast, 3, probationary=1)
    probationary = evaluation.entries.get(graded=False)
    with pytest.raises(ValidationError):
        services.grades_save(
            evaluation=evaluation,
            grades=_grades(evaluation, 0, {probationary.pk: ("qualified", "")}),
            by=cast.alice,
        )


@pytest.mark.parametrize("grade", ["basic", "unqualified"])
def test_low_grades_need_a_reason(cast, grade):
    evaluation = _counted(cast, 3)
    target = evaluation.entries.filter(graded=True).first()
    with pytest.raises(ValidationError):
        services.grades_save(
            evaluation=evaluation, grades=_grades(evaluation, 0, {target.pk: (grade, "  ")}), by=cast.alice
        )
    services.grades_save(
        evaluation=evaluation,
        grades=_grades(evaluation, 0, {target.pk: (grade, "缺席组织生活")}),
        by=cast.alice,
        submit=True,
    )
    target.refresh_from_db()
    assert target.grade == grade and target.reason == "缺席组织生活"


def test_submit_needs_every_full_member_graded(cast):
    evaluation = _counted(cast, 3)
    grades = _grades(evaluation, 0)
    grades.pop(next(iter(grades)))
    services.grades_save(evaluation=evaluation, grades=grades, by=cast.alice)  # a draft may be partial
    with pytest.raises(ValidationError):
        services.grades_save(evaluation=evaluation, grades=grades, by=cast.alice, submit=True)


def test_vote_sealed_once_per_colleague_and_distribution_from_three(cast):
    _branch_with(cast, 5)
    evaluation = _open(cast)
    entries = list(evaluation.entries.select_related("member").order_by("pk"))
    subject = entries[0]
    for rater in entries[1:3]:
        services.vote_cast(evaluation=evaluation, rater=rater, choices={subject.pk: "excellent"})
    with pytest.raises(EvaluationRefused):
        services.vote_cast(evaluation=evaluation, rater=entries[1], choices={subject.pk: "qualified"})
    with pytest.raises(EvaluationRefused):
        services.vote_cast(
            evaluation=evaluation, rater=subject, choices={subject.pk: "excellent"}
        )  # not oneself
    # Sealed: no choice in clear while the vote runs.
    assert SealedBallot.objects.filter(box_id=evaluation.box_id).count() == 2
    assert not BallotTally.objects.exists()
    services.vote_close(evaluation=evaluation, by=cast.alice)
    evaluation.refresh_from_db()
    rows = {r.entry.pk: r for r in selectors.evaluation_rows(evaluation=evaluation)}
    assert rows[subject.pk].raters == 2
    assert rows[subject.pk].distribution is None  # two took part: below three, nothing shown
    assert not SealedBallot.objects.filter(box_id=evaluation.box_id).exists()


def test_distribution_shown_at_three(cast):
    _branch_with(cast, 4)
    evaluation = _open(cast)
    entries = list(evaluation.entries.order_by("pk"))
    subject = entries[0]
    for rater, grade in zip(entries[1:], ["excellent", "qualified", "qualified"]):
        services.vote_cast(evaluation=evaluation, rater=rater, choices={subject.pk: grade})
    services.vote_close(evaluation=evaluation, by=cast.alice)
    evaluation.refresh_from_db()
    row = next(r for r in selectors.evaluation_rows(evaluation=evaluation) if r.entry.pk == subject.pk)
    assert row.distribution == {"excellent": 1, "qualified": 2, "basic": 0, "unqualified": 0}


def test_vote_closed_after_count(cast):
    evaluation = _counted(cast, 3)
    a, b = list(evaluation.entries.order_by("pk"))[:2]
    with pytest.raises(EvaluationRefused):
        services.vote_cast(evaluation=evaluation, rater=a, choices={b.pk: "qualified"})


def test_a_vote_read_before_the_count_and_sent_after_it_is_refused_and_writes_nothing(cast):
    """The page read the evaluation open; the count ran before the vote was sent. The vote re-reads the
    evaluation under its lock: refused, and no ballot lands in the box that has been counted."""
    from assessments.models import SealedBallot
    from assessments.models.evaluation import EvaluationBallot

    _branch_with(cast, 3)
    evaluation = _open(cast)
    a, b = list(evaluation.entries.order_by("pk"))[:2]
    stale = MemberEvaluation.objects.get(pk=evaluation.pk)  # as the vote page read it: open
    services.vote_close(evaluation=evaluation, by=cast.alice)
    assert stale.status == S.OPEN
    with pytest.raises(EvaluationRefused):
        services.vote_cast(evaluation=stale, rater=a, choices={b.pk: "qualified"})
    assert not EvaluationBallot.objects.filter(evaluation=evaluation).exists()
    assert not SealedBallot.objects.filter(box_id=evaluation.box_id).exists()


def test_committee_approves_or_returns_with_reason(cast):
    evaluation = _counted(cast, 3)
    services.grades_save(evaluation=evaluation, grades=_grades(evaluation, 1), by=cast.alice, submit=True)
    with pytest.raises(PermissionDenied):  # the branch does not approve its own report
        services.evaluation_decide(evaluation=evaluation, by=cast.alice, approve=True)
    with pytest.raises(ValidationError):
        services.evaluation_decide(evaluation=evaluation, by=cast.officer, approve=False, reason=" ")
    services.evaluation_decide(evaluation=evaluation, by=cast.officer, approve=False, reason="优秀人选需再议")
    evaluation.refresh_from_db()
    assert evaluation.status == S.RETURNED and evaluation.return_reason == "优秀人选需再议"
    services.grades_save(evaluation=evaluation, grades=_grades(evaluation, 0), by=cast.alice, submit=True)
    services.evaluation_decide(evaluation=evaluation, by=cast.officer, approve=True)
    evaluation.refresh_from_db()
    assert evaluation.status == S.APPROVED
    assert [h.status for h in evaluation.history.order_by("history_id")][-3:] == [
        "submitted",
        "returned",
        "submitted",
    ] or evaluation.history.filter(status="returned").exists()
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.evaluation_decide(evaluation=evaluation, by=other, approve=True)


def test_unqualified_follow_up_steps_in_order(cast):
    evaluation = _counted(cast, 3)
    target = evaluation.entries.filter(graded=True).first()
    services.grades_save(
        evaluation=evaluation,
        grades=_grades(evaluation, 0, {target.pk: ("unqualified", "长期不参加组织生活")}),
        by=cast.alice,
        submit=True,
    )
    services.evaluation_decide(evaluation=evaluation, by=cast.officer, approve=True)
    with pytest.raises(ValidationError):  # not the first step
        services.followup_record(entry=target, step="persuade", note="劝退", by=cast.alice, today=TODAY)
    with pytest.raises(ValidationError):  # a deadline is needed, after today
        services.followup_record(
            entry=target, step="rectify", note="限期改正", by=cast.alice, today=TODAY, deadline=TODAY
        )
    step = services.followup_record(
        entry=target,
        step="rectify",
        note="限期三个月改正",
        by=cast.alice,
        today=TODAY,
        deadline=TODAY + datetime.timedelta(days=90),
    )
    with pytest.raises(ValidationError):  # the previous step awaits the committee
        services.followup_record(entry=target, step="persuade", note="劝退", by=cast.alice, today=TODAY)
    services.followup_decide(follow_up=step, by=cast.officer, approve=True)
    assert (
        services.followup_record(
            entry=target, step="persuade", note="经教育仍无转变", by=cast.alice, today=TODAY
        ).status
        == EvaluationFollowUp.Status.PROPOSED
    )
    qualified = evaluation.entries.filter(grade="qualified").first()
    with pytest.raises(ValidationError):
        services.followup_record(
            entry=qualified,
            step="rectify",
            note="x",
            by=cast.alice,
            today=TODAY,
            deadline=TODAY + datetime.timedelta(days=30),
        )


def test_grade_summary_flags_violations(cast):
    evaluation = _counted(cast, 3)
    services.grades_save(evaluation=evaluation, grades=_grades(evaluation, 1), by=cast.alice, submit=True)
    # A violation written past the service (an import, the admin) is what the block flags.
    EvaluationEntry.objects.filter(evaluation=evaluation, graded=True).update(grade="excellent")
    [row] = selectors.grade_summary(unit=cast.c1, year=YEAR)
    assert row["counts"] == [3, 0, 0, 0] and row["cap"] == 1 and row["violation"]


# --- pages ---------------------------------------------------------------------------------------------


def test_secretary_pages_and_member_sees_own_grade(cast):
    evaluation = _counted(cast, 3)
    alice = login(cast.alice)
    page = alice.get(reverse("evaluation:detail", args=[evaluation.pk]))
    assert page.status_code == 200
    bob_entry = evaluation.entries.get(member=cast.bob_member)
    grades = _grades(evaluation, 0, {bob_entry.pk: ("basic", "党费迟交")})
    data = {"action": "submit"}
    for pk, (grade, reason) in grades.items():
        data[f"grade-{pk}"] = grade
        data[f"reason-{pk}"] = reason
    assert alice.post(reverse("evaluation:grades", args=[evaluation.pk]), data).status_code == 302
    services.evaluation_decide(evaluation=evaluation, by=cast.officer, approve=True)
    mine = login(cast.bob).get(reverse("evaluation:mine"))
    assert "基本合格" in mine.content.decode() and "党费迟交" in mine.content.decode()
    assert login(cast.charlie).get(reverse("evaluation:detail", args=[evaluation.pk])).status_code == 404
    xlsx = alice.get(reverse("evaluation:summary_xlsx", args=[evaluation.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    assert "民主评议" in alice.get(reverse("evaluation:summary", args=[evaluation.pk])).content.decode()


def test_member_votes_on_the_page(cast):
    _branch_with(cast, 3)
    evaluation = _open(cast)
    bob = login(cast.bob)
    page = bob.get(reverse("evaluation:vote", args=[evaluation.pk]))
    assert page.status_code == 200
    colleagues = list(evaluation.entries.exclude(member=cast.bob_member).filter(graded=True))
    data = {"self_text": "按时参加三会一课", **{f"g-{e.pk}": "qualified" for e in colleagues}}
    assert bob.post(reverse("evaluation:vote", args=[evaluation.pk]), data).status_code == 302
    assert selectors.participants(evaluation=evaluation) == 1
    again = bob.post(reverse("evaluation:vote", args=[evaluation.pk]), data)
    assert again.status_code == 200 and "已" in again.content.decode()
    assert SealedBallot.objects.filter(box_id=evaluation.box_id).count() == len(colleagues)


def test_detail_query_count_pinned(cast, django_assert_num_queries):
    evaluation = _counted(cast, 8)
    alice = login(cast.alice)
    alice.get(reverse("evaluation:detail", args=[evaluation.pk]))
    # session, user, the evaluation with branch and box, the permission to run it, the permission above,
    # entries, their follow-ups, participation counts, tallies, the year's record (attendance, dues,
    # development duties: 3), participants, the decision history with its users, the branch's ancestors for
    # the breadcrumb's links: the same for 8 members as for 80.
    with django_assert_num_queries(14):
        alice.get(reverse("evaluation:detail", args=[evaluation.pk]))


def test_dashboard_block_counts_grades_and_flags_the_quota(cast):
    from branches.figures import figures_compute

    evaluation = _counted(cast, 3)
    services.grades_save(evaluation=evaluation, grades=_grades(evaluation, 1), by=cast.alice, submit=True)
    data, _own = figures_compute(root=cast.university, today=TODAY)
    c1 = data[cast.c1.pk]["evaluation"]
    assert (
        c1["evaluations"],
        c1["full"],
        c1["grade_excellent"],
        c1["grade_qualified"],
        c1["over_quota"],
    ) == (1, 3, 1, 2, 0)
    EvaluationEntry.objects.filter(evaluation=evaluation, graded=True).update(grade="excellent")
    data, _own = figures_compute(root=cast.university, today=TODAY)
    assert data[cast.university.pk]["evaluation"]["over_quota"] == 1
    assert (
        cast.c2.pk not in data or "evaluation" not in data[cast.c2.pk] or not data[cast.c2.pk]["evaluation"]
    )


def test_dashboard_block_shows_last_years_approved_grades_while_this_years_run(cast):
    """In December this year's evaluation is still open (nothing graded): the block shows last year's approved
    grades, and says which year."""
    from branches.figures import figures_compute

    _branch_with(cast, 3)
    last = services.evaluation_open(branch=cast.branch_a, year=YEAR - 1, by=cast.alice, today=TODAY)
    last = services.vote_close(evaluation=last, by=cast.alice)
    services.grades_save(evaluation=last, grades=_grades(last, 1), by=cast.alice, submit=True)
    services.evaluation_decide(evaluation=last, by=cast.officer, approve=True)
    _open(cast)  # 2026: running, none graded
    data, _own = figures_compute(root=cast.university, today=TODAY)
    c1 = data[cast.c1.pk]["evaluation"]
    assert (c1["evaluation_year"], c1["approved"], c1["grade_excellent"], c1["grade_qualified"]) == (
        str(YEAR - 1),
        1,
        1,
        2,
    )


def test_a_member_who_leaves_drops_out_of_the_running_evaluation_not_the_approved_one(cast):
    """A death recorded during the vote: the roll, the ballot, the participation count and the ⌊⅓⌋ 优秀 cap no
    longer count them; last year's approved evaluation keeps their entry and grade."""
    from members.services.departures import member_depart

    _branch_with(cast, 6)
    last = services.evaluation_open(branch=cast.branch_a, year=YEAR - 1, by=cast.alice, today=TODAY)
    last = services.vote_close(evaluation=last, by=cast.alice)
    services.grades_save(evaluation=last, grades=_grades(last, 2), by=cast.alice, submit=True)
    services.evaluation_decide(evaluation=last, by=cast.officer, approve=True)
    evaluation = _open(cast)
    entries = list(evaluation.entries.select_related("member").order_by("pk"))
    leaving = next(e for e in entries if e.member.user_id not in (cast.alice.pk, cast.bob.pk))
    rater = next(e for e in entries if e.member.user_id == cast.alice.pk)
    services.vote_cast(evaluation=evaluation, rater=leaving, choices={rater.pk: "qualified"})
    assert selectors.participants(evaluation=evaluation) == 1
    member_depart(
        member=leaving.member, reason="died", left_on=TODAY, document="死亡证明", by=cast.alice, today=TODAY
    )
    rows = [r.entry.member_id for r in selectors.evaluation_rows(evaluation=evaluation)]
    assert leaving.member_id not in rows and len(rows) == 5
    assert leaving.pk not in [e.pk for e in services.vote_subjects(evaluation=evaluation, rater=rater)]
    assert selectors.participants(evaluation=evaluation) == 0
    counted = services.vote_close(evaluation=evaluation, by=cast.alice)
    with pytest.raises(ValidationError, match="5"):  # five full members: at most one 优秀, not two
        services.grades_save(evaluation=counted, grades=_grades(counted, 2), by=cast.alice)
    kept = EvaluationEntry.objects.get(evaluation=last, member=leaving.member)
    assert kept.graded and kept.grade


@pytest.fixture
def on_today():
    """The clock on TODAY, 10:00 in Beijing; asked for before ``cast`` so the cast is made on that day."""
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(
        datetime.datetime(2026, 12, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


def test_a_member_transferred_out_drops_out_of_the_running_evaluation(on_today, cast):
    """A transfer out of the university completed during the vote: they leave the roll and the ballot."""
    from members.services.transfers import transfer_complete, transfer_start

    _branch_with(cast, 4)
    evaluation = _open(cast)
    leaving = evaluation.entries.exclude(member__user_id__in=(cast.alice.pk, cast.bob.pk)).first()
    day = TODAY
    transfer = transfer_start(
        member=leaving.member,
        direction="out",
        letter_number="A1",
        issued_on=day,
        outside_unit="某市委组织部",
        by=cast.alice,
    )
    transfer_complete(transfer=transfer, completed_on=day, by=cast.alice)
    assert not evaluation.entries.filter(member=leaving.member).exists()
    assert evaluation.entries.count() == 3
