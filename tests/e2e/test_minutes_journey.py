"""Issue 3 in a real browser: a secretary files a 支部党员大会, the committee returns it, she fixes and
resubmits, the committee approves, and the branch's compliance for the quarter turns complete. Refused
uploads keep the rest of the form; another branch's secretary cannot open the record or its attachment.

Selectors use ids, names and data attributes: the UI strings are English sources translated by the
catalogue, so only Django's own strings (login, sign out, 403) are matched as Chinese text.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure.models import Meeting
from tests.e2e.conftest import check_accessibility, log_in
from tests.factories import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 256


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _held() -> datetime.datetime:
    """A moment in the past inside this quarter (the panel shows this year's quarters)."""
    now = timezone.localtime()
    quarter_start = now.replace(
        month=(now.month - 1) // 3 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )
    return max(now - datetime.timedelta(days=2), quarter_start)


def _click_and_wait(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    check_accessibility(page)


def _sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()


def _problems(page) -> str:
    return page.locator("#form-problems").inner_text()


def test_minutes_filed_returned_resubmitted_approved(page, cast, tmp_path):
    zhang = MemberFactory(branch=cast.branch_a, name="张三")
    li = MemberFactory(branch=cast.branch_a, name="李四")
    held = _held()

    # --- the secretary fills the form --------------------------------------------------------------
    log_in(page, "alice")
    assert page.url.endswith(reverse("members:unit", args=[cast.branch_a.pk]))
    check_accessibility(page)
    _click_and_wait(page, '#compliance [data-action="new-meeting"]')
    page.select_option("#id_kind", "general_assembly")
    page.fill("#id_held_at", timezone.localtime(held).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "党员活动室")
    page.fill("#id_chair", "艾丽")
    page.fill("#id_recorder", "鲍勃")
    page.fill("#id_topics", "学习党章；讨论支部年度工作计划")
    page.fill("#id_minutes", "艾丽同志传达了上级精神。\n\n与会党员逐一发言。")
    page.select_option(f"#id_att-status_{zhang.pk}", "absent")
    page.fill(f"#id_att-reason_{zhang.pk}", "出差")
    page.select_option(f"#id_att-status_{li.pk}", "leave")
    page.fill(f"#id_att-reason_{li.pk}", "病假")
    # The totals follow the list as it is edited (static/js/meetings.js).
    assert page.locator('[data-total="expected"]').inner_text() == "4"
    assert page.locator('[data-total="present"]').inner_text() == "2"
    assert page.locator('[data-total="absent"]').inner_text() == "1"
    assert page.locator('[data-total="leave"]').inner_text() == "1"

    # A 30 MB scan is refused with a message; everything typed stays.
    big = tmp_path / "扫描件.pdf"
    big.write_bytes(PDF + b"\0" * (30 * 1024 * 1024))
    page.set_input_files("#id_attachments", str(big))
    _click_and_wait(page, 'button[name="action"][value="draft"]')
    assert "扫描件.pdf" in page.locator('#form-problems [data-problem="attachments"]').inner_text()
    assert "20" in _problems(page)
    assert page.input_value("#id_topics") == "学习党章；讨论支部年度工作计划"
    assert page.input_value(f"#id_att-status_{zhang.pk}") == "absent"
    assert page.input_value(f"#id_att-reason_{li.pk}") == "病假"
    assert not Meeting.objects.exists()

    # An executable renamed .pdf is refused the same way.
    page.set_input_files(
        "#id_attachments", files=[{"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": EXE}]
    )
    _click_and_wait(page, 'button[name="action"][value="draft"]')
    assert "会议纪要.pdf" in page.locator('#form-problems [data-problem="attachments"]').inner_text()
    assert page.input_value("#id_place") == "党员活动室"
    assert not Meeting.objects.exists()

    # A real PDF: the draft is saved and the form reopens on it.
    page.set_input_files(
        "#id_attachments", files=[{"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    _click_and_wait(page, 'button[name="action"][value="draft"]')
    meeting = Meeting.objects.get()
    assert page.url.endswith(reverse("disclosure:edit", args=[meeting.pk]))
    assert "会议纪要.pdf" in page.locator("#attachment-list").inner_text()
    assert meeting.status == "draft" and (
        meeting.present_count,
        meeting.absent_count,
        meeting.leave_count,
    ) == (2, 1, 1)

    _click_and_wait(page, 'button[name="action"][value="submit"]')
    detail = reverse("disclosure:detail", args=[meeting.pk])
    assert page.url.endswith(detail)
    assert page.locator("#meeting-status [data-status]").get_attribute("data-status") == "submitted"
    assert "出差" in page.locator("#attendance-table").inner_text()
    attachment_url = page.locator("#attachment-list a").first.get_attribute("href")
    assert not page.console_errors
    _sign_out(page)

    # --- the committee returns it --------------------------------------------------------------------
    log_in(page, "officer")
    check_accessibility(page)
    _click_and_wait(page, '#compliance [data-action="review-queue"]')
    _click_and_wait(page, f'#review-table a[href="{detail}"]')
    page.fill("#id_reason", "请补充会议决议")
    _click_and_wait(page, '[data-action="return"]')
    assert page.locator("#meeting-status [data-status]").get_attribute("data-status") == "returned"
    _sign_out(page)

    # --- the secretary fixes and resubmits, from her to-do list --------------------------------------
    log_in(page, "alice")
    check_accessibility(page)
    _click_and_wait(page, '#todos [data-todo="returned"] a')
    assert page.url.endswith(reverse("disclosure:edit", args=[meeting.pk]))
    assert "请补充会议决议" in page.locator("#return-reason").inner_text()
    assert page.input_value(f"#id_att-reason_{zhang.pk}") == "出差"  # the saved attendance comes back
    page.fill("#id_decisions", "通过支部年度工作计划")
    _click_and_wait(page, 'button[name="action"][value="submit"]')
    assert page.locator("#meeting-status [data-status]").get_attribute("data-status") == "submitted"
    _sign_out(page)

    # --- the committee approves; the quarter is complete ---------------------------------------------
    log_in(page, "officer")
    page.goto(detail)
    check_accessibility(page)
    _click_and_wait(page, '[data-action="approve"]')
    assert page.locator("#meeting-status [data-status]").get_attribute("data-status") == "approved"
    assert page.locator('#history-table [data-history-status="returned"]').count() == 1
    page.goto(reverse("members:unit", args=[cast.branch_a.pk]))
    check_accessibility(page)
    first_month = (held.month - 1) // 3 * 3 + 1
    cell = page.locator(
        f'#compliance-table td[data-kind="general_assembly"][data-first-month="{first_month}"]'
    )
    assert cell.get_attribute("data-state") == "done"
    assert cell.get_attribute("colspan") == "3"
    assert not page.console_errors
    _sign_out(page)

    # --- another branch's secretary is refused ----------------------------------------------------------
    log_in(page, "charlie")
    response = page.goto(detail)
    assert response.status == 403 and "权限" in page.get_by_role("main").inner_text()
    assert "请补充会议决议" not in page.content()
    check_accessibility(page)
    response = page.goto(attachment_url)
    assert response.status == 403
    response = page.goto(reverse("disclosure:edit", args=[meeting.pk]))
    assert response.status == 403


def test_the_form_works_on_a_phone(phone, cast):
    MemberFactory(branch=cast.branch_a, name="王五")
    log_in(phone, "alice")
    phone.goto(reverse("disclosure:create", args=[cast.branch_a.pk]))
    check_accessibility(phone)
    phone.select_option("#id_kind", "party_lecture")
    phone.fill("#id_held_at", timezone.localtime(_held()).strftime("%Y-%m-%dT%H:%M"))
    phone.fill("#id_lecturer", "王老师")
    phone.fill("#id_topics", "党史学习")
    # The attendance rows fit the screen: no sideways scrolling needed to reach the reason.
    reason = phone.locator(f"#id_att-reason_{cast.bob_member.pk}")
    box = reason.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    phone.select_option(f"#id_att-status_{cast.bob_member.pk}", "leave")
    reason.fill("出差")
    with phone.expect_navigation():
        phone.locator('button[name="action"][value="draft"]').click()
    meeting = Meeting.objects.get()
    assert meeting.kind == "party_lecture" and meeting.leave_count == 1
    check_accessibility(phone)
    # The compliance table scrolls sideways on a phone, its meeting types staying in view.
    phone.goto(reverse("members:unit", args=[cast.branch_a.pk]))
    check_accessibility(phone)
    first = phone.locator('#compliance-table tbody th[scope="row"]').first
    phone.locator("#compliance .table-responsive").evaluate("el => el.scrollLeft = 400")
    assert first.bounding_box()["x"] >= 0
