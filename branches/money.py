"""Amounts in yuan for Chinese readers (STYLE §12): ¥1,234.00. The template filters ``yuan`` and ``amount``
(``{% load money %}``) and the dashboard's tables use this one function."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def format_yuan(value, places: int = 2) -> str:
    """``¥`` and the amount with a comma every three digits and ``places`` decimals; "" for no value."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.{int(places)}f}"
