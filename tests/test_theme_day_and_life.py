"""Issue 18's last rules: a theme party day held on another day than the branch's fixed one is counted and
marked in the compliance table; the branch sets its fixed day itself; a committee that has recorded no
民主生活会 gets a to-do in the year's last COMMITTEE_YEARLY_REMINDER_DAYS. Dates are fixed (2026)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from branches.models import Role
from branches.services import organization_theme_day_set, role_assign
from disclosure.models import Meeting, Todo
from disclosure.selectors.meetings import compliance
from disclosure.services.meetings import reminders_advance
from tests.conftest import login
from tests.factories import UserFactory

AWARE = ZoneInfo("Asia/Shanghai")


def _meeting(unit, kind: str, day: datetime.date, status: str = Meeting.Status.APPROVED) -> Meeting:
    # 23:30 in Beijing is the day before in UTC: the day is taken in local time.
    return Meeting.objects.create(
        organization=unit,
        kind=kind,
        status=status,
        topics="学习",
        held_at=datetime.datetime.combine(day, datetime.time(23, 30), AWARE),
    )


def _theme_cells(branch, today: datetime.date) -> dict[int, object]:
    (entry,) = compliance(root=branch, year=2026, today=today)
    (row,) = [r for r in entry.rows if r.kind == Meeting.Kind.THEME_DAY]
    return {cell.first_month: cell for cell in row.cells}


# --- the fixed theme party day ------------------------------------------------------------------------------


def test_a_theme_day_off_the_fixed_day_counts_and_is_marked(cast):
    organization_theme_day_set(organization=cast.branch_a, day=15, by=cast.alice)
    _meeting(cast.branch_a, Meeting.Kind.THEME_DAY, datetime.date(2026, 3, 10))  # off the day
    _meeting(cast.branch_a, Meeting.Kind.THEME_DAY, datetime.date(2026, 4, 15))  # on it
    cells = _theme_cells(cast.branch_a, datetime.date(2026, 5, 20))
    assert (cells[3].state, cells[3].held, cells[3].off_day) == ("done", 1, 1)
    assert (cells[4].state, cells[4].held, cells[4].off_day) == ("done", 1, 0)


def test_the_fixed_day_is_clamped_to_a_short_months_end(cast):
    organization_theme_day_set(organization=cast.branch_a, day=31, by=cast.alice)
    _meeting(
        cast.branch_a, Meeting.Kind.THEME_DAY, datetime.date(2026, 2, 28)
    )  # the 31st clamped: on the day
    _meeting(cast.branch_a, Meeting.Kind.THEME_DAY, datetime.date(2026, 4, 29))  # the 30th is April's: off
    cells = _theme_cells(cast.branch_a, datetime.date(2026, 5, 20))
    assert cells[2].off_day == 0 and cells[4].off_day == 1


def test_without_a_fixed_day_nothing_is_marked(cast):
    _meeting(cast.branch_a, Meeting.Kind.THEME_DAY, datetime.date(2026, 3, 10))
    assert _theme_cells(cast.branch_a, datetime.date(2026, 5, 20))[3].off_day == 0


def test_the_marking_costs_no_extra_query(cast, django_assert_num_queries):
    organization_theme_day_set(organization=cast.branch_a, day=15, by=cast.alice)
    _meeting(cast.branch_a, Meeting.Kind.THEME_DAY, datetime.date(2026, 3, 10))
    # The branches, the rules, full members per branch and the meetings grouped: compliance's four.
    with django_assert_num_queries(4):
        compliance(root=cast.university, year=2026, today=datetime.date(2026, 5, 20))


def test_the_branch_sets_its_own_day_and_the_page_shows_it(cast):
    client = login(cast.alice)
    url = reverse("branches:theme_day", args=[cast.branch_a.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"theme_day": "32"})
    assert page.status_code == 200 and "31" in page.content.decode()  # refused with the bound
    assert client.post(url, {"theme_day": "20"}).status_code == 302
    cast.branch_a.refresh_from_db()
    assert cast.branch_a.theme_day == 20
    assert cast.branch_a.history.first().history_user == cast.alice
    assert client.post(url, {"theme_day": ""}).status_code == 302  # cleared
    cast.branch_a.refresh_from_db()
    assert cast.branch_a.theme_day is None


def test_only_the_branch_and_the_units_above_set_the_day(cast):
    url = reverse("branches:theme_day", args=[cast.branch_a.pk])
    assert login(cast.charlie).post(url, {"theme_day": "5"}).status_code == 403  # another committee's branch
    assert login(cast.officer).post(url, {"theme_day": "5"}).status_code == 302  # the committee above
    with pytest.raises(PermissionDenied):
        organization_theme_day_set(organization=cast.branch_a, day=5, by=cast.charlie)
    with pytest.raises(ValidationError):
        organization_theme_day_set(organization=cast.c1, day=5, by=None)  # a committee has none
    assert login(cast.officer).get(reverse("branches:theme_day", args=[cast.c1.pk])).status_code == 404


# --- the committee's 民主生活会 reminder -------------------------------------------------------------------


@pytest.fixture
def dw1(cast):
    user = UserFactory(username="dw1")
    role_assign(user=user, organization=cast.c1, kind=Role.Kind.SECRETARY)
    return user


def _life_todos(user):
    return list(
        Todo.objects.filter(
            user=user, kind=Todo.Kind.MEETING_MISSING, done_at__isnull=True, key__contains=":democratic_life:"
        )
    )


@pytest.mark.parametrize(
    "today, reminded",
    [
        (datetime.date(2026, 10, 30), False),  # 62 days before 31 December
        (datetime.date(2026, 10, 31), True),  # 61: the reminder opens
        (datetime.date(2026, 12, 31), True),
    ],
)
def test_a_committee_without_its_democratic_life_meeting_is_reminded_from_the_year_end(
    cast, dw1, today, reminded
):
    reminders_advance(today=today)
    todos = _life_todos(dw1)
    assert bool(todos) is reminded
    if reminded:
        assert todos[0].due_on == datetime.date(2026, 12, 31) and todos[0].organization_id == cast.c1.pk
        assert "民主生活会" in todos[0].text and "0" in todos[0].text


def test_a_recorded_democratic_life_meeting_closes_the_reminder(cast, dw1):
    reminders_advance(today=datetime.date(2026, 11, 20))
    assert _life_todos(dw1)
    _meeting(
        cast.c1, Meeting.Kind.DEMOCRATIC_LIFE, datetime.date(2026, 11, 25), status=Meeting.Status.SUBMITTED
    )
    reminders_advance(today=datetime.date(2026, 11, 26))
    assert not _life_todos(dw1)


def test_last_years_meeting_does_not_count_and_branches_get_no_such_reminder(cast, dw1):
    _meeting(cast.c1, Meeting.Kind.DEMOCRATIC_LIFE, datetime.date(2025, 12, 20))
    reminders_advance(today=datetime.date(2026, 12, 1))
    assert _life_todos(dw1)
    assert not _life_todos(cast.alice)  # a branch secretary: the meeting is a committee's


def test_the_branch_page_shows_the_day_and_the_mark(cast):
    organization_theme_day_set(organization=cast.branch_a, day=15, by=cast.alice)
    _meeting(cast.branch_a, Meeting.Kind.THEME_DAY, datetime.date(2026, 3, 10))
    with time_machine.travel(datetime.datetime(2026, 5, 20, 10, tzinfo=AWARE), tick=False):
        html = login(cast.alice).get(reverse("members:unit", args=[cast.branch_a.pk])).content.decode()
    assert "每月15日" in html and "未在固定日" in html
    assert reverse("branches:theme_day", args=[cast.branch_a.pk]) in html
