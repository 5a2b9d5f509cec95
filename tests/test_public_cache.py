"""The public page cache (disclosure.middleware): what it serves, to whom, with which headers, and that a
publish in one process invalidates the copies of another."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from disclosure.models import PostCategory
from disclosure.public_cache import public_generation, public_pages_invalidate
from disclosure.services import post_save

pytestmark = pytest.mark.django_db


def _publish(cast, title, visibility="public"):
    return post_save(
        by=cast.alice,
        organization=cast.branch_a,
        publish=True,
        data={
            "section": "news",
            "category": PostCategory.objects.get(code="work"),
            "title": title,
            "body": "正文",
            "visibility": visibility,
        },
    )


def test_cached_answer_keeps_the_full_stacks_headers(cast):
    visitor = Client()
    first = visitor.get("/open/A/")
    second = visitor.get("/open/A/")
    assert second.context is None  # not rendered: served by the middleware
    for header in (
        "Content-Type",
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Vary",
        "ETag",
    ):
        assert second[header] == first[header], header
    assert second.content == first.content
    not_modified = visitor.get("/open/A/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"] and "Content-Security-Policy" in not_modified


def test_only_anonymous_gets_of_public_pages_are_cached(cast, as_bob):
    visitor = Client()
    visitor.get("/open/search/?q=党建")
    assert visitor.get("/open/search/?q=党建").context is not None  # search is never cached
    visitor.get("/open/nope/")
    assert visitor.get("/open/nope/").status_code == 404  # errors are not stored
    as_bob.get("/open/A/")
    assert as_bob.get("/open/A/").context is not None  # a session cookie: the full stack every time
    assert visitor.head("/open/A/").status_code == 200
    visitor.cookies["messages"] = "x"
    visitor.get("/open/A/")
    assert visitor.get("/open/A/").context is not None  # a pending message is rendered, not a stored page


def test_a_publish_in_another_process_invalidates_this_ones_copy(cast, django_capture_on_commit_callbacks):
    # Two clients are two middleware instances with their own in-memory copies, like two gunicorn workers;
    # the generation they check is shared (here the file under VAR_DIR, in production Redis).
    worker_1, worker_2 = Client(), Client()
    for worker in (worker_1, worker_2):
        worker.get("/open/A/")
        assert worker.get("/open/A/").context is None
    before = public_generation()
    with django_capture_on_commit_callbacks(execute=True):
        _publish(cast, "另一进程发布的消息")
    assert public_generation() != before
    for worker in (worker_1, worker_2):
        response = worker.get("/open/A/")
        assert response.context is not None and "另一进程发布的消息" in response.content.decode()


def test_invalidate_waits_for_the_commit(cast, django_capture_on_commit_callbacks):
    before = public_generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        public_pages_invalidate(organization=cast.branch_a)
    assert public_generation() == before and len(callbacks) == 1
    callbacks[0]()
    assert public_generation() != before


def test_draft_saves_do_not_invalidate(cast, django_capture_on_commit_callbacks):
    before = public_generation()
    with django_capture_on_commit_callbacks(execute=True):
        post_save(
            by=cast.alice,
            organization=cast.branch_a,
            publish=False,
            data={"section": "news", "category": PostCategory.objects.get(code="work"), "title": "草稿"},
        )
    assert public_generation() == before


def test_public_pages_have_no_inline_script(cast):
    _publish(cast, "消息")
    for url in (
        "/open/",
        "/open/A/",
        "/open/C1/",
        "/open/benchmark/",
        "/open/A/s/news/",
        reverse("disclosure:open_search") + "?q=消息",
    ):
        html = Client().get(url).content.decode()
        assert "<script>" not in html and "nonce" not in html and "style=" not in html, url


def test_a_recheck_interval_trades_freshness_for_fewer_lookups(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_RECHECK_SECONDS = 3600  # PUBLIC_PAGE_CACHE_RECHECK_MS=3600000
    visitor = Client()  # its middleware reads the setting when it is built (first request)
    visitor.get("/open/A/")
    with django_capture_on_commit_callbacks(execute=True):
        _publish(cast, "一小时内看不到")
    assert "一小时内看不到" not in visitor.get("/open/A/").content.decode()  # stale until the next check
    assert "一小时内看不到" in Client().get("/open/A/").content.decode()  # a fresh process sees it


def test_the_cache_can_be_switched_off(cast, settings):
    settings.PUBLIC_PAGE_CACHE = False
    visitor = Client()
    visitor.get("/open/A/")
    assert visitor.get("/open/A/").context is not None
