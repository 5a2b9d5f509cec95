"""How old a snapshot of figures (``branches.figures``) is, for the pages that show one."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def figures_age_minutes(computed_at: datetime.datetime | None) -> int | None:
    """Whole minutes since ``computed_at`` (a snapshot's ``computed_at``), never negative."""
    if computed_at is None:
        return None
    return max(int((timezone.now() - computed_at).total_seconds() // 60), 0)
