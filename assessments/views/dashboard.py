"""The 组织部 dashboard (issue 9): one page per unit, composed of every app's blocks (``branches.figures``),
drilling down province → university → committee → branch. Reads snapshot rows only; the rendered blocks
are cached per unit and snapshot for ``DASHBOARD_CACHE_SECONDS``."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from assessments.exports import dashboard_block_xlsx
from assessments.selectors.dashboard import (
    dashboard_blocks,
    dashboard_children,
    dashboard_home_unit,
    dashboard_unit,
    unit_figures,
)
from branches.figures import block as registered_block

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    unit = dashboard_home_unit(user=request.user)
    if unit is None:
        return render(request, "assessments/dashboard/none.html", status=403)
    return redirect("dashboard:unit", pk=unit.pk)


def _blocks_html(request: HttpRequest, unit) -> str:
    figures = unit_figures(unit)
    seconds = settings.DASHBOARD_CACHE_SECONDS
    key = None
    if seconds and figures is not None:
        # A refresh rewrites the unit's row (and its ancestors'), so its time names the version.
        key = f"dashboard:{unit.pk}:{figures.computed_at.timestamp()}:{get_language()}"
        html = cache.get(key)
        if html is not None:
            return html
    children = dashboard_children(unit=unit)
    html = render_to_string("assessments/dashboard/_blocks.html", {
        "unit": unit, "children": children, "views": dashboard_blocks(unit=unit, children=children),
    }, request=None)
    if key:
        cache.set(key, html, seconds)
    return html


@require_GET
@login_required
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    unit, ancestors = dashboard_unit(user=request.user, pk=pk)
    figures = unit_figures(unit)
    return render(request, "assessments/dashboard/unit.html", {
        "unit": unit, "ancestors": ancestors, "figures": figures, "blocks_html": _blocks_html(request, unit),
        "age_minutes": int((timezone.now() - figures.computed_at).total_seconds() // 60) if figures else None,
    })


@require_GET
@login_required
def dashboard_export(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    block = registered_block(key)
    if block is None:
        raise Http404
    unit, _ancestors = dashboard_unit(user=request.user, pk=pk)
    children = dashboard_children(unit=unit)
    view = next(v for v in dashboard_blocks(unit=unit, children=children) if v.block.key == key)
    response = HttpResponse(dashboard_block_xlsx(unit=unit, view=view, figures=unit_figures(unit)), content_type=XLSX)
    filename = f"dashboard-{unit.code}-{key}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
