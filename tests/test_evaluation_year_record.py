"""The year's record beside the grade (issue 19): on the grading page each full member shows the evaluation
year's 三会一课 attended / held, dues months paid, and open development duties — one bounded selector, the
same queries for a branch of 2 as of 12. And the page's decision history."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from assessments.selectors import evaluation as selectors
from assessments.services import evaluation as services
from disclosure.models import Attendance, Meeting
from members.models import DevelopmentCase, DevelopmentStep, DuesPayment, Member
from tests.conftest import login
from tests.factories import MemberFactory

TODAY = datetime.date(2026, 12, 10)
YEAR = 2026
ZONE = ZoneInfo("Asia/Shanghai")


def _meeting(branch, kind, when: datetime.datetime, status=Meeting.Status.APPROVED) -> Meeting:
    return Meeting.objects.create(organization=branch, kind=kind, status=status, held_at=when)


def _record_year(cast, members: list[Member]) -> None:
    """Each member: at three meetings of the year (present at two), one the year before and a draft; dues
    paid for 10 months of the year, 1 exempt, one paid the year after; the first a contact of an activist."""
    branch = cast.branch_a
    inside = [
        _meeting(branch, Meeting.Kind.GENERAL_ASSEMBLY, datetime.datetime(YEAR, 1, 1, 0, 30, tzinfo=ZONE)),
        _meeting(branch, Meeting.Kind.PARTY_LECTURE, datetime.datetime(YEAR, 6, 1, 15, tzinfo=ZONE)),
        _meeting(
            branch,
            Meeting.Kind.GROUP_MEETING,
            datetime.datetime(YEAR, 12, 31, 23, 30, tzinfo=ZONE),
            status=Meeting.Status.SUBMITTED,
        ),
    ]
    outside = [
        _meeting(
            branch, Meeting.Kind.GENERAL_ASSEMBLY, datetime.datetime(YEAR - 1, 12, 31, 23, 30, tzinfo=ZONE)
        ),
        _meeting(
            branch,
            Meeting.Kind.PARTY_LECTURE,
            datetime.datetime(YEAR, 3, 1, 15, tzinfo=ZONE),
            status=Meeting.Status.DRAFT,
        ),
        _meeting(
            branch, Meeting.Kind.THEME_DAY, datetime.datetime(YEAR, 4, 1, 15, tzinfo=ZONE)
        ),  # not 三会一课
    ]
    for member in members:
        for i, meeting in enumerate(inside):
            status = Attendance.Status.ABSENT if i == 0 else Attendance.Status.PRESENT
            Attendance.objects.create(meeting=meeting, member=member, status=status)
        for meeting in outside:
            Attendance.objects.create(meeting=meeting, member=member, status=Attendance.Status.PRESENT)
        for month in range(1, 11):
            DuesPayment.objects.create(
                member=member,
                branch=branch,
                month=datetime.date(YEAR, month, 1),
                status=DuesPayment.Status.PAID,
                amount=Decimal("10.00"),
            )
        DuesPayment.objects.create(
            member=member,
            branch=branch,
            month=datetime.date(YEAR, 11, 1),
            status=DuesPayment.Status.EXEMPT,
            amount=Decimal("0"),
            approval="计算机学院党委",
        )
        DuesPayment.objects.create(
            member=member,
            branch=branch,
            month=datetime.date(YEAR + 1, 1, 1),
            status=DuesPayment.Status.PAID,
            amount=Decimal("10.00"),
        )
    activist = MemberFactory(branch=branch, stage=Member.Stage.ACTIVIST, joined_on=None, full_on=None)
    case = DevelopmentCase.objects.create(member=activist)
    step = DevelopmentStep.objects.create(case=case, number=5, done_on=datetime.date(YEAR, 3, 1))
    step.people.add(members[0])
    closed = DevelopmentCase.objects.create(
        member=MemberFactory(branch=branch, stage=Member.Stage.ACTIVIST, joined_on=None, full_on=None),
        status=DevelopmentCase.Status.STOPPED,
    )
    DevelopmentStep.objects.create(case=closed, number=9, done_on=datetime.date(YEAR, 3, 1)).people.add(
        members[0]
    )


def _evaluation(cast, full: int):
    for _ in range(full - 2):
        MemberFactory(branch=cast.branch_a)
    MemberFactory(branch=cast.branch_a, stage=Member.Stage.PROBATIONARY, full_on=None)
    return services.evaluation_open(branch=cast.branch_a, year=YEAR, by=cast.alice, today=TODAY)


def test_year_record_counts_within_the_year(cast):
    members = [cast.bob_member, cast.alice_member]
    _record_year(cast, members)
    evaluation = _evaluation(cast, 2)
    records = selectors.year_records(evaluation=evaluation, member_ids=[m.pk for m in members])
    bob = records[cast.bob_member.pk]
    assert (bob.attended, bob.held) == (2, 3)  # the draft, the year before and the 主题党日 not counted
    assert (bob.dues_paid, bob.dues_exempt) == (10, 1)
    assert bob.duties == 1  # the stopped case is no duty
    alice = records[cast.alice_member.pk]
    assert alice.duties == 0 and (alice.attended, alice.held) == (2, 3)
    assert selectors.year_records(evaluation=evaluation, member_ids=[]) == {}


def test_year_record_on_the_grading_page_for_full_members_only(cast):
    _record_year(cast, [cast.bob_member])
    evaluation = _evaluation(cast, 3)
    services.vote_close(evaluation=evaluation, by=cast.alice)
    page = login(cast.alice).get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    assert f'data-year-record="{cast.bob_member.pk}"' in page
    assert "出席" in page and "1项" in page.replace(" ", "")  # bob's one open development duty
    assert f"{YEAR}年：三会一课" in page and "本年度：" not in page  # labelled by the evaluation's year
    probationary = evaluation.entries.get(graded=False)
    assert f'data-year-record="{probationary.member_id}"' not in page  # not graded: no record shown
    # the evaluation's history: opened, counted
    assert page.count("data-history-status=") == 2


@pytest.mark.parametrize("full", [2, 12])
def test_year_record_queries_do_not_grow_with_the_branch(cast, full, django_assert_num_queries):
    evaluation = _evaluation(cast, full)
    members = list(evaluation.entries.filter(graded=True).values_list("member_id", flat=True))
    _record_year(cast, list(Member.objects.filter(pk__in=members)))
    assert len(members) == full
    # attendance per member, dues per member, open development duties per member: 3 for 2 as for 12
    with django_assert_num_queries(3):
        records = selectors.year_records(evaluation=evaluation, member_ids=members)
    assert len(records) == full and all(r.held == 3 for r in records.values())


def test_detail_page_history_shows_who_returned_and_why(cast):
    evaluation = _evaluation(cast, 3)
    services.vote_close(evaluation=evaluation, by=cast.alice)
    grades = {e.pk: ("qualified", "") for e in evaluation.entries.filter(graded=True)}
    services.grades_save(evaluation=evaluation, grades=grades, by=cast.alice, submit=True)
    officer = login(cast.officer)
    officer.post(
        reverse("evaluation:decide", args=[evaluation.pk]), {"action": "return", "reason": "优秀人选需再议"}
    )
    page = login(cast.alice).get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    statuses = [s.split('"')[1] for s in page.split("data-history-status=")[1:]]
    assert statuses == ["open", "counted", "submitted", "returned"]
    assert "优秀人选需再议" in page.split('id="history-table"')[1]
    assert cast.officer.get_username() in page.split('id="history-table"')[1] or (
        cast.officer.get_full_name() and cast.officer.get_full_name() in page
    )
