"""Login, logout and lockout by user *and* address (django-axes)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture
def secretary(db):
    return UserFactory(username="zb001")


def _attempt(username, password, ip):
    return Client(REMOTE_ADDR=ip).post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_chinese(db, client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_login_and_logout(secretary):
    client = Client()
    response = client.post(reverse("login"), {"username": "zb001", "password": "pass-1234"})
    assert response.status_code == 302
    assert client.get(reverse("members:me")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is POST only
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("members:me")).status_code == 302


def test_wrong_password_is_refused_with_a_message(secretary):
    response = _attempt("zb001", "wrong", "10.0.0.1")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_lockout_after_five_failures_by_user_and_address(secretary, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt("zb001", "wrong", "10.0.0.1")
    locked = _attempt("zb001", "pass-1234", "10.0.0.1")  # even the right password is refused now
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # The same user from another address, and another user behind the same NAT address, still get in.
    assert _attempt("zb001", "pass-1234", "10.0.0.2").status_code == 302
    UserFactory(username="zb002")
    assert _attempt("zb002", "pass-1234", "10.0.0.1").status_code == 302


def test_pages_are_chinese_whatever_the_browser_asks(db, client):
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    body = response.content.decode()
    assert "党建工作平台" in body and "Party Building Portal" not in body


def test_behind_a_proxy_the_lockout_is_by_the_clients_address(secretary, settings):
    """nginx connects from 127.0.0.1 and passes the client in X-Forwarded-For (PROXY_COUNT=1): a lockout of one
    client must not lock the same user out from everywhere (found by deploy/try_local.sh)."""
    settings.AXES_IPWARE_PROXY_COUNT = 1

    def through_proxy(password, client_ip):
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_ip).post(
            reverse("login"), {"username": "zb001", "password": password}
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        through_proxy("wrong", "203.0.113.7")
    assert through_proxy("pass-1234", "203.0.113.7").status_code == 429
    assert through_proxy("pass-1234", "198.51.100.9").status_code == 302
