"""党纪处分 (issue 19) in a real browser on a 390 px phone: a secondary committee's secretary opens a member's
record, follows its link to /members/<pk>/discipline/new/, sends a date in the future first (refused with a
Chinese message, nothing recorded), then the right date, and sees the sanction on the member's record.

Selectors use ids and names; Chinese text is matched for the messages the issue asks for.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Role
from branches.services import role_assign
from branches.dates import prose_date
from members.models import DisciplinaryRecord
from tests.e2e.conftest import check_accessibility, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_committee_secretary_records_a_sanction_on_a_phone(live_server, phone, cast):
    secretary = UserFactory(username="c1sec")
    role_assign(user=secretary, organization=cast.c1, kind=Role.Kind.SECRETARY)
    member = cast.bob_member
    today = timezone.localdate()

    log_in(phone, "c1sec")
    phone.goto(reverse("members:detail", args=[member.pk]))
    _fits(phone)
    check_accessibility(phone)
    assert "无党纪处分记录" in phone.locator("#discipline-heading").locator("..").inner_text()
    with phone.expect_navigation():
        phone.click(f"a[href='{reverse('members:discipline_new', args=[member.pk])}']")
    _fits(phone)
    check_accessibility(phone)

    # --- a wrong input first: the decision's date in the future ------------------------------------------
    phone.select_option("#id_kind", "warning")
    phone.fill("#id_decided_on", (today + datetime.timedelta(days=3)).isoformat())
    phone.fill("#id_decided_by_unit", "计算机学院党委")
    phone.fill("#id_reason", "违反工作纪律，擅自离岗。")
    with phone.expect_navigation():
        phone.click("#discipline-form button[type=submit]")
    form = phone.locator("#discipline-form").inner_text()
    assert "日期不能晚于今天" in form, form
    assert not DisciplinaryRecord.objects.exists()
    _fits(phone)
    check_accessibility(phone)

    # --- then right: the day it was decided ---------------------------------------------------------------
    decided = today - datetime.timedelta(days=2)
    phone.fill("#id_decided_on", decided.isoformat())
    with phone.expect_navigation():
        phone.click("#discipline-form button[type=submit]")
    assert "处分已记入鲍勃的档案" in phone.locator(".portal-messages").inner_text()
    assert phone.url.endswith(reverse("members:detail", args=[member.pk]))
    record = phone.locator("#discipline-heading").locator("..").inner_text()
    assert prose_date(decided) in record and "警告" in record and "违反工作纪律，擅自离岗。" in record
    _fits(phone)
    check_accessibility(phone)
    saved = DisciplinaryRecord.objects.get()
    assert (saved.member, saved.recorded_by, saved.decided_on) == (member, secretary, decided)
    assert saved.history.get().history_user == secretary
