"""Reading the lifecycle's limits (``LifecycleRule``) and the calendar helpers the rules need.

``rules()`` costs one query and returns every limit with the national default for any row an
administrator deleted, so no view or service carries a number of its own.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from branches.dates import month_end
from members.models import LifecycleRule

K = LifecycleRule.Key

# National defaults (发展党员工作细则 2014, 党费收缴使用管理规定 2008, 党章 on probation, DESIGN §5).
DEFAULTS: dict[str, int] = {
    K.MIN_AGE_YEARS: 18,
    K.TALK_WITHIN_MONTHS: 1,
    K.ACTIVIST_MIN_MONTHS: 12,
    K.REVIEW_EVERY_MONTHS: 6,
    K.TRAINING_MIN_DAYS: 3,
    K.TRAINING_MIN_HOURS: 24,
    K.NOTICE_WORKING_DAYS: 5,
    K.APPROVAL_WITHIN_MONTHS: 3,
    K.APPROVAL_MAX_MONTHS: 6,
    K.PROBATION_MONTHS: 12,
    K.EXTENSION_MIN_MONTHS: 6,
    K.EXTENSION_MAX_MONTHS: 12,
    K.TRANSFER_VALIDITY_MONTHS: 3,
    K.DUES_LAPSE_MONTHS: 6,
    K.TERM_FIRST_REMINDER_MONTHS: 6,
    K.TERM_SECOND_REMINDER_MONTHS: 3,
    K.DUE_SOON_DAYS: 14,
}


def rules() -> dict[str, int]:
    """Every limit by key: the table's value, or the default for a key without a row. One query."""
    values = dict(DEFAULTS)
    values.update(LifecycleRule.objects.values_list("key", "value"))
    return values


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier), clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return datetime.date(year, month, min(day.day, month_end(year, month).day))


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``day`` by the official calendar (public holidays and 调休 working
    days: branches.workdays, which also says when a year is not entered yet)."""
    from branches.workdays import add_working_days as by_calendar

    return by_calendar(day, days).day


def to_fen(amount: Decimal) -> Decimal:
    """Money rounded half-up to the fen (0.01 yuan)."""
    return Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
