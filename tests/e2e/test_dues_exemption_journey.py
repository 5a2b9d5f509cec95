"""Dues exemptions in a real browser (issue 22): the branch secretary asks on a 390 × 844 phone, the
committee's organisation commissioner returns it with a reason at a desk, the secretary sends it again and
the commissioner approves it; no page overflows the phone, axe finds nothing serious, the CSP refuses
nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from members.models import DuesExemption
from members.services.dues import dues_declare
from tests.e2e.conftest import check_accessibility, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _context(browser, live_server, *, phone: bool):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport=PHONE if phone else {"width": 1366, "height": 900},
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    return context, page


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_asked_on_a_phone_returned_sent_again_and_approved(browser, live_server, cast):
    dues_declare(
        member=cast.bob_member,
        kind="employee",
        base=Decimal(4000),
        valid_from=datetime.date(2024, 1, 1),
        by=None,
    )
    branch_url = reverse("members:dues_exemptions", args=[cast.branch_a.pk])
    committee_url = reverse("members:dues_exemptions", args=[cast.c1.pk])

    # The branch secretary, on a phone: from the ledger to the exemptions, and the request.
    context, phone = _context(browser, live_server, phone=True)
    log_in(phone, "alice")
    phone.goto(reverse("members:dues", args=[cast.branch_a.pk]))
    phone.locator("#dues-exemptions-link").click()
    phone.wait_for_url(f"**{branch_url}")
    _no_overflow(phone)
    check_accessibility(phone)
    form = phone.locator("#exemption-request")
    form.locator("select[name=member]").select_option(label="鲍勃")
    form.locator("input[name=months]").fill("3")
    form.locator("textarea[name=reason]").fill("长期病休，无工资收入")
    form.get_by_role("button", name="报上级审批").click()
    phone.wait_for_load_state()
    assert "已报计算机学院党委审批" in phone.content()
    row = phone.locator("#exemptions tbody tr").first
    assert "鲍勃" in row.inner_text() and "待审批" in row.inner_text()
    _no_overflow(phone)

    # The committee's commissioner, at a desk: returns it with a reason.
    desk_context, desk = _context(browser, live_server, phone=False)
    log_in(desk, "officer")
    desk.goto(committee_url)
    check_accessibility(desk)
    desk_row = desk.locator("#exemptions tbody tr").first
    desk_row.get_by_label("退回理由").fill("请补充病休证明")
    desk_row.get_by_role("button", name="退回", exact=True).click()
    desk.wait_for_load_state()
    assert DuesExemption.objects.get().status == "returned"

    # The secretary sees why, corrects the reason and sends it again.
    phone.reload()
    row = phone.locator("#exemptions tbody tr").first
    assert "请补充病休证明" in row.inner_text()
    row.locator('input[name="reason"]').fill("长期病休，已附医院证明")
    row.get_by_role("button", name="重新提交").click()
    phone.wait_for_load_state()
    assert DuesExemption.objects.get().status == "submitted"
    _no_overflow(phone)

    # The commissioner approves it.
    desk.goto(committee_url)
    desk.locator("#exemptions tbody tr").first.get_by_role("button", name="审批通过").click()
    desk.wait_for_load_state()
    exemption = DuesExemption.objects.get()
    assert exemption.status == "approved" and exemption.reason == "长期病休，已附医院证明"
    assert list(exemption.history.order_by("history_id").values_list("status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    phone.reload()
    assert "已通过" in phone.locator("#exemptions tbody tr").first.inner_text()
    assert not phone.console_errors and not desk.console_errors
    desk_context.close()
    context.close()
