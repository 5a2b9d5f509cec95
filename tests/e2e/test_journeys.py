"""User journeys in a real browser."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import check_accessibility, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_secretary_opens_their_roster_and_is_refused_another_branch(page, cast):
    log_in(page, "alice")
    # Home takes the secretary to their branch.
    assert page.url.endswith(reverse("members:unit", args=[cast.branch_a.pk]))
    assert page.get_by_role("heading", level=1).inner_text().startswith(cast.branch_a.name)
    check_accessibility(page)

    page.get_by_role("link", name="花名册").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("members:roster", args=[cast.branch_a.pk]))
    table = page.get_by_role("table")
    assert "鲍勃" in table.inner_text() and "艾丽" in table.inner_text()
    assert "420102199105170013" in table.inner_text()  # she manages them: nothing masked
    check_accessibility(page)
    assert not page.console_errors  # no CSP refusals, no script errors on the way

    response = page.goto(reverse("members:roster", args=[cast.branch_b.pk]))
    assert response.status == 403
    assert "权限" in page.get_by_role("main").inner_text()
    assert "查理" not in page.content()
    check_accessibility(page)


def test_officer_drills_down_from_committee_to_roster(page, cast):
    log_in(page, "officer")
    assert page.url.endswith(reverse("members:unit", args=[cast.c1.pk]))
    page.wait_for_selector("#chart-category canvas, #chart-category svg")  # ECharts drew from json_script
    check_accessibility(page)
    # The subunits table's link (the 落后单位 panel above it links the branch's dashboard, issue 22).
    page.locator('section[aria-labelledby="children-heading"]').get_by_role(
        "link", name=cast.branch_a.name
    ).first.click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("members:unit", args=[cast.branch_a.pk]))
    check_accessibility(page)
    page.get_by_role("link", name="花名册").first.click()
    page.wait_for_load_state()
    search = page.get_by_role("searchbox")
    search.fill("鲍")
    page.wait_for_function("() => !document.querySelector('#roster-table').innerText.includes('艾丽')")
    assert "鲍勃" in page.locator("#roster-table").inner_text()
    check_accessibility(page)
    assert not page.console_errors


def test_member_on_a_phone_sees_their_own_record(phone, cast):
    log_in(phone, "bob")
    assert phone.url.endswith(reverse("members:me"))
    assert "鲍勃" in phone.get_by_role("main").inner_text()
    check_accessibility(phone)
    # The navigation collapses behind a toggle on a narrow screen and still opens.
    toggle = phone.get_by_role("button", name="切换导航")
    assert toggle.is_visible()
    toggle.click()
    # Bootstrap's collapse animates for 0.35 s (class "collapsing") before the menu is "show": clicking a
    # button still sliding in under a loaded machine could land on the page below it.
    phone.locator("#portal-nav.show").wait_for(state="visible")
    # Signing out is a POST and a redirect (two navigations since the sign-out view of issue 20): wait for the
    # sign-in page itself rather than for the first load event, which may still be the record's.
    with phone.expect_navigation(url="**/accounts/login/**"):
        phone.get_by_role("button", name="退出").click()
    assert "/accounts/login/" in phone.url


def test_wrong_password_then_lockout_message(page, cast):
    for _ in range(5):
        log_in(page, "charlie", "wrong-password")
    log_in(page, "charlie")
    assert "锁定" in page.get_by_role("main").inner_text()
    check_accessibility(page)
