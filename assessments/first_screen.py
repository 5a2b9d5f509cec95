"""The unit page's "units behind / what moved" panel (issue 22): the 组织部's first screen, and a committee's.

Reads the dashboard's snapshots only (``assessments.selectors.first_screen``): one query for a university as
for a branch.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from assessments.selectors.first_screen import units_behind_and_moved
from branches.models import Organization


def behind_and_moved_panel(request: HttpRequest, unit: Organization) -> str | None:
    """The children furthest behind and the biggest moves since the week began. One query."""
    if not unit.is_active or unit.kind == Organization.Kind.GROUP:
        return None
    screen = units_behind_and_moved(unit=unit)
    if not screen.behind and not screen.moved and screen.as_of is None:
        return None  # no snapshot yet: the page counts live and has nothing to compare
    return render_to_string(
        "assessments/panels/behind_and_moved.html", {"screen": screen, "unit": unit}, request=request
    )
