"""Working days by the official calendar (DESIGN §5): Monday to Friday, minus public holidays, plus the 调休
Saturdays and Sundays of the State Council's yearly notice, as the 组织部 keeps them in ``OfficialDay``.

A year without a ``CalendarYear`` row is not known yet (chinesecalendar's data, loaded on migrate, ends with
its release's last notice): its days are counted Monday to Friday and the caller is told which years those
were, so the page that shows the result can say the count may be off."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from branches.models import CalendarYear, OfficialDay


@dataclass
class WorkingDays:
    """The day ``count`` working days after ``start``, and the years counted without the official calendar."""

    day: datetime.date
    unknown_years: set[int] = field(default_factory=set)


def add_working_days(start: datetime.date, count: int) -> WorkingDays:
    """The date ``count`` working days after ``start`` (``start`` itself not counted). Two queries."""
    horizon = start + datetime.timedelta(days=count * 3 + 60)  # long enough for any holiday week
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
