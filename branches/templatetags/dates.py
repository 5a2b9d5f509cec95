"""Dates in prose for Chinese readers (issue 22): ``{{ day|prose_date }}`` → 2026年12月1日.

One filter for every sentence, heading, notice, to-do and detail line that holds a date, built by the same
function as the Python messages (``branches.dates.prose_date``). Table cells, form values and exports keep ISO
(``|date:"Y-m-d"``), which sorts and compares at a glance.
"""

from __future__ import annotations

from django import template

from branches.dates import prose_date as _prose_date

register = template.Library()


@register.filter
def prose_date(value) -> str:
    if not hasattr(value, "year"):  # a missing value or a string the template passed through: as it is
        return "" if value in (None, "") else str(value)
    return _prose_date(value)
