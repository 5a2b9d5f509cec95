"""Panels that higher apps add to the unit page without members importing them (DESIGN §3).

A panel is a function ``(request, unit) -> str | None`` returning rendered HTML (or None to show nothing).
Apps register theirs in ``AppConfig.ready``; the unit page renders them in registration order. Each panel
must run a fixed number of queries, because the page's query count is pinned.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from branches.models import Organization

Panel = Callable[[HttpRequest, Organization], str | None]
# "first": right under the title, before anything else (the main actions, issue 22); "top": above the
# figures; "bottom": below them.
_PANELS: dict[str, list[Panel]] = {"first": [], "top": [], "bottom": []}


def register_unit_panel(panel: Panel, *, position: str = "bottom") -> Panel:
    if panel not in _PANELS[position]:
        _PANELS[position].append(panel)
    return panel


def render_unit_panels(request: HttpRequest, unit: Organization) -> dict[str, list[SafeString]]:
    rendered: dict[str, list[SafeString]] = {}
    for position, panels in _PANELS.items():
        rendered[position] = [mark_safe(html) for panel in panels if (html := panel(request, unit))]
    return rendered


# --- the member's own first screen (issue 22) -------------------------------------------------------------
# ``(request, member) -> str | None``, shown at the top of "My record" (the home of a member without a role):
# the 测评 open for them, their dues, the branch's tasks this month. Each runs a fixed number of queries.

MemberPanel = Callable[[HttpRequest, object], str | None]  # (request, the member)
_MEMBER_PANELS: list[tuple[int, MemberPanel]] = []


def register_member_panel(panel: MemberPanel, *, order: int = 50) -> MemberPanel:
    """Add a panel to the member's home; lower ``order`` first (ratings 10, dues 20, the branch's tasks 30)."""
    if all(existing is not panel for _order, existing in _MEMBER_PANELS):
        _MEMBER_PANELS.append((order, panel))
        _MEMBER_PANELS.sort(key=lambda item: item[0])
    return panel


def render_member_panels(request: HttpRequest, member) -> list[SafeString]:
    return [mark_safe(html) for _order, panel in _MEMBER_PANELS if (html := panel(request, member))]
