"""The lifecycle panel on the unit page: a placeholder that loads its content with htmx.

The unit page's query count is pinned (tests/test_unit_pages.py) and other apps add panels too, so this
panel costs the page no query at all: it renders a placeholder whose content comes from
``members:lifecycle_due`` (pinned separately in tests/test_development.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from branches.models import Organization

PANEL_KINDS = (
    Organization.Kind.UNIVERSITY,
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.BRANCH,
)


def lifecycle_panel(request: HttpRequest, unit: Organization) -> str | None:
    if unit.kind not in PANEL_KINDS or not request.user.is_authenticated:
        return None
    return render_to_string("members/lifecycle/panel_placeholder.html", {"unit": unit}, request=request)
