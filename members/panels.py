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
_PANELS: dict[str, list[Panel]] = {"top": [], "bottom": []}


def register_unit_panel(panel: Panel, *, position: str = "bottom") -> Panel:
    if panel not in _PANELS[position]:
        _PANELS[position].append(panel)
    return panel


def render_unit_panels(request: HttpRequest, unit: Organization) -> dict[str, list[SafeString]]:
    rendered: dict[str, list[SafeString]] = {}
    for position, panels in _PANELS.items():
        rendered[position] = [mark_safe(html) for panel in panels if (html := panel(request, unit))]
    return rendered
