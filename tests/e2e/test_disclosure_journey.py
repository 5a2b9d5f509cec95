"""Issue 4 in a real browser: an anonymous visitor goes from the index to a unit's page to a post and cannot
reach an internal or a restricted one; a branch secretary publishes a post and it shows at once on the
unit's page (served from the public page cache before), in its feed and in the benchmark counts. Every
page is checked with axe-core under the real CSP, and no script or style is refused.
"""

from __future__ import annotations

import pytest

from disclosure.models import Post, PostCategory
from disclosure.services import post_save
from tests.e2e.conftest import check_accessibility, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _post(cast, title: str, visibility: str = "public", section: str = "news") -> Post:
    return post_save(
        by=cast.alice,
        organization=cast.branch_a,
        publish=True,
        data={
            "section": section,
            "category": PostCategory.objects.get(code="work"),
            "title": title,
            "body": "全体党员参观校史馆，重温入党誓词。",
            "visibility": visibility,
        },
    )


def _go(page, url: str) -> None:
    page.goto(url)
    check_accessibility(page)


def _click(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    check_accessibility(page)


def _bench_total(page, code: str) -> int:
    _go(page, "/open/benchmark/")
    return int(page.locator(f'#branches tr[data-unit="{code}"] .bench-total').inner_text())


def test_visitor_reads_and_secretary_publishes(browser, live_server, page, cast):
    public = _post(cast, "支部开展主题党日活动")
    internal = _post(cast, "支部内部工作安排", visibility="university")
    restricted = _post(cast, "支部限定范围材料", visibility="restricted")

    visitor = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    errors: list[str] = []
    visitor.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # --- anonymous: index → committee → branch → post --------------------------------------------------
    _go(visitor, "/open/")
    _click(visitor, 'a[data-unit="C1"]')
    _click(visitor, f'a[href="/open/{cast.branch_a.code}/"] >> nth=-1')
    assert "支部开展主题党日活动" in visitor.content()
    assert "支部内部工作安排" not in visitor.content() and "支部限定范围材料" not in visitor.content()
    _click(visitor, f'a[href="/open/A/posts/{public.pk}/"]')
    assert visitor.locator("h1").inner_text() == "支部开展主题党日活动"

    # The internal post asks for a login; the restricted one does not exist for the visitor.
    visitor.goto(f"/open/A/posts/{internal.pk}/")
    assert "/accounts/login/" in visitor.url
    response = visitor.goto(f"/open/A/posts/{restricted.pk}/")
    assert response.status == 404
    errors.clear()  # the browser logs that 404 as a failed resource; nothing else may fail from here on

    # The visitor's copies are warm: the unit page, its feed and the benchmark.
    _go(visitor, "/open/A/")
    feed = visitor.request.get("/open/A/feed.atom")
    assert feed.ok and "支部开展主题党日活动" in feed.text() and "支部内部工作安排" not in feed.text()
    before = _bench_total(visitor, "A")

    # --- the secretary publishes ------------------------------------------------------------------------
    log_in(page, "alice")
    _go(page, "/posts/")
    _click(page, f'a[href="/org/{cast.branch_a.pk}/posts/new/"]')
    page.select_option("#id_section", "branch_life")
    page.select_option("#id_category", str(PostCategory.objects.get(code="activity").pk))
    page.fill("#id_title", "青年党员志愿服务进社区")
    page.fill("#id_body", "支部组织青年党员走进社区开展志愿服务。\n\n共服务居民一百余人次。")
    _click(page, 'button[data-action="publish"]')
    assert Post.objects.get(title="青年党员志愿服务进社区").status == Post.Status.PUBLISHED
    assert "已发布" in page.locator("#post-status").inner_text()

    # --- at once, for the anonymous visitor ---------------------------------------------------------
    _go(visitor, "/open/A/")
    assert "青年党员志愿服务进社区" in visitor.locator("#branch_life").inner_text()
    feed = visitor.request.get("/open/A/feed.atom")
    assert "青年党员志愿服务进社区" in feed.text()
    assert _bench_total(visitor, "A") == before + 1
    _go(visitor, "/open/search/?q=志愿服务")
    assert "青年党员志愿服务进社区" in visitor.locator("#search-results").inner_text()
    assert not errors, errors
    assert not page.console_errors, page.console_errors
    visitor.context.close()
