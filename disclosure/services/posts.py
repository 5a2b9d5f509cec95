"""Writes to posts: save a draft, publish (through the confidentiality check where the unit requires it),
approve or return in the check, withdraw, attachments, and the one-click summary of approved minutes."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.attachments import attachment_remove, attachment_store, attachments_check
from branches.history import history_by
from branches.models import Organization
from branches.once import once_bind, once_claim
from branches.review import ReviewStep
from branches.selectors import MANAGE_MEMBERS, require_organization_permission
from disclosure.models import Meeting, Post, PostAttachment, PostCategory
from disclosure.public_cache import public_pages_invalidate
from disclosure.search import search_tokens
from disclosure.selectors.posts import POST_UNIT_KINDS, post_check_required, post_may_check
from disclosure.services.meetings import sanitize_minutes

POST_FIELDS = ("section", "category", "title", "body", "visibility", "source_meeting")
MAX_ATTACHMENTS = 20
# 保密审查 is the posts' review step: a pending post is returned with a reason, by whoever may check it.
POST_CHECK = ReviewStep(
    awaiting=Post.Status.PENDING,
    returned=Post.Status.RETURNED,
    reviewer_field="checked_by",
    reviewed_at_field="checked_at",
)


def _release(post: Post, by: User) -> None:
    """Published from now on (the first publish time is kept through later edits)."""
    post.status = Post.Status.PUBLISHED
    if post.published_at is None:
        post.published_at = timezone.now()
    post.return_reason = ""
    public_pages_invalidate(organization=post.organization)


def _submit(post: Post, by: User) -> None:
    if post_check_required(organization=post.organization):
        post.status = Post.Status.PENDING
        post.return_reason = ""
        if post.published_at is not None:
            public_pages_invalidate(organization=post.organization)  # an edited post leaves the pages
    else:
        _release(post, by)


@transaction.atomic
def post_save(
    *,
    by: User,
    organization: Organization,
    data: dict,
    attachments: tuple = (),
    post: Post | None = None,
    publish: bool = False,
    request_key=None,
) -> Post:
    """Save a post as a draft, or save and publish it.

    Only the unit's secretaries (manage_members) write posts. Publishing goes through the confidentiality
    check (保密审查) when the unit's ``PublishingRule`` requires it: the post then waits for an officer of
    the unit above and is not shown until approved. A post that is published and edited again with the
    check required goes back to the check. The text is sanitised; attachments are checked by content.
    """
    require_organization_permission(user=by, organization=organization, codename=MANAGE_MEMBERS)
    if organization.kind not in POST_UNIT_KINDS:
        raise ValidationError(_("%(unit)s has no public page.") % {"unit": organization.name})
    if post is None:
        if (existing := once_claim(key=request_key, user=by, model=Post)) is not None:
            return existing  # the same form sent twice: one post
        post = Post(organization=organization, author=by)
    else:
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.organization_id != organization.pk:
            raise PermissionDenied
        if not post.editable:
            raise ValidationError(_("This post is awaiting the confidentiality check and cannot be changed."))
    for name in POST_FIELDS:
        if name in data:
            setattr(post, name, data[name])
    post.title = (post.title or "").strip()
    if not post.title:
        raise ValidationError(_("Give the post a title."))
    category = post.category if post.category_id else None
    if category is None or not category.is_active:
        raise ValidationError(_("Choose a category."))
    post.body = sanitize_minutes(post.body)
    post.search_tokens = search_tokens(post.title, post.body)
    checked = attachments_check(attachments)
    was_published = post.status == Post.Status.PUBLISHED
    if publish or (was_published and post_check_required(organization=organization)):
        # An edit of a published post never skips the check: under the rule it goes back to it.
        _submit(post, by)
    elif was_published:
        public_pages_invalidate(organization=organization)  # a published post edited stays published
    history_by(post, by)
    post.save()
    if len(checked) + post.attachments.count() > MAX_ATTACHMENTS:
        raise ValidationError(_("Too many attachments on one post."))
    for item in checked:  # written to storage when the post commits
        attachment_store(model=PostAttachment, checked=item, by=by, post=post)
    once_bind(key=request_key, record=post)
    return post


@transaction.atomic
def post_check_approve(*, post: Post, by: User) -> Post:
    """保密审查 passed: the post is published."""
    post = Post.objects.select_for_update(of=("self",)).select_related("organization").get(pk=post.pk)
    if not post_may_check(user=by, post=post):
        raise PermissionDenied
    if post.status != Post.Status.PENDING:
        raise ValidationError(_("Only posts awaiting the check can be approved."))
    post.checked_by = by
    post.checked_at = timezone.now()
    _release(post, by)
    history_by(post, by)
    post.save()
    return post


@transaction.atomic
def post_check_return(*, post: Post, by: User, reason: str) -> Post:
    """保密审查 failed: the post goes back to its unit with the reason, unpublished."""
    post = Post.objects.select_for_update(of=("self",)).select_related("organization").get(pk=post.pk)
    if not post_may_check(user=by, post=post):
        raise PermissionDenied
    POST_CHECK.send_back(
        post,
        by=by,
        reason=reason,
        not_awaiting=_("Only posts awaiting the check can be returned."),
        no_reason=_("Say why the post is returned."),
    )
    return post


@transaction.atomic
def post_withdraw(*, post: Post, by: User) -> Post:
    """Take a published post off the public pages (it becomes a draft again, its history keeps all)."""
    post = Post.objects.select_for_update(of=("self",)).select_related("organization").get(pk=post.pk)
    require_organization_permission(user=by, organization=post.organization, codename=MANAGE_MEMBERS)
    if post.status != Post.Status.PUBLISHED:
        raise ValidationError(_("Only published posts can be withdrawn."))
    post.status = Post.Status.DRAFT
    history_by(post, by)
    post.save()
    public_pages_invalidate(organization=post.organization)
    return post


@transaction.atomic
def post_attachment_delete(*, attachment: PostAttachment, by: User) -> None:
    post = attachment.post
    require_organization_permission(user=by, organization=post.organization, codename=MANAGE_MEMBERS)
    if not post.editable:
        raise PermissionDenied
    attachment_remove(attachment=attachment)  # the file goes when the delete commits
    if post.status == Post.Status.PUBLISHED:
        public_pages_invalidate(organization=post.organization)


# --- minutes → 支部生活 ------------------------------------------------------------------------------------


def _without_overlap(unit: str, label: str) -> str:
    """The meeting type without what the unit's name already ends with: 「…第一党支部」 and 「支部党员大会」 make
    「…第一党支部党员大会」, not 「…支部支部党员大会」 (issue 22)."""
    for size in range(min(len(unit), len(label) - 1), 1, -1):
        if unit.endswith(label[:size]):
            return label[size:]
    return label


def meeting_summary_text(meeting: Meeting) -> tuple[str, str]:
    """Title and body of the summary post of approved minutes: what, when, who attended and the topics,
    never the minutes themselves (they keep their own visibility)."""
    held = meeting.held_on
    unit = meeting.organization.short_name or meeting.organization.name
    kind = str(meeting.get_kind_display())
    title = _("%(unit)s %(meeting)s (%(date)s)") % {
        "unit": unit,
        "meeting": _without_overlap(unit, kind),
        "date": f"{held.year}年{held.month}月{held.day}日",
    }
    lines = [
        _("On %(date)s %(unit)s held a %(meeting)s.")
        % {
            "date": f"{held.year}年{held.month}月{held.day}日",
            "unit": meeting.organization.name,
            "meeting": meeting.get_kind_display(),
        },
        _("%(expected)d members were expected: %(present)d present, %(leave)d on leave, %(absent)d absent.")
        % {
            "expected": meeting.expected_count,
            "present": meeting.present_count,
            "leave": meeting.leave_count,
            "absent": meeting.absent_count,
        },
    ]
    topics = " ".join(meeting.topics.split())[:300]
    if topics:
        lines.append(_("Topics: %(topics)s") % {"topics": topics})
    return title[:200], "\n\n".join(lines)


def _summary_category() -> PostCategory:
    category = (
        PostCategory.objects.filter(code="minutes", is_active=True).first()
        or PostCategory.objects.filter(is_active=True).first()
    )
    if category is None:
        raise ValidationError(_("No post category is active; ask the administrator to add one."))
    return category


def meeting_publish_summary(*, meeting: Meeting, by: User, body: str | None = None) -> Post:
    """发布到支部生活 in one click: a public summary post of approved minutes (through the check if the
    unit requires one). A second click returns the existing summary instead of making another."""
    require_organization_permission(user=by, organization=meeting.organization, codename=MANAGE_MEMBERS)
    existing = Post.objects.filter(source_meeting=meeting).first()
    if existing is not None:
        return existing
    if meeting.status != Meeting.Status.APPROVED:
        raise ValidationError(_("Only approved minutes can be published as a summary."))
    title, text = meeting_summary_text(meeting)
    try:
        with transaction.atomic():
            post = post_save(
                by=by,
                organization=meeting.organization,
                publish=True,
                data={
                    "section": Post.Section.BRANCH_LIFE,
                    "category": _summary_category(),
                    "title": title,
                    "body": body if body is not None else text,
                    "visibility": Post.Visibility.PUBLIC,
                    "source_meeting": meeting,
                },
            )
    except IntegrityError:  # a concurrent click won the unique constraint
        return Post.objects.get(source_meeting=meeting)
    return post
