"""The error pages speak Chinese (issue 14.3): 400 (and a form with too many fields), 403 (and a form
without its CSRF token), 404, 413 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE) and 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import include, path, reverse

from tests.crawl.english import english_words

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


# This module is the URLconf of the 500 tests: the project's, plus a view that fails.
urlpatterns = [path("boom/", _boom), path("", include("config.urls"))]
handler400 = "config.views.bad_request"
handler403 = "branches.views.forbidden"


def _chinese(response, *phrases: str) -> str:
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert not english_words(page), english_words(page)
    for phrase in phrases:
        assert phrase in page
    return page


def test_too_many_fields_is_a_chinese_400_that_says_why(as_alice, cast, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    url = reverse("disclosure:create", args=[cast.branch_a.pk])
    response = as_alice.post(url, {f"att-status_{n}": "present" for n in range(20)})
    assert response.status_code == 400
    _chinese(response, "请求有误", "字段超过了平台允许的数量", "后退")


def test_a_body_too_large_is_a_chinese_413(as_alice, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    url = reverse("disclosure:create", args=[cast.branch_a.pk])
    response = as_alice.post(url, {"minutes": "纪" * (1024 * 1024)})
    assert response.status_code == 413
    _chinese(response, "提交内容过大", "1 MB")


def test_another_bad_request_is_a_chinese_400(as_alice, settings):
    # A Host outside ALLOWED_HOSTS is Django's DisallowedHost: a SuspiciousOperation, so handler400.
    settings.ALLOWED_HOSTS = ["portal.example.edu.cn"]
    response = as_alice.get(reverse("home"), HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    page = _chinese(response, "请求有误", "平台无法识别本次请求")
    assert "字段超过" not in page


def test_forbidden_is_chinese(as_charlie, cast):
    response = as_charlie.get(reverse("members:roster", args=[cast.branch_a.pk]))
    assert response.status_code == 403
    _chinese(response, "无权访问")


def test_a_form_without_its_csrf_token_is_a_chinese_403(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    response = client.post(reverse("disclosure:create", args=[cast.branch_a.pk]), {"topics": "学习"})
    assert response.status_code == 403
    _chinese(response, "表单未被接受", "刷新页面")


def test_not_found_is_chinese(as_alice):
    response = as_alice.get("/no-such-page/")
    assert response.status_code == 404
    _chinese(response, "页面不存在")


@pytest.mark.urls(__name__)
def test_a_server_error_is_a_chinese_500(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.alice)
    response = client.get("/boom/")
    assert response.status_code == 500
    _chinese(response, "服务器错误", "错误已记录")


def test_the_500_page_renders_without_a_context_or_a_database(rf, django_assert_num_queries):
    from django.views.defaults import server_error

    with django_assert_num_queries(0):  # a 500 from a broken database must still show
        response = server_error(rf.get("/"))
    assert response.status_code == 500 and "服务器错误" in response.content.decode()


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1", "month=2026-01%00"])
def test_a_nul_in_a_query_parameter_is_a_chinese_400_on_every_backend(cast, as_alice, query):
    # PostgreSQL refuses NUL in a string: ?q=%00 on the roster was a 500 there (and a 200 on SQLite).
    response = as_alice.get(reverse("members:roster", args=[cast.branch_a.pk]) + "?" + query)
    assert response.status_code == 400
    _chinese(response, "请求有误")
    assert Client().get(reverse("disclosure:open_search") + "?" + query).status_code == 400
