"""Issue 20 in a real browser, on two 390 px phones: the secretary opens the meeting and shows the QR code, a
member opens the link the code carries, signs on, and signs in; the secretary's screen counts the sign-in by
itself (htmx), and the minutes form she opens next is pre-filled from it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from disclosure.models import Meeting, SignIn
from tests.e2e.conftest import check_accessibility, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


def _fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_a_member_scans_the_secretarys_code_and_the_minutes_start_from_it(
    settings, cast, phone, second_phone
):
    settings.MEETING_SIGN_IN_ROTATE_SECONDS = 10  # the screen asks for a fresh code every 5 s
    meeting = Meeting.objects.create(
        organization=cast.branch_a,
        kind=Meeting.Kind.GENERAL_ASSEMBLY,
        held_at=timezone.now() - datetime.timedelta(minutes=10),
        topics="学习党章",
        created_by=cast.alice,
    )

    # The secretary, on her phone, opens the draft and shows the code.
    log_in(phone, "alice")
    phone.goto(f"/meetings/{meeting.pk}/")
    with phone.expect_navigation():
        phone.click("[data-action=sign-in-code]")
    check_accessibility(phone)
    _fits(phone)
    qr = phone.locator("[data-sign-in-qr]")
    assert qr.is_visible() and qr.get_attribute("src").startswith("data:image/svg+xml")
    assert phone.locator("[data-signed-count]").get_attribute("data-signed-count") == "0"
    link = phone.locator("[data-sign-in-link]").get_attribute("href")  # what the QR code carries

    # A member's phone opens the link: sign on first, then back to the meeting's sign-in.
    second_phone.goto(link)
    assert "/accounts/login/" in second_phone.url
    second_phone.get_by_label("用户名").fill("bob")
    second_phone.get_by_label("密码").fill("pass-1234")
    with second_phone.expect_navigation():
        second_phone.get_by_role("button", name="登录").click()
    assert "/sign-in/" in second_phone.url
    check_accessibility(second_phone)
    _fits(second_phone)
    with second_phone.expect_navigation():
        second_phone.click("[data-sign-in-button]")
    assert second_phone.locator("[data-signed-in]").is_visible()
    check_accessibility(second_phone)
    assert SignIn.objects.filter(meeting=meeting, member=cast.bob_member).exists()

    # The secretary's screen counts it without a reload.
    phone.wait_for_selector('[data-signed-count="1"]', timeout=20_000)

    # The minutes form starts from the sign-ins: bob present, alice (who did not scan) absent, reason filled.
    with phone.expect_navigation():
        phone.click("[data-action=edit]")
    check_accessibility(phone)
    assert phone.locator(f"#id_att-status_{cast.bob_member.pk}").input_value() == "present"
    assert phone.locator(f"#id_att-status_{cast.alice_member.pk}").input_value() == "absent"
    assert phone.locator(f"#id_att-reason_{cast.alice_member.pk}").input_value() == "未扫码签到"
