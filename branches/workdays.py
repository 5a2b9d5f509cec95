"""Working days by the official calendar (DESIGN §5): Monday to Friday, minus public holidays, plus the 调休
Saturdays and Sundays of the State Council's yearly notice, as the 组织部 keeps them in ``OfficialDay``.

A year without a ``CalendarYear`` row is not known yet (chinesecalendar's data, loaded on migrate, ends with
its release's last notice): its days are counted Monday to Friday and the caller is told which years those
were, so the page that shows the result can say the count may be off."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from branches.models import CalendarYear, OfficialDay


@dataclass
class WorkingDays:
    """The day ``count`` working days after ``start``, and the years counted without the official calendar."""

    day: datetime.date
    unknown_years: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Calendar:
    known: frozenset[int]
    special: dict[datetime.date, str]


_held: ContextVar[_Calendar | None] = ContextVar("official_calendar_held", default=None)


@contextmanager
def official_calendar_held() -> Iterator[None]:
    """Inside the block, ``add_working_days`` reads the whole official calendar read once on entry (two
    queries, a few hundred rows) instead of two queries per call: for a bulk builder that dates thousands of
    steps (the demo load: 2,500 calls) while nobody edits the calendar. Edits made inside are not seen."""
    calendar = _Calendar(
        known=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        special=dict(OfficialDay.objects.values_list("day", "kind")),
    )
    token = _held.set(calendar)
    try:
        yield
    finally:
        _held.reset(token)


def add_working_days(start: datetime.date, count: int) -> WorkingDays:
    """The date ``count`` working days after ``start`` (``start`` itself not counted). Two queries, none
    inside ``official_calendar_held``."""
    horizon = start + datetime.timedelta(days=count * 3 + 60)  # long enough for any holiday week
    held = _held.get()
    if held is not None:
        known: set[int] | frozenset[int] = held.known
        special = held.special
    else:
        years = set(range(start.year, horizon.year + 1))
        known = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
        special = dict(OfficialDay.objects.filter(day__gt=start, day__lte=horizon).values_list("day", "kind"))
    current, remaining, unknown = start, count, set()
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if current.year not in known:
            unknown.add(current.year)
            working = current.weekday() < 5
        else:
            kind = special.get(current)
            working = kind == OfficialDay.Kind.WORKDAY or (
                current.weekday() < 5 and kind != OfficialDay.Kind.HOLIDAY
            )
        if working:
            remaining -= 1
    return WorkingDays(current, unknown)
