"""The secretaries' post pages and the remaining public pages: cross-unit access, wrong methods,
attachments checked by content, query counts of the post page, a section list and the feed, the demo."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from disclosure.models import Post, PostAttachment, PostCategory, PublishingRule
from disclosure.services import post_save

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _post(cast, *, title="消息", visibility="public", publish=True, attachments=()):
    return post_save(
        by=cast.alice,
        organization=cast.branch_a,
        publish=publish,
        attachments=attachments,
        data={
            "section": "news",
            "category": PostCategory.objects.get(code="work"),
            "title": title,
            "body": "正文",
            "visibility": visibility,
        },
    )


def test_other_units_cannot_touch_a_post(cast, as_charlie, as_bob, as_officer):
    post = _post(cast, publish=False)
    for client in (as_charlie, as_bob):
        assert client.get(reverse("disclosure:post_detail", args=[post.pk])).status_code == 404
        assert client.get(reverse("disclosure:post_edit", args=[post.pk])).status_code == 403
        assert client.post(reverse("disclosure:post_withdraw", args=[post.pk])).status_code == 404
        assert client.get(reverse("disclosure:post_list", args=[cast.branch_a.pk])).status_code == 403
    # The committee officer above manages the branch's members, hence its posts too.
    assert as_officer.get(reverse("disclosure:post_detail", args=[post.pk])).status_code == 200
    assert Client().get(reverse("disclosure:post_detail", args=[post.pk])).status_code == 302


def test_wrong_methods(cast, as_alice):
    post = _post(cast)
    for name in ("post_approve", "post_return", "post_withdraw"):
        assert as_alice.get(reverse(f"disclosure:{name}", args=[post.pk])).status_code == 405
    assert as_alice.post(reverse("disclosure:open_unit", args=["A"])).status_code == 405


def test_withdraw_takes_the_post_off(cast, as_alice, anonymous):
    post = _post(cast)
    as_alice.post(reverse("disclosure:post_withdraw", args=[post.pk]))
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert anonymous.get(reverse("disclosure:open_post", args=["A", post.pk])).status_code == 404


def test_return_needs_a_reason_and_keeps_the_post(cast, as_officer):
    PublishingRule.objects.create(organization=cast.branch_a, check_required=True)
    post = _post(cast)
    response = as_officer.post(reverse("disclosure:post_return", args=[post.pk]), {"reason": ""})
    assert response.status_code == 400
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING


def test_attachments_checked_by_content_and_by_visibility(
    cast, as_alice, as_bob, anonymous, django_capture_on_commit_callbacks
):
    url = reverse("disclosure:post_create", args=[cast.branch_a.pk])
    data = {
        "section": "news",
        "category": PostCategory.objects.get(code="work").pk,
        "title": "带附件",
        "body": "正文",
        "visibility": "public",
        "action": "publish",
    }
    bad = as_alice.post(url, {**data, "attachments": SimpleUploadedFile("report.pdf", EXE)})
    assert bad.status_code == 200 and not Post.objects.exists()  # nothing saved, the form shown again
    with django_capture_on_commit_callbacks(execute=True):  # the file is written when the post commits
        as_alice.post(url, {**data, "attachments": SimpleUploadedFile("report.pdf", PDF)})
    post = Post.objects.get()
    attachment = post.attachments.get()
    public_url = reverse("disclosure:open_attachment", args=["A", post.pk, attachment.pk])
    assert anonymous.get(public_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        internal = _post(
            cast, title="内部", visibility="university", attachments=(SimpleUploadedFile("b.pdf", PDF),)
        )
    other = PostAttachment.objects.get(post=internal)
    assert (
        anonymous.get(reverse("disclosure:open_attachment", args=["A", internal.pk, other.pk])).status_code
        == 404
    )
    assert (
        as_bob.get(reverse("disclosure:open_attachment", args=["A", internal.pk, other.pk])).status_code
        == 200
    )
    # An attachment is reached only through its own post.
    assert (
        anonymous.get(reverse("disclosure:open_attachment", args=["A", post.pk, other.pk])).status_code == 404
    )


def test_post_section_and_feed_query_counts(cast, django_assert_num_queries):
    posts = [_post(cast, title=f"消息{i}", attachments=(SimpleUploadedFile("a.pdf", PDF),)) for i in range(3)]
    # 1 the unit, 2 the post with category and unit, 3 its attachments, 4 the breadcrumb.
    with django_assert_num_queries(4):
        assert Client().get(reverse("disclosure:open_post", args=["A", posts[0].pk])).status_code == 200
    # 1 the unit, 2 the count, 3 the page of posts, 4 the breadcrumb.
    with django_assert_num_queries(4):
        assert len(Client().get(reverse("disclosure:open_section", args=["A", "news"])).context["page"]) == 3
    # 1 the unit, 2 its newest public posts.
    with django_assert_num_queries(2):
        Client().get(reverse("disclosure:open_feed", args=["A"]))
    assert Client().get(reverse("disclosure:open_section", args=["A", "bogus"])).status_code == 404


def test_desk_query_count(cast, as_officer, django_assert_num_queries):
    PublishingRule.objects.create(organization=cast.c1, check_required=True)
    for i in range(3):
        _post(cast, title=f"待审{i}")
    # 1 session, 2 user, 3 units the officer writes for, 4 the check queue.
    with django_assert_num_queries(4):
        response = as_officer.get(reverse("disclosure:post_desk"))
    assert len(response.context["queue"]) == 3
