"""Issue 16.6: /accounts/password_reset/ in Chinese, sending through the configured mail — a real SMTP server
(aiosmtpd) on loopback, the mail read back as it arrived, its link followed to a new password."""

from __future__ import annotations

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import UserFactory


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd's start() connects to the port it was given: not 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            PASSWORD_RESET_BY_MAIL=True,
            DEFAULT_FROM_EMAIL="portal@uni.example",
        ):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return UserFactory(username="dy_reset", email="dy_reset@uni.example", first_name="李晓明")


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_without_mail_the_page_says_whom_to_ask_and_sends_nothing(member, mailoutbox):
    client = Client()
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "未配置邮件发送" in text and "支部书记" in text and "<form" not in text.split("<main")[-1]
    client.post(reverse("password_reset"), {"email": member.email})
    assert mailoutbox == []


def test_the_mail_arrives_in_chinese_and_its_link_sets_a_new_password(member, smtp):
    client = Client()
    form = client.get(reverse("password_reset"))
    assert "重置密码" in form.content.decode()
    done = client.post(reverse("password_reset"), {"email": "DY_RESET@uni.example"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("password_reset_done")
    assert "请查收邮件" in done.content.decode()
    [message] = smtp.messages
    assert message["X-Envelope-To"] == "dy_reset@uni.example"
    assert message["From"] == "portal@uni.example"
    assert message["Subject"] == "重置党建平台的密码"
    body = _body(message)
    assert "李晓明" in body and "dy_reset" in body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", body).group(1)

    confirm = client.get(link, follow=True)  # Django moves the token into the session, then shows the form
    assert confirm.status_code == 200 and "设置新密码" in confirm.content.decode()
    set_url = confirm.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "密码" in weak.content.decode()  # refused, in Chinese, nothing changed
    member.refresh_from_db()
    assert member.check_password("pass-1234")
    client.post(set_url, {"new_password1": "红旗-Reset-2027", "new_password2": "红旗-Reset-2027"})
    member.refresh_from_db()
    assert member.check_password("红旗-Reset-2027")
    assert (
        Client().post(reverse("login"), {"username": "dy_reset", "password": "红旗-Reset-2027"}).status_code
        == 302
    )

    again = Client().get(link, follow=True)  # the link works once
    assert again.status_code == 404 and "此链接无法使用" in again.content.decode()


def test_an_unknown_address_or_an_account_without_a_local_password_gets_no_mail_and_the_same_answer(
    member, smtp
):
    cas_only = UserFactory(username="cas_only", email="cas_only@uni.example")
    cas_only.set_unusable_password()
    cas_only.save()
    client = Client()
    unknown = client.post(reverse("password_reset"), {"email": "nobody@uni.example"})
    no_password = client.post(reverse("password_reset"), {"email": "cas_only@uni.example"})
    assert unknown.status_code == no_password.status_code == 302
    assert unknown["Location"] == no_password["Location"] == reverse("password_reset_done")
    assert smtp.messages == []


def test_requests_from_one_address_are_limited_with_retry_after(member, smtp, settings):
    settings.PASSWORD_RESETS_PER_HOUR = 3
    client = Client(REMOTE_ADDR="10.9.8.7")
    statuses = [client.post(reverse("password_reset"), {"email": member.email}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    refused = client.post(reverse("password_reset"), {"email": member.email})
    assert refused["Retry-After"] == "3600" and "请求过于频繁" in refused.content.decode()
    assert len(smtp.messages) == 3
    # Another address is not held back.
    assert (
        Client(REMOTE_ADDR="10.9.8.8").post(reverse("password_reset"), {"email": member.email}).status_code
        == 302
    )
