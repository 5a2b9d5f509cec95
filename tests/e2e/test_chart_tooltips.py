"""Hovering a chart draws its tooltip without a CSP refusal (issue 22). ECharts' HTML tooltips carry style=""
attributes that the portal's CSP (style-src 'self') refuses; the dashboard's charts were moved to canvas
tooltips, and this checks the others (the public benchmark's two charts, a unit page's two charts): the mouse
and ECharts' showTip over every chart of the page in real Chromium with the CSP enforced."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.e2e.conftest import log_in
from tests.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _hover(page, selector: str) -> int:
    """Show each chart's tooltip matched by ``selector``: ECharts' own showTip on its first item, then the mouse
    moved over the chart on a grid. Returns the number of charts."""
    page.wait_for_selector(f"{selector} canvas")
    charts = page.locator(selector).all()
    for element in charts:
        page.evaluate(
            """(el) => {
                const chart = window.echarts.getInstanceByDom(el);
                chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 0 });
            }""",
            element.element_handle(),
        )
        page.wait_for_timeout(200)
        box = element.bounding_box()
        assert box and box["width"] > 0
        for fx in (0.25, 0.5, 0.75):
            for fy in (0.4, 0.7):
                page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
                page.wait_for_timeout(80)
    return len(charts)


def _csp_refusals(page) -> list[str]:
    return [e for e in page.console_errors if "Content Security Policy" in e or "style-src" in e]


def test_hovering_the_benchmark_and_unit_charts_breaks_no_csp_rule(page, cast):
    for _ in range(4):
        MemberFactory(branch=cast.branch_a)
    page.goto("/open/benchmark/")
    assert _hover(page, ".bench-chart") == 2
    assert _csp_refusals(page) == []

    log_in(page, "alice")
    page.goto(reverse("members:unit", args=[cast.branch_a.pk]))
    assert _hover(page, "#chart-category, #chart-age") == 2
    assert _csp_refusals(page) == []
