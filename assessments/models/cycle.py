"""The July-1 assessment cycle (DESIGN §5, §7): one ``AssessmentCycle`` per university and year with its phase
dates as data; one ``Assessment`` per assessed unit; one ``ItemScore`` per indicator (or approved plan item)
with the self, reviewed and verified points and the evidence. Every score change is kept in history."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models.targets import Indicator, PlanItem, Programme
from branches.models import Organization


class Grade(models.TextChoices):
    NOT_COMPLIANT = "fail", _("Not compliant")  # 不达标
    COMPLIANT = "pass", _("Compliant")  # 达标
    FOUR_STARS = "four", _("Four stars")  # 四星
    FIVE_STARS = "five", _("Five stars")  # 五星


class AssessmentCycle(models.Model):
    """A year's rhythm: 年初有计划、半年有检查、年终有总结. The daily step reads these dates; nothing is in code."""

    class Phase(models.TextChoices):
        PLANNING = "planning", _("Annual plans")
        HALF_YEAR = "half_year", _("Half-year check")
        SELF = "self", _("Self-assessment")
        REVIEW = "review", _("Committee review")
        VERIFICATION = "verification", _("Verification by the organisation department")
        PUBLISHED = "published", _("Results published")
        SUMMARY = "summary", _("Year-end summary")
        NOT_STARTED = "not_started", _("Not started")

    root = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assessment_cycles", verbose_name=_("university")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    plan_opens_on = models.DateField(_("annual plans open on"))
    half_year_check_on = models.DateField(_("half-year check on"))
    self_opens_on = models.DateField(_("self-assessment opens on"))
    self_closes_on = models.DateField(_("self-assessment closes on"))
    review_closes_on = models.DateField(_("committee review closes on"))
    verification_closes_on = models.DateField(_("verification closes on"))
    publish_on = models.DateField(_("results published on"))
    summary_due_on = models.DateField(_("year-end summary due on"))
    bonus_cap = models.DecimalField(_("bonus cap"), max_digits=4, decimal_places=1, default=Decimal("5"))
    compliant_from = models.DecimalField(
        _("compliant from"), max_digits=4, decimal_places=1, default=Decimal("85")
    )
    four_stars_from = models.DecimalField(
        _("four stars from"), max_digits=4, decimal_places=1, default=Decimal("90")
    )
    five_stars_from = models.DecimalField(
        _("five stars from"), max_digits=4, decimal_places=1, default=Decimal("95")
    )
    # What the daily step has done, so a run after a gap does each missed step once (DESIGN §7).
    opened_on = models.DateField(_("assessments created on"), null=True, blank=True)
    self_closed_on = models.DateField(_("self-assessment closed on"), null=True, blank=True)
    review_closed_on = models.DateField(_("review closed on"), null=True, blank=True)
    verification_closed_on = models.DateField(_("verification closed on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["root", "year"], name="assessment_cycle_once_per_year"),
            models.CheckConstraint(
                name="assessment_cycle_dates_in_order",
                condition=Q(half_year_check_on__gte=F("plan_opens_on"))
                & Q(self_closes_on__gte=F("self_opens_on"))
                & Q(self_opens_on__gte=F("plan_opens_on"))
                & Q(review_closes_on__gte=F("self_closes_on"))
                & Q(verification_closes_on__gte=F("review_closes_on"))
                & Q(publish_on__gte=F("verification_closes_on"))
                & Q(summary_due_on__gte=F("publish_on")),
            ),
            models.CheckConstraint(
                name="assessment_cycle_grades_in_order",
                condition=Q(four_stars_from__gte=F("compliant_from"))
                & Q(five_stars_from__gte=F("four_stars_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    def phase_on(self, day: datetime.date) -> str:
        """The phase the dates put ``day`` in (what the daily step has done is in the ``*_on`` fields)."""
        if day < self.plan_opens_on:
            return self.Phase.NOT_STARTED
        if day >= self.publish_on:
            return self.Phase.SUMMARY if day >= self.summary_due_on else self.Phase.PUBLISHED
        if day > self.review_closes_on:
            return self.Phase.VERIFICATION
        if day > self.self_closes_on:
            return self.Phase.REVIEW
        if day >= self.self_opens_on:
            return self.Phase.SELF
        if day >= self.half_year_check_on:
            return self.Phase.HALF_YEAR
        return self.Phase.PLANNING

    def phases(self) -> list[tuple[str, datetime.date, datetime.date]]:
        """(label, first day, last day) of each phase, for the cycle page."""
        P = self.Phase
        one = datetime.timedelta(days=1)
        return [
            (P.PLANNING.label, self.plan_opens_on, self.half_year_check_on - one),
            (P.HALF_YEAR.label, self.half_year_check_on, self.self_opens_on - one),
            (P.SELF.label, self.self_opens_on, self.self_closes_on),
            (P.REVIEW.label, self.self_closes_on + one, self.review_closes_on),
            (P.VERIFICATION.label, self.review_closes_on + one, self.verification_closes_on),
            (P.PUBLISHED.label, self.publish_on, self.summary_due_on - one),
            (P.SUMMARY.label, self.summary_due_on, self.summary_due_on),
        ]


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Self-assessment in progress")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed by the committee")
        VERIFIED = "verified", _("Verified")
        PUBLISHED = "published", _("Published")

    cycle = models.ForeignKey(
        AssessmentCycle, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("cycle")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("unit")
    )
    programme = models.CharField(_("programme"), max_length=12, choices=Programme.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    self_total = models.DecimalField(
        _("self-assessed total"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    review_total = models.DecimalField(
        _("reviewed total"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    verified_total = models.DecimalField(
        _("verified total"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    veto_failed = models.BooleanField(_("a veto item failed"), default=False)
    grade = models.CharField(_("grade"), max_length=4, choices=Grade.choices, blank=True)
    rank_in_committee = models.PositiveSmallIntegerField(_("rank in the committee"), null=True, blank=True)
    rank_overall = models.PositiveSmallIntegerField(_("rank in the university"), null=True, blank=True)
    summary = models.TextField(
        _("assessment summary"),
        blank=True,
        help_text=_("A committee's summary (考核评估总结) of its branches' assessment."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    late_submitted = models.BooleanField(_("submitted by the deadline step"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["cycle", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organization"], name="assessment_once_per_unit_and_cycle"
            ),
        ]
        # cycle progress and results: one cycle's assessments by status
        indexes = [models.Index(fields=["cycle", "status"], name="assessment_cycle_status")]

    def __str__(self) -> str:
        return f"{self.cycle.year} · {self.organization}"

    @property
    def final_total(self) -> Decimal | None:
        for value in (self.verified_total, self.review_total, self.self_total):
            if value is not None:
                return value
        return None


class ItemScore(models.Model):
    """One indicator (or approved plan item) of one assessment: points at each stage, and the evidence."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="items", verbose_name=_("assessment")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    plan_item = models.ForeignKey(
        PlanItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan item"),
    )
    self_points = models.DecimalField(
        _("self-assessed points"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    self_failed = models.BooleanField(_("veto failed (self)"), default=False)
    prefilled = models.BooleanField(_("pre-filled from the portal's data"), default=False)
    prefill_note = models.CharField(_("how it was measured"), max_length=200, blank=True)
    evidence = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_("What was done, with links to posts, minutes or projects, one a line."),
    )
    evidence_file = models.FileField(_("evidence file"), upload_to="assessments/evidence/%Y/", blank=True)
    reviewed_points = models.DecimalField(
        _("reviewed points"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    reviewed_failed = models.BooleanField(_("veto failed (review)"), default=False)
    review_reason = models.CharField(_("reason for the adjustment"), max_length=300, blank=True)
    verified_points = models.DecimalField(
        _("verified points"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    verified_failed = models.BooleanField(_("veto failed (verification)"), default=False)
    verify_reason = models.CharField(_("reason for the verification change"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="item_score_once_per_indicator"),
            models.UniqueConstraint(fields=["assessment", "plan_item"], name="item_score_once_per_plan_item"),
            models.CheckConstraint(
                name="item_score_indicator_or_plan_item",
                condition=Q(indicator__isnull=True) ^ Q(plan_item__isnull=True),
            ),
            models.CheckConstraint(
                name="item_score_points_not_negative",
                condition=(Q(self_points__isnull=True) | Q(self_points__gte=0))
                & (Q(reviewed_points__isnull=True) | Q(reviewed_points__gte=0))
                & (Q(verified_points__isnull=True) | Q(verified_points__gte=0)),
            ),
        ]

    def __str__(self) -> str:
        return str(self.indicator or self.plan_item)

    @property
    def title(self) -> str:
        return self.indicator.title if self.indicator_id else self.plan_item.title

    @property
    def kind(self) -> str:
        return self.indicator.kind if self.indicator_id else Indicator.Kind.OPTIONAL

    @property
    def max_points(self) -> Decimal:
        return self.indicator.max_points if self.indicator_id else self.plan_item.max_points
