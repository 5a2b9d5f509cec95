"""Working days by the official calendar (issue 18): the 公示 of a development case skips public holidays and
counts 调休 working weekends; a year the 组织部 has not entered yet is counted Monday to Friday, with a warning
on the step that used it."""

import datetime
import importlib

import pytest
from django.apps import apps

from branches.models import CalendarYear, OfficialDay
from branches.workdays import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_calendar():
    """The rows the migration loads from chinesecalendar (a transactional test elsewhere may have flushed them)."""
    if not CalendarYear.objects.filter(year=2026).exists():
        importlib.import_module("branches.migrations.0004_official_calendar").fill(apps, None)


def test_the_migration_loaded_the_years_chinesecalendar_knows(official_calendar):
    assert CalendarYear.objects.filter(year__in=range(2004, 2027)).count() == 23
    assert OfficialDay.objects.get(day=datetime.date(2026, 10, 1)).name == "国庆节"
    assert OfficialDay.objects.get(day=datetime.date(2026, 10, 10)).kind == OfficialDay.Kind.WORKDAY


def test_a_notice_across_national_day_and_a_tiaoxiu_saturday(official_calendar):
    # 29, 30 September; 1–7 October are holidays; 8, 9 October; Saturday 10 October is a working day.
    result = add_working_days(datetime.date(2026, 9, 28), 5)
    assert result.day == datetime.date(2026, 10, 10) and result.unknown_years == set()
    # Mid-autumn (Friday 25 September) is skipped, the 调休 Sunday 20 September counts.
    assert add_working_days(datetime.date(2026, 9, 18), 2).day == datetime.date(2026, 9, 21)
    assert add_working_days(datetime.date(2026, 9, 23), 2).day == datetime.date(2026, 9, 28)


def test_a_year_not_entered_is_counted_monday_to_friday_and_said_so(official_calendar):
    result = add_working_days(datetime.date(2027, 9, 28), 5)
    assert result.day == datetime.date(2027, 10, 5) and result.unknown_years == {2027}
    # Once the 组织部 enters the year, its holidays count.
    CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
    OfficialDay.objects.bulk_create(
        [OfficialDay(day=datetime.date(2027, 10, d), kind="holiday", name="国庆节") for d in (1, 4, 5, 6, 7)]
    )
    result = add_working_days(datetime.date(2027, 9, 28), 5)
    assert (
        result.day == datetime.date(2027, 10, 12) and result.unknown_years == set()
    )  # 29, 30 Sep; 8, 11, 12 Oct


def test_the_public_notice_step_warns_when_its_year_is_not_entered(cast, official_calendar, time_machine):
    from members.services.development import applicant_register, development_step_record
    from tests.test_development import _walk

    time_machine.move_to(
        datetime.datetime(2028, 3, 1, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    )
    start = datetime.date(2027, 1, 4)
    case = applicant_register(
        branch=cast.branch_a,
        name="申请人",
        gender="F",
        birth_date=datetime.date(2000, 3, 1),
        category="teacher",
        applied_on=start,
        by=None,
    )
    case = _walk(case, 11, {7: datetime.date(2028, 1, 10)}, default=start)
    step, warnings = development_step_record(case=case, number=12, done_on=datetime.date(2028, 2, 1), by=None)
    assert step.notice_until == datetime.date(2028, 2, 8)  # Monday to Friday: 2, 3, 4, 7, 8 February
    assert any("2028" in w and "周一至周五" in w for w in warnings)


def test_the_held_calendar_gives_the_same_days_without_a_query_per_call(
    official_calendar, django_assert_num_queries
):
    """Issue 17.3: the demo load dates ~2,500 steps; inside ``official_calendar_held`` the calendar is read once
    (two queries on entry) and each call costs none, with the same answers as the two-query path."""
    from branches.workdays import official_calendar_held

    starts = [datetime.date(2026, 9, 28), datetime.date(2026, 9, 18), datetime.date(2027, 9, 28)]
    expected = [add_working_days(day, 5) for day in starts]
    # 1. the years entered (CalendarYear), 2. every holiday and 调休 working day (OfficialDay)
    with django_assert_num_queries(2):
        with official_calendar_held():
            assert [add_working_days(day, 5) for day in starts] == expected
    assert expected[0].day == datetime.date(2026, 10, 10) and expected[2].unknown_years == {2027}
    # 1. the years in the window, 2. the official days in the window: the held calendar is gone again
    with django_assert_num_queries(2):
        add_working_days(starts[0], 5)
