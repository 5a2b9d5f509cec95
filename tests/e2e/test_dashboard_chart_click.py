"""A dashboard chart drills down like its table's rows (issue 22): a click on a committee's bar opens that
committee's dashboard, a click in its band above a short bar too, and the chart/table choice made on one page
holds on the next (localStorage). Real Chromium, the vendored ECharts and dashboard.js, the CSP enforced."""

from __future__ import annotations

import pytest
from django.urls import reverse

from branches.figures import figures_refresh
from branches.models import Role
from branches.services import role_assign
from tests.e2e.conftest import log_in
from tests.factories import MemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _band_point(page, block: str, index: int, above_baseline: int) -> tuple[float, float]:
    """The page coordinates of a point in the ``index``-th unit's band of ``block``'s bar chart,
    ``above_baseline`` pixels above the value axis' zero (ECharts' own pixel conversion)."""
    x, y = page.evaluate(
        """([block, index, lift]) => {
            const element = document.getElementById("chart-" + block);
            const chart = window.echarts.getInstanceByDom(element);
            const x = chart.convertToPixel({ xAxisIndex: 0 }, index);
            const y = chart.convertToPixel({ yAxisIndex: 0 }, 0) - lift;
            const box = element.getBoundingClientRect();
            return [box.left + x, box.top + y];
        }""",
        [block, index, above_baseline],
    )
    return x, y


def test_a_click_on_a_bar_opens_the_unit_and_the_view_choice_is_remembered(page, cast):
    for _ in range(6):  # C1 taller than C2: C2's bar is short, its band mostly empty
        MemberFactory(branch=cast.branch_a)
    zzb = UserFactory(username="zzb")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    figures_refresh()
    log_in(page, "zzb")
    page.goto(reverse("dashboard:unit", args=[cast.university.pk]))
    page.wait_for_selector("#chart-counts canvas")
    assert page.locator("#chart-counts").is_visible() and page.locator("#table-counts").is_hidden()
    units = page.evaluate('JSON.parse(document.getElementById("chart-data-counts").textContent).ids')
    assert units == [cast.c1.pk, cast.c2.pk]

    # On C1's bar, just above the axis.
    page.mouse.click(*_band_point(page, "counts", 0, above_baseline=4))
    page.wait_for_url(f"**{reverse('dashboard:unit', args=[cast.c1.pk])}")
    page.wait_for_selector("#chart-counts canvas")

    # Back, and in C2's band high above its short bar: the band drills down too.
    page.go_back()
    page.wait_for_selector("#chart-counts canvas")
    page.mouse.click(*_band_point(page, "counts", 1, above_baseline=150))
    page.wait_for_url(f"**{reverse('dashboard:unit', args=[cast.c2.pk])}")

    # The table chosen here is the table on the next page, and the chart again after choosing it.
    page.wait_for_selector("#chart-counts canvas")
    page.locator("#block-counts").get_by_role("button", name="表格").click()
    page.goto(reverse("dashboard:unit", args=[cast.university.pk]))
    page.wait_for_selector("#chart-counts canvas", state="attached")
    assert page.locator("#table-counts").is_visible() and page.locator("#chart-counts").is_hidden()
    assert page.evaluate('window.localStorage.getItem("portal.dashboard.view")') == "table"
    page.locator("#block-counts").get_by_role("button", name="图表").click()
    page.goto(reverse("dashboard:unit", args=[cast.c1.pk]))
    page.wait_for_selector("#chart-counts canvas")
    assert page.locator("#chart-counts").is_visible() and page.locator("#table-counts").is_hidden()
    assert not page.console_errors
