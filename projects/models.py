"""Grants: calls for 特色阵地 showcase projects and 党建研究课题 research topics, the applications, their review,
the 组织部's decision, the money spent and the acceptance (结项).

Both kinds of grant walk the same lifecycle, so they share one table (``Grant``); ``FeatureProject`` and
``ResearchTopic`` (DESIGN §4) are proxies over it with their own managers. A showcase project belongs to
organisations (a lead and, for a joint application, partners: ``GrantUnit``); a research topic to a person
with a unit (``applicant`` + ``organization``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.attachments import AttachmentBase
from branches.models import Organization

MONEY = {"max_digits": 12, "decimal_places": 2}


class GrantKind(models.TextChoices):
    FEATURE = "feature", _("Showcase project")
    RESEARCH = "research", _("Research topic")


class GrantCall(models.Model):
    """A year's call for one kind of grant, issued by the university's organisation department."""

    class Mode(models.TextChoices):
        APPLICATION = "application", _("Open application")
        TENDER = "tender", _("Tender")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="grant_calls", verbose_name=_("issued by")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=GrantKind.choices)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.APPLICATION)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("application deadline"))
    completes_on = models.DateField(_("final report due"))
    budget = models.DecimalField(_("budget (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    key_quota = models.PositiveSmallIntegerField(_("key grants (quota)"))
    general_quota = models.PositiveSmallIntegerField(_("general grants (quota)"))
    key_funding = models.DecimalField(_("funding per key grant (yuan)"), **MONEY)
    general_funding = models.DecimalField(_("funding per general grant (yuan)"), **MONEY)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        ordering = ["-year", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                name="call_deadline_after_opening", condition=Q(deadline__gte=F("opens_on"))
            ),
            models.CheckConstraint(
                name="call_completion_after_deadline", condition=Q(completes_on__gte=F("deadline"))
            ),
            models.CheckConstraint(
                name="call_funding_positive",
                condition=Q(key_funding__gte=0) & Q(general_funding__gte=0) & Q(budget__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today) -> bool:
        return self.opens_on <= today <= self.deadline

    def funding_for(self, grade: str) -> Decimal:
        return self.key_funding if grade == Grant.Grade.KEY else self.general_funding

    def quota_for(self, grade: str) -> int:
        return self.key_quota if grade == Grant.Grade.KEY else self.general_quota


class CallTopic(models.Model):
    """A theme applicants choose from; in a tender, a topic the 组织部 publishes and one bid wins."""

    call = models.ForeignKey(
        GrantCall, on_delete=models.CASCADE, related_name="topics", verbose_name=_("call")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "title"], name="topic_unique_per_call")]

    def __str__(self) -> str:
        return self.title


class GrantQuerySet(models.QuerySet["Grant"]):
    def funded(self) -> GrantQuerySet:
        return self.filter(grade__in=[Grant.Grade.KEY, Grant.Grade.GENERAL])


class Grant(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting endorsement")
        REVIEW = "review", _("Under review")
        REJECTED = "rejected", _("Rejected")
        RUNNING = "running", _("Running")
        FINAL_SUBMITTED = "final_submitted", _("Final report submitted")
        PASSED = "passed", _("Accepted")
        FAILED = "failed", _("Not accepted")

    class Grade(models.TextChoices):
        KEY = "key", _("Key")
        GENERAL = "general", _("General")

    # Where the grant stands, as the progress bar on the 特色阵地 section shows it.
    PROGRESS = {
        Status.RUNNING: 40,
        Status.FINAL_SUBMITTED: 80,
        Status.PASSED: 100,
        Status.FAILED: 100,
    }

    # The status badge reuses the minutes' colours (portal.css), each pairing ≥ 4.5:1.
    TONE = {
        Status.DRAFT: "draft",
        Status.SUBMITTED: "submitted",
        Status.REVIEW: "submitted",
        Status.FINAL_SUBMITTED: "submitted",
        Status.REJECTED: "returned",
        Status.FAILED: "returned",
        Status.RUNNING: "approved",
        Status.PASSED: "approved",
    }

    call = models.ForeignKey(
        GrantCall, on_delete=models.PROTECT, related_name="grants", verbose_name=_("call")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=GrantKind.choices)
    topic = models.ForeignKey(
        CallTopic, on_delete=models.PROTECT, related_name="grants", verbose_name=_("topic")
    )
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("unit"),
        help_text=_("The lead unit, or the applicant's unit."),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants", verbose_name=_("applicant")
    )
    applicant_name = models.CharField(_("applicant's name"), max_length=60)
    plan = models.TextField(_("plan"))
    expected_outputs = models.TextField(_("expected outputs"))
    budget_requested = models.DecimalField(_("budget requested (yuan)"), **MONEY)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    returned_reason = models.TextField(_("reason for returning"), blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endorsed by"),
    )
    endorsed_at = models.DateTimeField(_("endorsed at"), null=True, blank=True)
    endorsement_note = models.TextField(_("endorsement"), blank=True)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    granted_amount = models.DecimalField(_("granted (yuan)"), **MONEY, default=Decimal("0"))
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    due_on = models.DateField(_("final report due"), null=True, blank=True)
    extended = models.BooleanField(_("extended"), default=False)
    acceptance_reason = models.TextField(_("acceptance opinion"), blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # The application form's one-time key: a double click or a resent POST finds the first row.
    request_key = models.UUIDField(null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")
        ordering = ["-call__year", "-pk"]
        constraints = [
            models.CheckConstraint(name="grant_budget_positive", condition=Q(budget_requested__gt=0)),
            models.CheckConstraint(name="grant_amount_not_negative", condition=Q(granted_amount__gte=0)),
            # A grade exactly when money was granted: a decision is never half made.
            models.UniqueConstraint(fields=["applicant", "request_key"], name="grant_once_per_form"),
            models.CheckConstraint(
                name="grant_graded_when_funded",
                condition=(Q(grade="") & Q(granted_amount=0)) | (~Q(grade="") & Q(granted_amount__gt=0)),
            ),
        ]
        indexes = [
            # The overview groups funded grants by call year and grade; lists filter by status.
            models.Index(fields=["call", "status"], name="grant_call_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> int:
        return self.PROGRESS.get(self.status, 0)

    @property
    def tone(self) -> str:
        return self.TONE.get(self.status, "draft")


class FeatureProjectManager(models.Manager.from_queryset(GrantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=GrantKind.FEATURE)


class ResearchTopicManager(models.Manager.from_queryset(GrantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=GrantKind.RESEARCH)


class FeatureProject(Grant):
    """特色阵地: a grant to organisations (one lead, optional partners)."""

    objects = FeatureProjectManager()

    class Meta:
        proxy = True
        verbose_name = _("showcase project")
        verbose_name_plural = _("showcase projects")


class ResearchTopic(Grant):
    """党建和思想政治工作研究课题: a grant to a person with a unit."""

    objects = ResearchTopicManager()

    class Meta:
        proxy = True
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")


class GrantUnit(models.Model):
    """The organisations a showcase project belongs to: its lead and, when joint, the partners."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="units", verbose_name=_("grant"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="grant_units", verbose_name=_("unit")
    )
    is_lead = models.BooleanField(_("lead unit"), default=False)

    class Meta:
        verbose_name = _("participating unit")
        verbose_name_plural = _("participating units")
        ordering = ["-is_lead", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "organization"], name="grant_unit_once"),
            models.UniqueConstraint(fields=["grant"], condition=Q(is_lead=True), name="grant_one_lead"),
        ]
        indexes = [
            # A unit's 特色阵地 section: the grants it takes part in.
            models.Index(fields=["organization", "grant"], name="grant_unit_by_org"),
        ]

    def __str__(self) -> str:
        return f"{self.grant} · {self.organization}"


class GrantReview(models.Model):
    """One reviewer's score and opinion on one application; reviewers see only what is assigned to them."""

    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("grant")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="grant_reviews",
        verbose_name=_("reviewer"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    opinion = models.TextField(_("opinion"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "reviewer"], name="review_once_per_reviewer"),
            models.CheckConstraint(
                name="review_score_range", condition=Q(score__isnull=True) | Q(score__lte=100)
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "submitted_at"], name="review_by_reviewer")]

    def __str__(self) -> str:
        return f"{self.grant} · {self.reviewer}"


class GrantReport(models.Model):
    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("Mid-term report")
        FINAL = "final", _("Final report")

    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="reports", verbose_name=_("grant")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("progress"))
    outputs = models.TextField(_("outputs"), blank=True)
    links = models.TextField(
        _("links"), blank=True, help_text=_("One address per line, e.g. the unit's posts.")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["grant", "kind"], name="report_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.grant} · {self.get_kind_display()}"

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


def grant_file_path(instance: GrantFile, filename: str) -> str:
    # The stored name never reuses the uploaded one (kept in ``name`` for the download).
    return f"grants/{instance.grant_id}/{uuid.uuid4().hex}"


class GrantFile(AttachmentBase):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="files", verbose_name=_("grant"))
    report = models.ForeignKey(
        GrantReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("report"),
    )
    storage_folder = "grants"
    file = models.FileField(_("file"), upload_to=grant_file_path)

    class Meta(AttachmentBase.Meta):
        verbose_name = _("grant file")
        verbose_name_plural = _("grant files")


class GrantExpense(models.Model):
    """Money spent against a grant; the services keep the total within the granted amount."""

    grant = models.ForeignKey(
        Grant, on_delete=models.CASCADE, related_name="expenses", verbose_name=_("grant")
    )
    spent_on = models.DateField(_("spent on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    purpose = models.CharField(_("purpose"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The expense form's one-time key: a double click records the expense once.
    request_key = models.UUIDField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["spent_on", "pk"]
        constraints = [
            models.CheckConstraint(name="expense_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(fields=["grant", "request_key"], name="expense_once_per_form"),
        ]

    def __str__(self) -> str:
        return f"{self.grant} · {self.amount}"
