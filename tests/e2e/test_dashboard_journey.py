"""The 组织部 officer's dashboard in a real browser (issue 9): the demo university's figures equal
``party_stats --json``; drill university → committee → branch; a chart switches to its table."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from branches.models import Organization
from tests.e2e.conftest import check_accessibility, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _party_stats(capsys, code: str) -> dict:
    capsys.readouterr()
    call_command("party_stats", "--json", "--code", code)
    return json.loads(capsys.readouterr().out)


def _figure(page, block: str, key: str) -> int:
    text = page.locator(f'#table-{block} [data-key="{key}"]').first.text_content()
    return int(text.replace(",", ""))


def _check_counts(page, stats: dict) -> None:
    assert _figure(page, "counts", "party_members") == stats["party_members"]
    assert _figure(page, "counts", "branches") == stats["organizations_by_kind"]["branch"]
    assert _figure(page, "counts", "secondary") == stats["secondary_committees"]
    for category, n in stats["party_members_by_category"].items():
        assert _figure(page, "counts", f"party_{category}") == n
    assert _figure(page, "counts", "stage_probationary") == stats["people_by_stage"]["probationary"]
    assert _figure(page, "development", "stage_applicant") == stats["people_by_stage"]["applicant"]


def test_officer_reads_the_dashboard_and_drills_down(page, capsys):
    call_command("load_demo", seed=2026, verbosity=0)  # also computes the dashboard's figures
    log_in(page, "zzb", "dangjian2026")
    page.get_by_role("link", name="数据看板").click()
    page.wait_for_load_state()
    university = Organization.objects.get(code="U001")
    assert page.url.endswith(reverse("dashboard:unit", args=[university.pk]))
    assert "分钟前" in page.locator(".dashboard-age").inner_text()  # the snapshot's age is shown

    # Every block drew its chart (ECharts, from the page's json_script) and hides its table until asked.
    for block in (
        "counts",
        "meetings",
        "publication",
        "assessment",
        "ratings",
        "funding",
        "development",
        "terms",
        "dues",
    ):
        page.wait_for_selector(f"#chart-{block} canvas")
        assert page.locator(f"#table-{block}").is_hidden()
    _check_counts(page, _party_stats(capsys, "U001"))
    check_accessibility(page)

    # Switch the heat map to its table: the same units and months, as text.
    heat = page.locator("#block-meetings")
    heat.get_by_role("button", name="表格").click()
    assert page.locator("#table-meetings").is_visible() and page.locator("#chart-meetings").is_hidden()
    assert heat.get_by_role("button", name="表格").get_attribute("aria-pressed") == "true"
    table = page.locator("#table-meetings table")
    assert "计算机科学与技术学院党委" in table.inner_text() and "11月" in table.inner_text()
    check_accessibility(page)
    heat.get_by_role("button", name="图表").click()
    assert page.locator("#chart-meetings").is_visible() and page.locator("#table-meetings").is_hidden()

    # Drill into a committee from the counts table.
    page.locator("#block-counts").get_by_role("button", name="表格").click()
    page.locator("#table-counts").get_by_role("link", name="计算机科学与技术学院党委").click()
    page.wait_for_load_state()
    committee = Organization.objects.get(code="U001-C10")
    assert page.url.endswith(reverse("dashboard:unit", args=[committee.pk]))
    # The table chosen on the last page is kept on this one (issue 22: localStorage); the chart is drawn behind it.
    page.wait_for_selector("#chart-counts canvas", state="attached")
    assert page.locator("#table-counts").is_visible() and page.locator("#chart-counts").is_hidden()
    _check_counts(page, _party_stats(capsys, committee.code))
    check_accessibility(page)

    # …and into one of its branches, through the breadcrumb-free table link.
    branch = (
        Organization.objects.filter(path__startswith=committee.path, kind=Organization.Kind.BRANCH)
        .order_by("path")
        .first()
    )
    page.locator("#block-counts").get_by_role("button", name="表格").click()
    page.locator("#table-counts").get_by_role("link", name=branch.display_name).click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("dashboard:unit", args=[branch.pk]))
    _check_counts(page, _party_stats(capsys, branch.code))
    breadcrumb = page.get_by_role("navigation", name="当前位置")
    assert "计算机科学与技术学院党委" in breadcrumb.inner_text()
    check_accessibility(page)

    # The block's spreadsheet downloads.
    with page.expect_download() as download:
        page.locator("#block-dues").get_by_role("link", name="导出 xlsx").click()
    assert download.value.suggested_filename == f"dashboard-{branch.code}-dues.xlsx"
    assert not page.console_errors  # no CSP refusals, no script errors
