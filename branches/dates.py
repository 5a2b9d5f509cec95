"""Calendar arithmetic every app needs (branches is the bottom of the dependency chain, DESIGN §3)."""

from __future__ import annotations

import calendar
import datetime


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later (or earlier); 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week (a Chinese week starts on Monday)."""
    return day - datetime.timedelta(days=day.weekday())
