"""Dates in prose for Chinese readers (issue 22): ``{{ day|prose_date }}`` → 2026年12月1日.

One filter (and ``prose_datetime`` for a moment: 2026年12月1日 09:30) for every sentence, heading, notice, to-do and detail line that holds a date, built by the same
function as the Python messages (``branches.dates.prose_date``). Table cells, form values and exports keep ISO
(``|date:"Y-m-d"``), which sorts and compares at a glance.
"""

from __future__ import annotations

from django import template

from branches.dates import prose_date as _prose_date
from branches.dates import prose_datetime as _prose_datetime

register = template.Library()


@register.filter
def prose_date(value) -> str:
    if not hasattr(value, "year"):  # a missing value or a string the template passed through: as it is
        return "" if value in (None, "") else str(value)
    return _prose_date(value)


@register.filter
def prose_datetime(value) -> str:
    """``{{ moment|prose_datetime }}`` → 2026年12月1日 09:30, for a moment in a sentence."""
    if not hasattr(value, "hour"):
        return "" if value in (None, "") else str(value)
    return _prose_datetime(value)
