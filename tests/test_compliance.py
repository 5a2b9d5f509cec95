"""disclosure.selectors.compliance: held vs required per branch, rule and period, against the rules in the
database, in four queries whatever the number of branches.

A fixed ``today`` (15 May of a past year) makes the states exact: a period that ended short is "missing",
the running one is "due", later ones are "future", and any period with enough meetings is "done".
"""

import datetime

import pytest
from django.utils import timezone

from branches.models import Organization
from disclosure.models import Meeting, MeetingRule
from disclosure.selectors import compliance
from members.models import Member
from tests.factories import MemberFactory, make_org

YEAR = 2025
TODAY = datetime.date(YEAR, 5, 15)  # May is running; Q2 is running; Q1 and January–April are over


def _at(year: int, month: int, day: int, hour: int = 15, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def _held(branch, kind, when: datetime.datetime, status=Meeting.Status.APPROVED) -> Meeting:
    return Meeting.objects.create(organization=branch, kind=kind, status=status, held_at=when, topics="学习")


def _entry(report, branch):
    return next(e for e in report if e.branch == branch)


def _row(report, branch, kind):
    return next((r for r in _entry(report, branch).rows if r.kind == kind), None)


def _states(row) -> list[str]:
    return [cell.state for cell in row.cells]


def _report(cast, **kwargs):
    return compliance(
        root=cast.university, year=kwargs.pop("year", YEAR), today=kwargs.pop("today", TODAY), **kwargs
    )


def _full_members(branch, n: int, **extra) -> None:
    for _ in range(n):
        MemberFactory(branch=branch, **extra)


# --- states at each granularity ------------------------------------------------------------------------


def test_monthly_states(cast):
    _held(cast.branch_a, Meeting.Kind.THEME_DAY, _at(YEAR, 1, 10))
    _held(cast.branch_a, Meeting.Kind.THEME_DAY, _at(YEAR, 3, 10))
    _held(cast.branch_a, Meeting.Kind.THEME_DAY, _at(YEAR, 7, 1))  # "held" ahead: a future month can be done

    row = _row(_report(cast), cast.branch_a, Meeting.Kind.THEME_DAY)

    assert row.period == "month" and [c.label for c in row.cells] == [str(m) for m in range(1, 13)]
    assert _states(row) == ["done", "missing", "done", "missing", "due", "future", "done"] + ["future"] * 5
    assert [c.held for c in row.cells][:3] == [1, 0, 1] and all(c.required == 1 for c in row.cells)
    assert (row.cells[4].first_month, row.cells[4].last_month) == (5, 5)


def test_quarterly_states(cast):
    _held(cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY, _at(YEAR, 2, 20))
    _held(cast.branch_b, Meeting.Kind.PARTY_LECTURE, _at(YEAR, 4, 2))

    report = _report(cast)

    assembly = _row(report, cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY)
    assert [c.label for c in assembly.cells] == ["Q1", "Q2", "Q3", "Q4"]
    assert _states(assembly) == ["done", "due", "future", "future"]
    assert [(c.first_month, c.last_month) for c in assembly.cells] == [(1, 3), (4, 6), (7, 9), (10, 12)]
    assert _states(_row(report, cast.branch_a, Meeting.Kind.PARTY_LECTURE)) == [
        "missing",
        "due",
        "future",
        "future",
    ]
    assert _states(_row(report, cast.branch_b, Meeting.Kind.PARTY_LECTURE)) == [
        "missing",
        "done",
        "future",
        "future",
    ]


def test_yearly_states(cast):
    _held(cast.branch_a, Meeting.Kind.ORGANIZATIONAL_LIFE, _at(YEAR, 1, 12))

    this_year = _report(cast)
    last_year = _report(cast, year=YEAR - 1)
    next_year = _report(cast, year=YEAR + 1)

    life = _row(this_year, cast.branch_a, Meeting.Kind.ORGANIZATIONAL_LIFE)
    assert [c.label for c in life.cells] == [str(YEAR)] and _states(life) == ["done"]
    assert _states(_row(this_year, cast.branch_a, Meeting.Kind.DEMOCRATIC_REVIEW)) == ["due"]
    assert _states(_row(last_year, cast.branch_a, Meeting.Kind.ORGANIZATIONAL_LIFE)) == ["missing"]
    assert _states(_row(next_year, cast.branch_a, Meeting.Kind.ORGANIZATIONAL_LIFE)) == ["future"]


def test_branch_summary_counts_and_behind(cast):
    _held(cast.branch_a, Meeting.Kind.THEME_DAY, _at(YEAR, 1, 10))
    entry = _entry(_report(cast), cast.branch_a)
    # Rows: 党员大会, 党课 (4 quarters), 主题党日 (12 months), 组织生活会, 民主评议 (1 year each) = 22 cells.
    assert (
        entry.done
        + entry.missing
        + entry.due
        + sum(1 for row in entry.rows for c in row.cells if c.state == "future")
        == 22
    )
    assert entry.done == 1
    assert entry.missing == 3 + 1 + 1  # Feb–Apr 主题党日, Q1 党员大会, Q1 党课
    assert entry.due == 1 + 1 + 1 + 1 + 1  # May 主题党日, Q2 ×2, the year ×2
    assert entry.behind


def test_periods_follow_beijing_time_not_utc(cast):
    # 00:30 on 1 April in Beijing is still 31 March in UTC: it counts for April and Q2.
    _held(cast.branch_a, Meeting.Kind.THEME_DAY, _at(YEAR, 4, 1, 0, 30))
    # 00:30 on 1 January in Beijing is still the previous year in UTC: it counts for this year's January.
    _held(cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY, _at(YEAR, 1, 1, 0, 30))
    report = _report(cast)
    assert [c.held for c in _row(report, cast.branch_a, Meeting.Kind.THEME_DAY).cells][2:4] == [0, 1]
    assert _row(report, cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY).cells[0].state == "done"
    last_year = _report(cast, year=YEAR - 1)
    assert _row(last_year, cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY).cells[3].held == 0


# --- frequencies are data ------------------------------------------------------------------------------


def test_changing_a_rule_in_the_database_changes_the_result(cast):
    _held(cast.branch_a, Meeting.Kind.THEME_DAY, _at(YEAR, 2, 10))
    _held(cast.branch_a, Meeting.Kind.THEME_DAY, _at(YEAR, 3, 10))
    assert _states(_row(_report(cast), cast.branch_a, Meeting.Kind.THEME_DAY))[:3] == [
        "missing",
        "done",
        "done",
    ]

    # The university decides 主题党日 are due twice a quarter.
    MeetingRule.objects.filter(kind=Meeting.Kind.THEME_DAY).update(period="quarter", times=2)
    row = _row(_report(cast), cast.branch_a, Meeting.Kind.THEME_DAY)
    assert row.period == "quarter" and _states(row) == ["done", "due", "future", "future"]
    assert row.cells[0].required == 2 and row.cells[0].held == 2

    # Three a quarter: the same two meetings no longer suffice.
    MeetingRule.objects.filter(kind=Meeting.Kind.THEME_DAY).update(times=3)
    assert _states(_row(_report(cast), cast.branch_a, Meeting.Kind.THEME_DAY))[0] == "missing"


def test_an_inactive_rule_is_not_required(cast):
    MeetingRule.objects.filter(kind=Meeting.Kind.PARTY_LECTURE).update(is_active=False)
    kinds = [r.kind for r in _entry(_report(cast), cast.branch_a).rows]
    assert Meeting.Kind.PARTY_LECTURE not in kinds
    assert kinds == [
        "general_assembly",
        "theme_day",
        "organizational_life",
        "democratic_review",
    ]  # in §2 order


def test_a_new_rule_row_is_required_at_once(cast):
    MeetingRule.objects.filter(kind=Meeting.Kind.PARTY_LECTURE).delete()
    assert _row(_report(cast), cast.branch_a, Meeting.Kind.PARTY_LECTURE) is None
    MeetingRule.objects.create(kind=Meeting.Kind.PARTY_LECTURE, period="year", times=2)
    row = _row(_report(cast), cast.branch_a, Meeting.Kind.PARTY_LECTURE)
    assert row.period == "year" and row.cells[0].required == 2


# --- which rows apply to which branch ------------------------------------------------------------------


def test_party_group_meetings_only_for_branches_with_groups(cast):
    make_org(cast.branch_a, Organization.Kind.GROUP, "第一党小组", code="A-G1", category="teacher")
    report = _report(cast)
    assert _row(report, cast.branch_a, Meeting.Kind.GROUP_MEETING) is not None
    assert _row(report, cast.branch_b, Meeting.Kind.GROUP_MEETING) is None
    # The rule's flag is data too: without it, every branch owes 党小组会.
    MeetingRule.objects.filter(kind=Meeting.Kind.GROUP_MEETING).update(only_with_groups=False)
    assert _row(_report(cast), cast.branch_b, Meeting.Kind.GROUP_MEETING) is not None


def test_branch_committee_meetings_only_with_seven_full_members(cast):
    _full_members(cast.branch_a, 5)  # alice and bob + 5 = 7 full members
    _full_members(cast.branch_b, 5)  # charlie + 5 = 6 full members …
    _full_members(
        cast.branch_b, 3, stage=Member.Stage.PROBATIONARY, full_on=None
    )  # … probationers don't count
    MemberFactory(branch=cast.branch_b, is_active=False)  # nor do members who left

    report = _report(cast)

    assert _row(report, cast.branch_a, Meeting.Kind.BRANCH_COMMITTEE) is not None
    assert _row(report, cast.branch_b, Meeting.Kind.BRANCH_COMMITTEE) is None
    MeetingRule.objects.filter(kind=Meeting.Kind.BRANCH_COMMITTEE).update(min_full_members=6)
    assert _row(_report(cast), cast.branch_b, Meeting.Kind.BRANCH_COMMITTEE) is not None


def test_only_active_branches_of_the_subtree(cast):
    outside = make_org(None, Organization.Kind.UNIVERSITY, "中共临江理工大学委员会", code="U2")
    make_org(outside, Organization.Kind.BRANCH, "直属党支部", code="U2-B", category="teacher")
    closed = make_org(cast.c1, Organization.Kind.BRANCH, "已撤销党支部", code="A2", category="teacher")
    Organization.objects.filter(pk=closed.pk).update(is_active=False)

    assert [e.branch for e in _report(cast)] == [cast.branch_a, cast.branch_b]
    assert [e.branch for e in compliance(root=cast.c1, year=YEAR, today=TODAY)] == [cast.branch_a]
    assert [e.branch for e in compliance(root=cast.branch_b, year=YEAR, today=TODAY)] == [cast.branch_b]


# --- which records count -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "counts_by_default", "counts_when_filed_counts"),
    [
        ("approved", True, True),
        ("submitted", False, True),
        ("returned", False, False),
        ("draft", False, False),
    ],
)
def test_only_approved_meetings_count_by_default(cast, status, counts_by_default, counts_when_filed_counts):
    _held(cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY, _at(YEAR, 2, 20), status=status)
    default = _row(_report(cast), cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY).cells[0]
    filed = _row(
        _report(cast, statuses=("submitted", "approved")), cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY
    ).cells[0]
    assert (default.state == "done") is counts_by_default
    assert (filed.state == "done") is counts_when_filed_counts


def test_other_years_kinds_and_units_do_not_count(cast):
    _held(cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY, _at(YEAR - 1, 2, 20))  # another year
    _held(cast.branch_a, Meeting.Kind.PARTY_LECTURE, _at(YEAR, 2, 20))  # another kind
    _held(cast.branch_b, Meeting.Kind.GENERAL_ASSEMBLY, _at(YEAR, 2, 20))  # another branch
    _held(cast.c1, Meeting.Kind.COMMITTEE_MEETING, _at(YEAR, 2, 20))  # the committee's own meeting
    report = _report(cast)
    assert _row(report, cast.branch_a, Meeting.Kind.GENERAL_ASSEMBLY).cells[0].state == "missing"
    assert _row(report, cast.branch_b, Meeting.Kind.GENERAL_ASSEMBLY).cells[0].state == "done"
    assert all(r.kind in Meeting.BRANCH_KINDS for e in report for r in e.rows)


# --- a fixed number of queries -------------------------------------------------------------------------


@pytest.mark.parametrize("branches", [2, 20])
def test_four_queries_whatever_the_number_of_branches(cast, django_assert_num_queries, branches):
    for i in range(branches - 2):
        branch = make_org(
            cast.c1 if i % 2 else cast.c2,
            Organization.Kind.BRANCH,
            f"第{i}党支部",
            code=f"X{i}",
            category="teacher",
        )
        if i % 3 == 0:
            make_org(branch, Organization.Kind.GROUP, "第一党小组", code=f"X{i}-G1", category="teacher")
        _full_members(branch, 7 if i % 2 else 3)
        _held(branch, Meeting.Kind.THEME_DAY, _at(YEAR, 1 + i % 4, 8))
        _held(branch, Meeting.Kind.GENERAL_ASSEMBLY, _at(YEAR, 3, 8))

    # 1. the subtree's active branches, 2. the active rules, 3. full members per branch,
    # 4. meetings grouped by branch, kind and month.
    with django_assert_num_queries(4):
        report = _report(cast)
        cells = sum(len(row.cells) for entry in report for row in entry.rows)  # rows are built, no lazy reads

    assert len(report) == branches and cells > 0
    assert sum(1 for e in report for r in e.rows if r.kind == "group_meeting") == (branches - 2 + 2) // 3
