"""A member graded 不合格 (issue 19): on their record with the follow-up (限期改正 and its deadline, the
committee's decision), and flagged beside their name in the lifecycle pages — only while their latest approved
evaluation says so."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from branches.dates import prose_date

from assessments.models.ballots import BallotBox
from assessments.models.evaluation import EvaluationEntry, EvaluationFollowUp, MemberEvaluation
from assessments.services.evaluation import followup_decide, followup_record
from members.flags import member_flags
from members.services.development import applicant_register
from tests.conftest import login

S = MemberEvaluation.Status
TODAY = datetime.date(2026, 3, 2)


def _entry(member, grade, *, year=2025, status=S.APPROVED, reason="多次无故不参加组织生活"):
    evaluation = MemberEvaluation.objects.filter(branch=member.branch, year=year).first()
    if evaluation is None:
        evaluation = MemberEvaluation.objects.create(
            branch=member.branch,
            year=year,
            opened_on=datetime.date(year, 12, 1),
            status=status,
            box=BallotBox.objects.create(custody=BallotBox.Custody.SERVER),
        )
    return EvaluationEntry.objects.create(
        evaluation=evaluation, member=member, graded=True, grade=grade, reason=reason
    )


def _codes(member) -> list[str]:
    return [f.code for f in member_flags([member.pk]).get(member.pk, [])]


def test_flag_only_for_unqualified_in_the_latest_approved(cast):
    bob = cast.bob_member
    assert _codes(bob) == []
    _entry(bob, "basic")  # 基本合格: no flag
    assert _codes(bob) == []
    EvaluationEntry.objects.filter(member=bob).update(grade="unqualified")
    assert _codes(bob) == ["evaluation-unqualified"]
    # a later evaluation graded him 合格: the flag goes
    _entry(bob, "qualified", year=2026)
    assert _codes(bob) == []


def test_unapproved_evaluation_does_not_flag(cast):
    _entry(cast.bob_member, "unqualified", status=S.SUBMITTED)
    assert _codes(cast.bob_member) == []


@translation.override("en")
def test_flag_says_the_follow_up(cast):
    entry = _entry(cast.bob_member, "unqualified")
    [flag] = member_flags([cast.bob_member.pk])[cast.bob_member.pk]
    assert "2025" in flag.label and "No follow-up" in flag.detail
    deadline = TODAY + datetime.timedelta(days=90)
    follow_up = followup_record(
        entry=entry, step="rectify", note="限期三个月改正", deadline=deadline, by=None, today=TODAY
    )
    [flag] = member_flags([cast.bob_member.pk])[cast.bob_member.pk]
    assert prose_date(deadline) in flag.detail and "Awaiting the committee" in flag.detail
    followup_decide(follow_up=follow_up, by=None, approve=True)
    [flag] = member_flags([cast.bob_member.pk])[cast.bob_member.pk]
    assert "Approved" in flag.detail


def test_flags_query_count(cast, django_assert_num_queries):
    members = [cast.alice_member, cast.bob_member]
    with django_assert_num_queries(0):  # no member, no query
        assert member_flags([]) == {}
    with django_assert_num_queries(1):  # the approved entries; nobody failing, no follow-up query
        assert member_flags([m.pk for m in members]) == {}
    for member in members:
        _entry(member, "unqualified")
    # the approved entries with their evaluations, the follow-ups of the failing ones — whatever their number
    with django_assert_num_queries(2):
        assert set(member_flags([m.pk for m in members])) == {m.pk for m in members}


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_development_pages_show_the_flag(cast, as_alice):
    case = applicant_register(
        branch=cast.branch_a,
        name="申请人",
        gender="F",
        birth_date=datetime.date(2000, 3, 1),
        category="student",
        applied_on=TODAY - datetime.timedelta(days=3),
        by=None,
    )
    listing = reverse("members:development", args=[cast.branch_a.pk])
    assert 'data-flag="evaluation-unqualified"' not in as_alice.get(listing).content.decode()
    _entry(case.member, "unqualified")
    html = as_alice.get(listing).content.decode()
    assert 'data-flag="evaluation-unqualified"' in html and "不合格" in html
    page = as_alice.get(reverse("members:development_case", args=[case.pk])).content.decode()
    assert 'data-flag="evaluation-unqualified"' in page and "尚未记录" in page


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_dues_and_transfers_show_the_flag(cast, as_alice):
    from members.services.transfers import transfer_start

    dues = reverse("members:dues", args=[cast.branch_a.pk])
    transfers = reverse("members:transfers", args=[cast.branch_a.pk])
    transfer_start(
        member=cast.bob_member,
        direction="within",
        letter_number="T1",
        issued_on=TODAY,
        to_branch=cast.branch_b,
        by=None,
    )
    assert 'data-flag="evaluation-unqualified"' not in as_alice.get(transfers).content.decode()
    _entry(cast.bob_member, "unqualified")
    for url in (dues, transfers):
        html = as_alice.get(url).content.decode()
        assert html.count('data-flag="evaluation-unqualified"') == 1 and "民主评议不合格" in html


@pytest.mark.parametrize("viewer", ["bob", "alice"])
def test_record_shows_the_grade_and_its_follow_up(cast, viewer):
    entry = _entry(cast.bob_member, "unqualified")
    deadline = TODAY + datetime.timedelta(days=90)
    follow_up = followup_record(
        entry=entry, step="rectify", note="限期三个月改正", deadline=deadline, by=None, today=TODAY
    )
    followup_decide(follow_up=follow_up, by=None, approve=True)
    client = login(getattr(cast, viewer))
    url = reverse("members:me") if viewer == "bob" else reverse("members:detail", args=[cast.bob_member.pk])
    html = client.get(url).content.decode()
    assert 'data-grade="unqualified"' in html and "多次无故不参加组织生活" in html
    assert 'data-follow-up="rectify"' in html and prose_date(deadline) in html
    assert "限期三个月改正" in html
    # the decision is in the follow-up's history
    assert EvaluationFollowUp.objects.get().history.count() == 2


def test_record_hidden_from_another_branch(cast):
    _entry(cast.bob_member, "unqualified")
    page = login(cast.charlie).get(reverse("members:detail", args=[cast.bob_member.pk]))
    assert 'data-grade="unqualified"' not in page.content.decode()
