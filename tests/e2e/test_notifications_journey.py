"""Issue 20.2 in a real browser on a phone-sized screen: a branch secretary chooses 企业微信 and quiet hours on
her notification settings; the daily digest is written (the beat's task, run here); the 组织部 officer opens
the outbox on the phone, filters it and reads her message with its tries. Every page is checked with axe-core."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Role
from branches.services import role_assign
from disclosure.models import Todo
from notifications.models import Delivery, Preference
from notifications.services import digest_run
from tests.e2e.conftest import check_accessibility, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_secretary_sets_channels_and_the_organisation_department_reads_the_outbox(phone, cast):
    zzb = UserFactory(username="zzb", first_name="张正邦")
    role_assign(user=zzb, organization=cast.university, kind=Role.Kind.OFFICER)
    Todo.objects.create(
        user=cast.alice,
        kind=Todo.Kind.MEETING_MISSING,
        key="meeting:journey",
        organization=cast.branch_a,
        text="召开本季度支部党员大会",
        due_on=timezone.localdate() + datetime.timedelta(days=5),
    )

    log_in(phone, "alice")
    phone.goto(reverse("notifications:preferences"))
    check_accessibility(phone)
    phone.check("#id_wecom")
    phone.fill("#id_wecom_user_id", "alice.wx")
    phone.fill("#id_quiet_from", "22:00")
    phone.fill("#id_quiet_until", "")
    with phone.expect_navigation():
        phone.click("#save-preferences")
    # Half a window is refused on its field.
    assert phone.locator(".field-error").count() == 1
    check_accessibility(phone)
    phone.fill("#id_quiet_until", "07:30")
    with phone.expect_navigation():
        phone.click("#save-preferences")
    assert "已保存" in phone.content()
    pref = Preference.objects.get(user=cast.alice)
    assert pref.channels() == ["email", "wecom"] and pref.wecom_user_id == "alice.wx"
    assert pref.quiet_from == datetime.time(22, 0) and pref.quiet_until == datetime.time(7, 30)
    # Nothing on the page is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    digest_run(today=timezone.localdate(), now=timezone.now())  # the 07:30 beat task
    assert set(Delivery.objects.values_list("channel", "status")) == {
        ("email", "failed"),
        ("wecom", "outbox"),
    }

    phone.context.clear_cookies()
    log_in(phone, "zzb")
    phone.goto(reverse("notifications:outbox"))
    check_accessibility(phone)
    assert phone.locator("[data-delivery]").count() == 2
    phone.select_option("#id_status", "failed")
    with phone.expect_navigation():
        phone.click("#outbox-filter")
    rows = phone.locator("[data-delivery]")
    assert rows.count() == 1 and "没有接收地址" in rows.inner_text()  # alice has no e-mail address
    phone.goto(reverse("notifications:outbox"))
    with phone.expect_navigation():
        phone.click('[data-status="outbox"] a')
    check_accessibility(phone)
    assert "召开本季度支部党员大会" in phone.locator("pre").inner_text()
    assert "alice.wx" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
