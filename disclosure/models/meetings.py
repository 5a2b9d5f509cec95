"""Meetings and their minutes (三会一课 and the committee meetings), how often each is required,
attendance, attachments, review routing and the secretaries' and reviewers' to-do items."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.attachments import AttachmentBase
from branches.models import Organization
from members.models import Member


class Period(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class MeetingQuerySet(models.QuerySet):
    def filed(self) -> MeetingQuerySet:
        """Submitted for review or approved: the record exists for the branch, whatever the reviewer says."""
        return self.filter(status__in=[Meeting.Status.SUBMITTED, Meeting.Status.APPROVED])

    def approved(self) -> MeetingQuerySet:
        return self.filter(status=Meeting.Status.APPROVED)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        GENERAL_ASSEMBLY = "general_assembly", _("Branch general meeting")
        BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting")
        GROUP_MEETING = "group_meeting", _("Party group meeting")
        PARTY_LECTURE = "party_lecture", _("Party lecture")
        THEME_DAY = "theme_day", _("Theme party day")
        ORGANIZATIONAL_LIFE = "organizational_life", _("Organizational life meeting")
        DEMOCRATIC_REVIEW = "democratic_review", _("Democratic review of members")
        COMMITTEE_MEETING = "committee_meeting", _("Party committee meeting")
        JOINT_MEETING = "joint_meeting", _("Joint Party–administration meeting")
        CENTRAL_GROUP_STUDY = "central_group_study", _("Central group study")
        DEMOCRATIC_LIFE = "democratic_life", _("Democratic life meeting")  # 民主生活会 (issue 18)

    BRANCH_KINDS = (
        Kind.GENERAL_ASSEMBLY,
        Kind.BRANCH_COMMITTEE,
        Kind.GROUP_MEETING,
        Kind.PARTY_LECTURE,
        Kind.THEME_DAY,
        Kind.ORGANIZATIONAL_LIFE,
        Kind.DEMOCRATIC_REVIEW,
    )
    COMMITTEE_KINDS = (
        Kind.COMMITTEE_MEETING,
        Kind.JOINT_MEETING,
        Kind.CENTRAL_GROUP_STUDY,
        Kind.DEMOCRATIC_LIFE,
    )

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")
        RESTRICTED = "restricted", _("Restricted")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organization")
    )
    party_group = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_meetings",
        verbose_name=_("party group"),
    )
    kind = models.CharField(_("meeting type"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    chair = models.CharField(_("chair"), max_length=50, blank=True)
    recorder = models.CharField(_("recorder"), max_length=50, blank=True)
    lecturer = models.CharField(_("lecturer"), max_length=50, blank=True)
    topics = models.TextField(_("topics"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Sanitised HTML."))
    decisions = models.TextField(_("decisions"), blank=True)
    observers = models.TextField(_("observers"), blank=True)
    takes_vote = models.BooleanField(_("a vote is taken"), default=False)

    # Derived from the attendance by the services, never typed by hand.
    expected_count = models.PositiveIntegerField(_("expected"), default=0)
    present_count = models.PositiveIntegerField(_("present"), default=0)
    leave_count = models.PositiveIntegerField(_("on leave"), default=0)
    absent_count = models.PositiveIntegerField(_("absent"), default=0)
    voting_expected = models.PositiveIntegerField(_("voting members expected"), default=0)
    voting_present = models.PositiveIntegerField(_("voting members present"), default=0)

    reviewer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings_to_review",
        verbose_name=_("reviewing unit"),
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    filing_lag_days = models.IntegerField(_("filing lag (days)"), null=True, blank=True)
    is_late = models.BooleanField(_("filed late"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="meeting_counts_add_up",
                condition=Q(
                    expected_count=models.F("present_count")
                    + models.F("leave_count")
                    + models.F("absent_count")
                ),
            ),
        ]
        indexes = [
            # Compliance: approved meetings of a subtree's units by kind within a year.
            models.Index(fields=["organization", "status", "kind", "held_at"], name="meeting_compliance"),
            # The review queue of one reviewing unit.
            models.Index(fields=["reviewer", "status"], name="meeting_review_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def held_on(self) -> datetime.date:
        from django.utils import timezone

        return timezone.localtime(self.held_at).date()


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LEAVE = "leave", _("On leave")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("member")
    )
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never reuses the uploaded one (it is kept in ``name`` for the download).
    import uuid

    return f"meetings/{instance.meeting_id}/{uuid.uuid4().hex}"


class Attachment(AttachmentBase):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("meeting")
    )
    storage_folder = "meetings"
    file = models.FileField(_("file"), upload_to=attachment_path)

    class Meta(AttachmentBase.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class MeetingRule(models.Model):
    """How often a meeting type is required of a branch (DESIGN §5, 支部工作条例 2018). Data, not code."""

    kind = models.CharField(_("meeting type"), max_length=30, choices=Meeting.Kind.choices, unique=True)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    times = models.PositiveSmallIntegerField(_("times per period"), default=1)
    only_with_groups = models.BooleanField(_("only branches with party groups"), default=False)
    min_full_members = models.PositiveSmallIntegerField(
        _("only branches with at least this many full members"),
        null=True,
        blank=True,
        help_text=_("A branch committee (支委会) exists from 7 full members."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting frequency rule")
        verbose_name_plural = _("meeting frequency rules")
        ordering = ["kind"]
        constraints = [models.CheckConstraint(name="meeting_rule_times_positive", condition=Q(times__gte=1))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_period_display()} × {self.times}"


class ReviewRoute(models.Model):
    """Sends the minutes of one category of branches to another reviewing unit than their committee
    (e.g. student branches to the 学生工作部党总支)."""

    category = models.CharField(
        _("branch category"), max_length=20, choices=Organization.Category.choices, unique=True
    )
    reviewer = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("reviewing unit")
    )

    class Meta:
        verbose_name = _("review route")
        verbose_name_plural = _("review routes")

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {self.reviewer}"


class TodoQuerySet(models.QuerySet):
    def open(self) -> TodoQuerySet:
        return self.filter(done_at__isnull=True)


class Todo(models.Model):
    """One thing one person should do. ``key`` makes the daily step idempotent."""

    class Kind(models.TextChoices):
        MEETING_MISSING = "meeting_missing", _("Meeting to hold")
        REVIEW_WAITING = "review_waiting", _("Minutes to review")
        RETURNED = "returned", _("Minutes returned")
        MEMBER_AFFAIRS = "member_affairs", _("Member affairs")
        ASSESSMENT = "assessment", _("Annual assessment")
        GUIDE = "guide", _("Annual work guide")
        EVALUATION = "evaluation", _("Member evaluation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todos", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=120)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="todos",
        verbose_name=_("meeting"),
    )
    text = models.CharField(_("text"), max_length=200)
    # Where to do it, for to-dos that higher apps create (this app cannot reverse their URLs by itself).
    link = models.CharField(_("link"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = TodoQuerySet.as_manager()

    class Meta:
        verbose_name = _("to-do item")
        verbose_name_plural = _("to-do items")
        ordering = ["due_on", "created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="todo_once_per_user_and_key")]
        indexes = [models.Index(fields=["user", "done_at"], name="todo_open_for_user")]

    def __str__(self) -> str:
        return self.text
