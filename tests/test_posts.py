"""Posts: publishing with and without the confidentiality check, the minutes summary, permissions with the
cast, and the public pages (visibility, feed, search, cache invalidation, pinned query counts)."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disclosure.models import Meeting, Post, PostCategory, PublishingRule
from disclosure.search import query_tokens, search_tokens
from disclosure.services import (
    meeting_publish_summary,
    post_check_approve,
    post_check_return,
    post_save,
)

pytestmark = pytest.mark.django_db


def _category(code="work") -> PostCategory:
    return PostCategory.objects.get(code=code)


def _post(
    cast,
    *,
    title="支部开展主题党日活动",
    body="全体党员参观校史馆，重温入党誓词。",
    visibility="public",
    section="news",
    publish=True,
    unit=None,
    by=None,
) -> Post:
    return post_save(
        by=by or cast.alice,
        organization=unit or cast.branch_a,
        publish=publish,
        data={
            "section": section,
            "category": _category(),
            "title": title,
            "body": body,
            "visibility": visibility,
        },
    )


# --- services --------------------------------------------------------------------------------------------


def test_publish_without_check_is_immediate_and_sanitised(cast):
    post = _post(cast, body="<p>好</p><script>alert(1)</script>")
    assert post.status == Post.Status.PUBLISHED and post.published_at is not None
    assert "script" not in post.body
    assert "主题" in post.search_tokens.split()
    assert post.history.count() == 1


def test_draft_is_not_published(cast):
    post = _post(cast, publish=False)
    assert post.status == Post.Status.DRAFT and post.published_at is None


def test_check_required_goes_through_the_officer_above(cast):
    PublishingRule.objects.create(organization=cast.c1, check_required=True)  # holds for branch A below
    post = _post(cast)
    assert post.status == Post.Status.PENDING
    with pytest.raises(PermissionDenied):
        post_check_approve(post=post, by=cast.alice)  # not her own check
    with pytest.raises(PermissionDenied):
        post_check_approve(post=post, by=cast.charlie)  # another committee's branch
    returned = post_check_return(post=post, by=cast.officer, reason="含内部人员信息")
    assert returned.status == Post.Status.RETURNED and returned.published_at is None
    again = post_save(
        by=cast.alice,
        organization=cast.branch_a,
        post=returned,
        publish=True,
        data={"body": "已删除内部信息"},
    )
    assert again.status == Post.Status.PENDING
    approved = post_check_approve(post=again, by=cast.officer)
    assert approved.status == Post.Status.PUBLISHED and approved.checked_by == cast.officer
    with pytest.raises(ValidationError):
        post_check_approve(post=approved, by=cast.officer)


def test_editing_a_published_post_under_the_rule_goes_back_to_the_check(cast):
    post = _post(cast)
    PublishingRule.objects.create(organization=cast.branch_a, check_required=True)
    edited = post_save(
        by=cast.alice, organization=cast.branch_a, post=post, publish=False, data={"body": "改动后的内容"}
    )
    assert edited.status == Post.Status.PENDING and edited.published_at is not None
    assert not Post.objects.published().filter(pk=post.pk).exists()


def test_a_branch_rule_overrides_its_committee(cast):
    PublishingRule.objects.create(organization=cast.c1, check_required=True)
    PublishingRule.objects.create(organization=cast.branch_a, check_required=False)
    assert _post(cast).status == Post.Status.PUBLISHED


def test_only_the_units_secretaries_write_posts(cast):
    with pytest.raises(PermissionDenied):
        _post(cast, by=cast.bob)
    with pytest.raises(PermissionDenied):
        _post(cast, by=cast.charlie)


def test_title_and_category_are_required(cast):
    with pytest.raises(ValidationError):
        _post(cast, title="  ")


def _approved_meeting(cast) -> Meeting:
    held = timezone.now() - datetime.timedelta(days=3)
    return Meeting.objects.create(
        organization=cast.branch_a,
        kind="general_assembly",
        status="approved",
        held_at=held,
        topics="学习党章\n讨论发展党员",
        minutes="<p>内部讨论细节</p>",
        visibility="restricted",
        expected_count=10,
        present_count=8,
        leave_count=2,
    )


def test_minutes_summary_in_one_click_never_twice_never_the_minutes(cast):
    meeting = _approved_meeting(cast)
    post = meeting_publish_summary(meeting=meeting, by=cast.alice)
    assert post.section == Post.Section.BRANCH_LIFE and post.status == Post.Status.PUBLISHED
    assert post.source_meeting == meeting and post.category.code == "minutes"
    assert "8" in post.body and "学习党章" in post.body and "内部讨论细节" not in post.body
    assert meeting_publish_summary(meeting=meeting, by=cast.alice) == post
    assert Post.objects.filter(source_meeting=meeting).count() == 1
    meeting.refresh_from_db()
    assert meeting.visibility == "restricted"


def test_summary_needs_approved_minutes_and_the_secretary(cast):
    meeting = _approved_meeting(cast)
    with pytest.raises(PermissionDenied):
        meeting_publish_summary(meeting=meeting, by=cast.charlie)
    Meeting.objects.filter(pk=meeting.pk).update(status="submitted")
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        meeting_publish_summary(meeting=meeting, by=cast.alice)


def test_publish_summary_view(cast, as_alice, as_bob):
    meeting = _approved_meeting(cast)
    url = reverse("disclosure:publish_summary", args=[meeting.pk])
    assert as_alice.get(url).status_code == 405
    assert as_bob.post(url).status_code in (403, 404)
    preview = as_alice.post(url)  # issue 22: first what will be public, published only once confirmed
    assert preview.status_code == 200 and 'name="confirm"' in preview.content.decode()
    assert not Post.objects.filter(source_meeting=meeting).exists()
    response = as_alice.post(url, {"confirm": "1"})
    post = Post.objects.get(source_meeting=meeting)
    assert response["Location"] == reverse("disclosure:post_detail", args=[post.pk])
    as_alice.post(url, {"confirm": "1"})
    assert Post.objects.filter(source_meeting=meeting).count() == 1


# --- the secretaries' pages ----------------------------------------------------------------------------


def test_write_and_publish_through_the_form(cast, as_alice, as_charlie):
    url = reverse("disclosure:post_create", args=[cast.branch_a.pk])
    assert as_charlie.get(url).status_code == 403
    assert Client().get(url).status_code == 302
    data = {
        "section": "news",
        "category": _category().pk,
        "title": "支部书记讲党课",
        "body": "内容",
        "visibility": "public",
        "action": "publish",
    }
    response = as_alice.post(url, data)
    post = Post.objects.get()
    assert response.status_code == 302 and post.status == Post.Status.PUBLISHED
    bad = as_alice.post(url, {**data, "title": ""})
    assert bad.status_code == 200 and Post.objects.count() == 1


def test_check_queue_and_approve_view(cast, as_officer, as_charlie):
    PublishingRule.objects.create(organization=cast.c1, check_required=True)
    post = _post(cast)
    response = as_officer.get(reverse("disclosure:post_desk"))
    assert [p.pk for p in response.context["queue"]] == [post.pk]
    assert as_charlie.get(reverse("disclosure:post_desk")).context["queue"] == []
    assert as_charlie.post(reverse("disclosure:post_approve", args=[post.pk])).status_code == 404
    as_officer.post(reverse("disclosure:post_approve", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


# --- the public site -----------------------------------------------------------------------------------


def test_anonymous_sees_public_only(cast, anonymous, as_bob, as_charlie, as_alice):
    public = _post(cast, title="公开的消息")
    internal = _post(cast, title="校内的消息", visibility="university")
    restricted = _post(cast, title="限定的消息", visibility="restricted")
    unit_url = reverse("disclosure:open_unit", args=[cast.branch_a.code])
    page = anonymous.get(unit_url).content.decode()
    assert "公开的消息" in page and "校内的消息" not in page and "限定的消息" not in page
    assert anonymous.get(reverse("disclosure:open_post", args=["A", public.pk])).status_code == 200
    assert anonymous.get(reverse("disclosure:open_post", args=["A", internal.pk])).status_code == 302  # login
    assert anonymous.get(reverse("disclosure:open_post", args=["A", restricted.pk])).status_code == 404
    # bob (a member of branch A with a login) sees the internal post, not the restricted one.
    assert as_bob.get(reverse("disclosure:open_post", args=["A", internal.pk])).status_code == 200
    assert as_bob.get(reverse("disclosure:open_post", args=["A", restricted.pk])).status_code == 404
    assert "限定的消息" not in as_bob.get(unit_url).content.decode()
    # charlie manages branch B, not A.
    assert as_charlie.get(reverse("disclosure:open_post", args=["A", restricted.pk])).status_code == 404
    assert as_alice.get(reverse("disclosure:open_post", args=["A", restricted.pk])).status_code == 200
    assert "限定的消息" in as_alice.get(unit_url).content.decode()
    # The post belongs to A: asked for under B's code it does not exist.
    assert anonymous.get(reverse("disclosure:open_post", args=["B", public.pk])).status_code == 404
    drafts = _post(cast, title="草稿", publish=False)
    assert anonymous.get(reverse("disclosure:open_post", args=["A", drafts.pk])).status_code == 404


def test_feed_is_valid_atom_and_public_only(cast, anonymous):
    _post(cast, title="公开的消息")
    _post(cast, title="校内的消息", visibility="university")
    response = anonymous.get(reverse("disclosure:open_feed", args=["A"]))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    titles = [e.find("a:title", ns).text for e in root.findall("a:entry", ns)]
    assert titles == ["公开的消息"]
    for entry in root.findall("a:entry", ns):
        assert entry.find("a:id", ns).text and entry.find("a:updated", ns).text
        assert entry.find("a:link", ns).get("href").startswith("http://testserver/open/A/posts/")


def test_tokens():
    assert search_tokens("党建工作", "<p>AI 赋能</p>") == "党建 建工 工作 ai 赋能"
    assert query_tokens("党建 工作") == ["党建", "工作"]


def test_search_finds_a_chinese_word_inside_a_sentence(cast, anonymous, as_bob):
    _post(cast, title="学院召开专题会议", body="会议部署了基层党建工作的重点任务。")
    _post(cast, title="体育活动", body="支部组织羽毛球比赛。")
    _post(cast, title="内部通知", body="党建工作内部安排", visibility="university")
    url = reverse("disclosure:open_search")

    def found(client, q):
        page = client.get(url, {"q": q}).context["page"]
        return [p.title for p in page.object_list] if page else []

    assert found(anonymous, "党建工作") == ["学院召开专题会议"]
    assert len(found(as_bob, "党建工作")) == 2
    assert found(anonymous, "建工党") == []  # all bigrams, then the exact check
    assert found(anonymous, "羽毛球") == ["体育活动"]
    assert found(anonymous, "羽") == ["体育活动"]
    assert found(anonymous, "") == []


def test_search_returns_every_match_paged_newest_first_with_the_true_count(
    cast, anonymous, django_assert_num_queries
):
    for n in range(45):
        _post(cast, title=f"党建动态第{n}期", body="支部学习")
    url = reverse("disclosure:open_search")
    first = anonymous.get(url, {"q": "党建"})
    body = first.content.decode()
    assert "45 条结果" in body and "1 / 3" in body
    titles = [p.title for p in first.context["page"].object_list]
    assert titles[0] == "党建动态第44期" and len(titles) == 20  # newest first
    last = anonymous.get(url, {"q": "党建", "page": 3}).context["page"]
    assert [p.title for p in last.object_list][-1] == "党建动态第0期" and len(last.object_list) == 5
    assert anonymous.get(url, {"q": "党建", "page": "x"}).status_code == 200  # a bad page number: the first
    # 1 the count, 2 the page with its units and categories
    with django_assert_num_queries(2):
        anonymous.get(url, {"q": "党建", "page": 2})


def test_publishing_shows_at_once_on_a_cached_page(cast, django_capture_on_commit_callbacks):
    visitor = Client()  # one client: one middleware instance, its in-memory copy of the page
    url = reverse("disclosure:open_unit", args=["A"])
    first = visitor.get(url)
    assert first.status_code == 200 and "ETag" in first
    assert visitor.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    again = visitor.get(url)
    assert (
        again.content == first.content
        and again["Content-Security-Policy"] == first["Content-Security-Policy"]
    )
    assert "nonce" not in again["Content-Security-Policy"]
    with CaptureQueriesContext(connection) as queries:
        visitor.get(url)
    assert len(queries) == 0  # served from memory
    # The branch's count and last update show on its committee's page (the index lists committees, issue 17).
    index = visitor.get(reverse("disclosure:open_unit", args=["C1"])).content.decode()
    # The cache is dropped when the publishing transaction commits (not before: another process could
    # otherwise re-cache the old page).
    with django_capture_on_commit_callbacks(execute=True):
        _post(cast, title="刚刚发布的消息")
    assert "刚刚发布的消息" in visitor.get(url).content.decode()
    assert (
        visitor.get(reverse("disclosure:open_unit", args=["C1"])).content.decode() != index
    )  # count, last update
    assert "刚刚发布的消息" in visitor.get(reverse("disclosure:open_feed", args=["A"])).content.decode()


def test_without_commit_the_cached_page_stays(cast):
    visitor = Client()
    url = reverse("disclosure:open_unit", args=["A"])
    visitor.get(url)
    _post(cast, title="尚未提交的消息")  # the test's transaction never commits
    assert "尚未提交的消息" not in visitor.get(url).content.decode()


def test_logged_in_visitors_are_not_served_the_anonymous_copy(cast, as_bob):
    Client().get(reverse("disclosure:open_unit", args=["A"]))
    _post(cast, title="校内的消息", visibility="university")
    assert "校内的消息" in as_bob.get(reverse("disclosure:open_unit", args=["A"])).content.decode()


def test_index_query_count_is_fixed(cast, anonymous, as_bob, django_assert_num_queries):
    _post(cast)
    # 1 the universities, 2 the units of this page's, 3 the visible posts' counts and last update by unit.
    with django_assert_num_queries(3):
        anonymous.get(reverse("disclosure:open_index"), HTTP_COOKIE="")
    _post(cast, unit=cast.branch_b, by=cast.charlie)
    # Logged in: 1 session, 2 user, then the same three (the counts carry a subquery for restricted posts).
    with django_assert_num_queries(5):
        as_bob.get(reverse("disclosure:open_index"))


def test_unit_page_query_count_is_fixed(cast, as_alice, django_assert_num_queries, monkeypatch):
    # Other apps' showcase blocks bring their own (fixed) queries: pinned without them here.
    monkeypatch.setattr("disclosure.showcase._BLOCKS", [])
    for i in range(3):
        _post(cast, title=f"消息{i}", section=["news", "notices", "branch_life"][i])
    url = reverse("disclosure:open_unit", args=["C1"])
    # 1 the unit, 2 its sections' newest posts (one window query), 3 their counts, 4 the breadcrumb,
    # 5 the units below, 6 their post counts.
    with django_assert_num_queries(6):
        Client().get(url)
    # Logged in, a branch: 1 session, 2 user, 3 the unit, 4 the manage permission, 5 sections, 6 counts,
    # 7 breadcrumb, 8 the units below (none, so no counts).
    with django_assert_num_queries(8):
        as_alice.get(reverse("disclosure:open_unit", args=["A"]))
    for i in range(10):
        _post(cast, title=f"更多{i}", section="showcase")
    with django_assert_num_queries(8):
        response = as_alice.get(reverse("disclosure:open_unit", args=["A"]))
    showcase = response.context["sections"][3]
    assert showcase["count"] == 10 and len(showcase["posts"]) == 6


def test_other_apps_add_showcase_blocks(cast, anonymous, monkeypatch):
    from disclosure.showcase import register_showcase_block

    monkeypatch.setattr("disclosure.showcase._BLOCKS", [])
    register_showcase_block(lambda request, unit: f'<p class="block">{unit.code} 特色项目</p>')
    assert (
        '<p class="block">A 特色项目</p>'
        in anonymous.get(reverse("disclosure:open_unit", args=["A"])).content.decode()
    )
