"""The 组织部 officer's 党内统计 in a real browser (issue 21): ask for the tables as of today from the
university's page, see the same total as ``party_stats --json``, drill into a cell, download the xlsx; the
same report read on a 390px phone."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.e2e.conftest import check_accessibility, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_computes_downloads_and_drills_into_a_cell(page, phone, capsys, cast):
    # The fixed cast (not the whole demo, to keep the journey quick): a 组织部 officer at the university.
    from branches.models import Role
    from branches.services import role_assign
    from tests.factories import MemberFactory, UserFactory

    zzb = UserFactory(username="zzb21")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    for n in range(3):
        MemberFactory(branch=cast.branch_b, category="student", gender="F", name=f"学生{n}")
    capsys.readouterr()
    call_command("party_stats", "--json", "--code", "U1")
    stats = json.loads(capsys.readouterr().out)

    log_in(page, "zzb21")
    university = cast.university
    page.goto(f"/org/{university.pk}/")
    page.locator("#unit-statistics").click()
    page.wait_for_load_state()
    assert "党内统计" in page.title()
    page.fill("input[name=as_of]", timezone.localdate().isoformat())
    # The task runs eagerly here, inside the POST the click waits for: 9–11 s alone on PostgreSQL, but past the
    # 30 s default once (34 s) with the other xdist worker busy beside it, hence the longer wait.
    page.locator("[data-action=compute]").click(timeout=120_000)
    page.wait_for_selector("#table-members-category")  # the task ran (eager here); the page shows the tables
    check_accessibility(page)

    total = page.locator('[data-cell="members-category|total|total"]')
    assert int(total.inner_text()) == stats["party_members"]
    students = page.locator('[data-cell="members-category|total|category:student"]')
    assert int(students.inner_text()) == stats["party_members_by_category"]["student"]
    assert (
        "统计截至统计日" in page.locator("#table-members-category").inner_text()
    )  # the counting rule beside it

    # Drill into the women among the party members: the list has as many people as the cell says.
    women = page.locator('[data-cell="members-category|gender:F|total"]')
    expected = int(women.inner_text())
    assert expected == stats["party_members_by_gender"]["F"]
    women.click()
    page.wait_for_selector("#stat-cell-list")
    assert f"按当前数据计：{expected}" in page.content()
    assert page.locator("#stat-cell-list tbody tr").count() == min(expected, 100)
    check_accessibility(page)
    page.go_back()

    with page.expect_download() as download:
        page.locator("#stat-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book.worksheets[0].cell(1, 1).value == "党员基本情况（按人员类别）"
    assert book.worksheets[0].cell(2, 2).value == stats["party_members"]
    assert not page.console_errors

    # The same report on a phone: the tables scroll inside their region, the page itself does not.
    log_in(phone, "zzb21")
    phone.goto(page.url)
    phone.wait_for_selector("#table-members-category")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 392
