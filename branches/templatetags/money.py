"""Amounts for Chinese readers (STYLE §12): ``{{ amount|yuan }}`` → ¥1,234.00, ``{{ amount|yuan:0 }}`` → ¥175,000.

One filter for every page that shows money (grants, dues, the dashboard's tables), so the thousands separator
and the two decimals are the same everywhere. Exports keep plain numbers (a spreadsheet formats its cells).
"""

from __future__ import annotations

from django import template

from branches.money import format_yuan

register = template.Library()


@register.filter
def yuan(value, places: int = 2) -> str:
    return format_yuan(value, places)


@register.filter
def amount(value, places: int = 2) -> str:
    """The digits of ``yuan`` without the sign (1,234.00), for sentences whose text already holds the ¥."""
    return format_yuan(value, places).replace("¥", "", 1)
