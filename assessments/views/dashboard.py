"""The 组织部 dashboard (issue 9): one page per unit, composed of every app's blocks (``branches.figures``),
drilling down province → university → committee → branch. Reads snapshot rows only; the rendered blocks
are cached per unit and snapshot for ``DASHBOARD_CACHE_SECONDS``."""

from __future__ import annotations

from collections import OrderedDict
from html import escape  # the stdlib's: several times faster than Django's per call, same output for text

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from assessments.exports import dashboard_block_xlsx
from assessments.selectors.dashboard import (
    dashboard_blocks,
    dashboard_home_unit,
    dashboard_rows,
    dashboard_unit,
    unit_figures,
)
from branches.access import checked_by
from branches.spreadsheets.export import xlsx_response
from branches.figures import block as registered_block


@require_GET
@login_required
@checked_by(dashboard_home_unit)
def dashboard_home(request: HttpRequest) -> HttpResponse:
    unit = dashboard_home_unit(user=request.user)
    if unit is None:
        return render(request, "assessments/dashboard/none.html", status=403)
    return redirect("dashboard:unit", pk=unit.pk)


# A key names one snapshot of one unit, so its HTML never changes: each process also keeps the latest few in
# memory (a province's blocks are ~400 kB, a Redis round trip of a few milliseconds).
_MEMO: OrderedDict[str, str] = OrderedDict()
_MEMO_SIZE = 32


def _remember(key: str, html: str) -> None:
    _MEMO[key] = html
    _MEMO.move_to_end(key)
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)


def _table(view, unit, children: bool) -> str:
    """One block's table as HTML, built here rather than in a template loop: a province's page has about
    7,500 cells and Django's template engine spends ~25 µs on each, ten times this."""
    base = reverse("dashboard:home")
    columns = view.block.columns
    head = "".join(f'<th scope="col" class="text-end">{escape(str(column.label))}</th>' for column in columns)
    keyed = not children  # the unit's own row carries the figure keys (the tests and the journey read them)
    body = []
    for row in view.rows:
        name = escape(row.unit.display_name)
        label = f'<a href="{base}{row.unit.pk}/">{name}</a>' if row.unit.pk != unit.pk else name
        cells = "".join(
            f'<td class="text-end {cell.heat}" data-key="{cell.column.key}">{escape(cell.text)}</td>'
            if keyed
            else f'<td class="text-end {cell.heat}">{escape(cell.text)}</td>'
            for cell in row.cells
        )
        body.append(f'<tr><th scope="row">{label}</th>{cells}</tr>')
    foot = ""
    if children:
        cells = "".join(
            f'<td class="text-end {cell.heat}" data-key="{cell.column.key}">{escape(cell.text)}</td>'
            for cell in view.total.cells
        )
        foot = f'<tfoot><tr class="dashboard-total"><th scope="row">{escape(_("Total"))}</th>{cells}</tr></tfoot>'
    heat = " dashboard-heat" if view.block.chart == "heatmap" else ""
    return mark_safe(  # noqa: S308  (every value above is escaped)
        f'<table class="table table-sm table-hover align-middle mb-0{heat}">'
        f'<caption class="visually-hidden">{escape(str(view.block.title))}</caption>'
        f'<thead><tr><th scope="col">{escape(_("Unit"))}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody>{foot}</table>"
    )


def _blocks_html(unit) -> str:
    """The blocks of ``unit`` (annotated with ``figures_at`` by ``dashboard_unit``), from the cache when its
    snapshot's were rendered before; otherwise one more query for the unit's and its children's figures."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    key = None
    if seconds and unit.figures_at is not None:
        # A refresh rewrites the unit's row (and its ancestors'), so its time names the version.
        key = f"dashboard:{unit.pk}:{unit.figures_at.timestamp()}:{get_language()}"
        html = _MEMO.get(key)
        if html is None:
            html = cache.get(key)
        if html is not None:
            _remember(key, html)
            return html
    own, children = dashboard_rows(unit=unit)
    views = dashboard_blocks(unit=own, children=children)
    for view in views:
        view.table = _table(view, own, bool(children))
    html = render_to_string("assessments/dashboard/_blocks.html", {"unit": own, "views": views}, request=None)
    if key:
        cache.set(key, html, seconds)
        _remember(key, html)
    return html


@require_GET
@login_required
@checked_by(dashboard_unit)
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    unit, ancestors = dashboard_unit(user=request.user, pk=pk)
    at = unit.figures_at
    return render(
        request,
        "assessments/dashboard/unit.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "figures_at": at,
            "blocks_html": _blocks_html(unit),
            "age_minutes": int((timezone.now() - at).total_seconds() // 60) if at else None,
        },
    )


@require_GET
@login_required
@checked_by(dashboard_unit)
def dashboard_export(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    block = registered_block(key)
    if block is None:
        raise Http404
    unit, _ancestors = dashboard_unit(user=request.user, pk=pk)
    own, children = dashboard_rows(unit=unit)
    view = next(v for v in dashboard_blocks(unit=own, children=children) if v.block.key == key)
    return xlsx_response(
        dashboard_block_xlsx(unit=own, view=view, figures=unit_figures(own)),
        f"dashboard-{unit.code}-{key}.xlsx",
    )
