"""Calendar arithmetic every app needs (branches is the bottom of the dependency chain, DESIGN §3)."""

from __future__ import annotations

import calendar
import datetime

from django.utils import timezone


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


def prose_date(value: datetime.date | datetime.datetime | None) -> str:
    """A date as Chinese readers write it in a sentence (issue 22): 2026年12月1日, no leading zeros; a datetime
    is read in the local time zone; "" for no value. Tables, form values and exports keep ISO (2026-12-01).
    Templates use the same function as ``{{ day|prose_date }}`` (``{% load dates %}``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def prose_datetime(value: datetime.datetime | None) -> str:
    """A moment in a sentence: 2026年12月1日 09:30, in the local time zone; "" for no value. Tables, history lists
    and exports keep 2026-12-01 09:30."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{prose_date(local)} {local:%H:%M}"
