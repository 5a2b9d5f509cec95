"""Posts on the units' public pages (晾晒 / 党务公开): four sections, categories as data, attachments, the
confidentiality check (保密审查) a unit may require before publishing."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.attachments import AttachmentBase
from branches.models import Organization
from disclosure.models.meetings import Meeting


class PostCategory(models.Model):
    """理论学习, 推进工作, 活动纪实 … Data, not code: the defaults fill an empty table after migrate."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("post category")
        verbose_name_plural = _("post categories")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class PublishingRule(models.Model):
    """Whether a unit's posts need the confidentiality check (保密审查) by the unit above before they are
    published. A rule on a committee holds for its whole subtree unless a unit below has its own."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="publishing_rule", verbose_name=_("organization")
    )
    check_required = models.BooleanField(_("confidentiality check required"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("publishing rule")
        verbose_name_plural = _("publishing rules")

    def __str__(self) -> str:
        return f"{self.organization} · {self.check_required}"


class PostQuerySet(models.QuerySet):
    def published(self) -> PostQuerySet:
        return self.filter(status=Post.Status.PUBLISHED)


class Post(models.Model):
    class Section(models.TextChoices):
        NOTICES = "notices", _("Notices")
        NEWS = "news", _("Party building news")
        BRANCH_LIFE = "branch_life", _("Branch life")
        SHOWCASE = "showcase", _("Showcase")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        UNIVERSITY = "university", _("Members of the university")
        RESTRICTED = "restricted", _("Restricted")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting confidentiality check")
        RETURNED = "returned", _("Returned")
        PUBLISHED = "published", _("Published")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="posts", verbose_name=_("organization")
    )
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    category = models.ForeignKey(
        PostCategory, on_delete=models.PROTECT, related_name="posts", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, help_text=_("Sanitised HTML."))
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    source_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="summary_posts",
        verbose_name=_("summary of meeting"),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    # Bigrams of the title and text (disclosure.search): what the full-text indexes cover.
    search_tokens = models.TextField(_("search tokens"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_tokens"])
    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-pk"]
        constraints = [
            # One summary per meeting: a double click on "publish to 支部生活" never makes two.
            models.UniqueConstraint(
                fields=["source_meeting"],
                condition=Q(source_meeting__isnull=False),
                name="post_one_summary_per_meeting",
            ),
            models.CheckConstraint(
                name="post_published_has_time",
                condition=~Q(status="published") | Q(published_at__isnull=False),
            ),
        ]
        indexes = [
            # A unit's page: its published posts by section, newest first.
            models.Index(
                fields=["organization", "status", "section", "published_at"], name="post_unit_section"
            ),
            # The index page, feeds and benchmarking: published posts of a period.
            models.Index(fields=["status", "published_at"], name="post_published"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        return self.status != self.Status.PENDING


def post_attachment_path(instance: PostAttachment, filename: str) -> str:
    return f"posts/{instance.post_id}/{uuid.uuid4().hex}"


class PostAttachment(AttachmentBase):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("post")
    )
    storage_folder = "posts"
    file = models.FileField(_("file"), upload_to=post_attachment_path)

    class Meta(AttachmentBase.Meta):
        verbose_name = _("post attachment")
        verbose_name_plural = _("post attachments")
