"""Issue 19 (七一表彰) in a real browser: 组织部 opens the year's commendation at a desk; a committee's organiser
nominates on a phone (a probationary member is refused with the reason, a full member accepted); 组织部 starts
the 公示, which anyone can read; after it ends 组织部 awards within the quota and publishes the results as a
通知公告 post; the certificate list shows the honoured member.

Selectors use ids and names; Chinese text is matched for the messages the issue asks for.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models.commendation import Commendation, Nomination
from branches.models import Role
from branches.services import role_assign
from members.models import Member
from tests.e2e.conftest import check_accessibility, log_in
from tests.factories import MemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_department_runs_a_commendation(browser, live_server, page, phone, cast):
    head = UserFactory(username="zzb")
    role_assign(user=head, organization=cast.university, kind=Role.Kind.OFFICER)
    probationary = MemberFactory(
        branch=cast.branch_a, name="预备乙", stage=Member.Stage.PROBATIONARY, full_on=None
    )
    today = timezone.localdate()

    # --- 组织部 opens the commendation ----------------------------------------------------------------------
    log_in(page, "zzb")
    page.goto(reverse("commendation:home"))
    check_accessibility(page)
    with page.expect_navigation():
        page.click("#commendation-new")
    page.fill("#id_nominations_open_on", (today - datetime.timedelta(days=1)).isoformat())
    page.fill("#id_nominations_close_on", (today + datetime.timedelta(days=10)).isoformat())
    with page.expect_navigation():
        page.click("#commendation-open")
    assert "开始推荐" in page.locator(".portal-messages").inner_text()
    commendation = Commendation.objects.get()
    check_accessibility(page)

    # --- the committee's organiser nominates on a phone -----------------------------------------------------
    log_in(phone, "officer")
    url = reverse("commendation:nominate", args=[commendation.pk])
    phone.goto(url)
    _fits(phone)
    check_accessibility(phone)
    phone.select_option("#id_kind", "member")
    phone.select_option("#id_member", str(probationary.pk))
    phone.fill("#id_deeds", "积极参加志愿服务。")
    phone.fill("#id_endorsement", "同意推荐。")
    with phone.expect_navigation():
        phone.click("#nomination-save")
    # refused with the reason, in the form's error box (the page's help text names 预备党员 too)
    assert "预备党员" in phone.locator("form .alert-danger").inner_text()
    phone.select_option("#id_member", str(cast.bob_member.pk))
    phone.fill("#id_deeds", "扎根教学一线，主讲课程获评省级一流课程。")
    phone.fill("#id_endorsement", "经党委会研究，同意推荐。")
    with phone.expect_navigation():
        phone.click("#nomination-save")
    assert "推荐已提交" in phone.locator(".portal-messages").inner_text()
    _fits(phone)
    nomination = Nomination.objects.get()

    # --- 组织部 starts the 公示; anyone reads it ------------------------------------------------------------
    page.goto(reverse("commendation:detail", args=[commendation.pk]))
    with page.expect_navigation():
        page.click("#notice-start")
    assert "公示已开始" in page.locator(".portal-messages").inner_text()
    stranger = browser.new_context(base_url=live_server.url, locale="zh-CN")
    anonymous = stranger.new_page()
    anonymous.goto(reverse("open_commendation:notice", args=[commendation.pk]))
    assert "鲍勃" in anonymous.content() and cast.bob_member.id_number not in anonymous.content()
    check_accessibility(anonymous)
    stranger.close()

    # --- the 公示 has ended (its end moved to yesterday instead of waiting five working days) ----------------
    Commendation.objects.filter(pk=commendation.pk).update(notice_ends_on=today - datetime.timedelta(days=1))
    page.goto(reverse("commendation:nomination", args=[nomination.pk]))
    check_accessibility(page)
    page.select_option("#id_award", "1")
    with page.expect_navigation():
        page.click("#decide-save")
    assert "评定已记录" in page.locator(".portal-messages").inner_text()
    with page.expect_navigation():
        page.click("#publish")
    assert "结果已公布" in page.locator(".portal-messages").inner_text()
    assert page.locator("#results-post").count() == 1
    page.goto(reverse("commendation:certificates", args=[commendation.pk]))
    assert "鲍勃" in page.locator("#certificates").inner_text()
    check_accessibility(page)
