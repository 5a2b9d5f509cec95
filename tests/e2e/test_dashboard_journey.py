"""The 组织部 officer's dashboard in a real browser (issue 9): a university's figures equal
``party_stats --json``; drill university → committee → branch; a chart switches to its table.

On a small university of its own (two committees, three branches, people at several stages), not the demo:
loading the demo committed for a live server cost this journey a minute of its two (issue 17.4). The demo's
dashboard figures against party_stats are tested without a browser (tests/test_demo.py), and its pages at
every scale by bench/pages.py."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from branches.figures import figures_refresh
from branches.models import Organization, Role
from branches.services import role_assign
from members.models import Member
from tests.e2e.conftest import check_accessibility, log_in
from tests.factories import MemberFactory, UserFactory, make_org

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


def _university(cast) -> None:
    """The cast's university with a second branch under 计算机学院党委, people at every stage, and its
    dashboard's figures computed, as the worker computes them."""
    a2 = make_org(
        cast.c1, Organization.Kind.BRANCH, "计算机学院学生第一党支部", code="A2", category="student"
    )
    for branch, n in ((cast.branch_a, 4), (a2, 6), (cast.branch_b, 2)):
        for _ in range(n):
            MemberFactory(branch=branch)
    # A fixed day: the figures and party_stats count the stage, whichever day the journey runs on.
    recently = datetime.date(2026, 7, 1)
    for branch in (a2, cast.branch_b):
        MemberFactory(branch=branch, stage=Member.Stage.PROBATIONARY, joined_on=recently, full_on=None)
        MemberFactory(branch=branch, stage=Member.Stage.APPLICANT, joined_on=None, full_on=None)
    role_assign(user=UserFactory(username="zzb"), organization=cast.university, kind=Role.Kind.OFFICER)
    figures_refresh()


def test_officer_reads_the_dashboard_and_drills_down(page, capsys, cast):
    _university(cast)
    log_in(page, "zzb")
    page.get_by_role("link", name="数据看板").click()
    page.wait_for_load_state()
    university = cast.university
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
    _check_counts(page, _party_stats(capsys, university.code))
    check_accessibility(page)

    # Switch the heat map to its table: the same units and months, as text.
    heat = page.locator("#block-meetings")
    heat.get_by_role("button", name="表格").click()
    assert page.locator("#table-meetings").is_visible() and page.locator("#chart-meetings").is_hidden()
    assert heat.get_by_role("button", name="表格").get_attribute("aria-pressed") == "true"
    table = page.locator("#table-meetings table")
    assert cast.c1.display_name in table.inner_text() and "11月" in table.inner_text()
    check_accessibility(page)
    heat.get_by_role("button", name="图表").click()
    assert page.locator("#chart-meetings").is_visible() and page.locator("#table-meetings").is_hidden()

    # Drill into a committee from the counts table.
    page.locator("#block-counts").get_by_role("button", name="表格").click()
    page.locator("#table-counts").get_by_role("link", name=cast.c1.display_name).click()
    page.wait_for_load_state()
    committee = cast.c1
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
    assert cast.c1.display_name in breadcrumb.inner_text()
    check_accessibility(page)

    # The block's spreadsheet downloads.
    with page.expect_download() as download:
        page.locator("#block-dues").get_by_role("link", name="导出 xlsx").click()
    assert download.value.suggested_filename == f"dashboard-{branch.code}-dues.xlsx"
    assert not page.console_errors  # no CSP refusals, no script errors
