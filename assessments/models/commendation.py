"""七一表彰 (issue 19, second half): the year's commendation around July 1.

* ``Commendation``: one per university and year, opened by 组织部 with its dates, the 公示 length (working
  days) and the default quota of each kind per secondary committee.
* ``CommendationQuota``: a secondary committee's quota of one kind where it differs from the default.
* ``Nomination``: one nominee (a unit for 先进基层党组织, a member for the two personal honours) with the
  事迹材料 (text and file), the nominating unit's endorsement and the decision; on the 公示 it is public.
* ``NominationObjection``: an objection received during the 公示 and how it was resolved.
Every decision keeps its history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organization
from members.models import Member


class HonourKind(models.TextChoices):
    UNIT = "unit", _("Advanced grassroots Party organisation")  # 先进基层党组织
    MEMBER = "member", _("Outstanding Communist Party member")  # 优秀共产党员
    WORKER = "worker", _("Outstanding Party worker")  # 优秀党务工作者


def _default(name: str, fallback: int) -> int:
    return getattr(settings, name, fallback)


def default_unit_quota() -> int:
    return _default("COMMENDATION_UNIT_QUOTA", 1)


def default_member_quota() -> int:
    return _default("COMMENDATION_MEMBER_QUOTA", 3)


def default_worker_quota() -> int:
    return _default("COMMENDATION_WORKER_QUOTA", 1)


def default_notice_days() -> int:
    return _default("COMMENDATION_NOTICE_WORKING_DAYS", 5)


class Commendation(models.Model):
    class Status(models.TextChoices):
        NOMINATING = "nominating", _("Nominations open")
        NOTICE = "notice", _("Public notice")
        DECIDED = "decided", _("Decided")
        PUBLISHED = "published", _("Results published")

    root = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="commendations", verbose_name=_("university")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    nominations_open_on = models.DateField(_("nominations open on"))
    nominations_close_on = models.DateField(_("nominations close on"))
    notice_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"), default=default_notice_days
    )
    unit_quota = models.PositiveSmallIntegerField(
        _("default quota: organisations"), default=default_unit_quota
    )
    member_quota = models.PositiveSmallIntegerField(_("default quota: members"), default=default_member_quota)
    worker_quota = models.PositiveSmallIntegerField(
        _("default quota: Party workers"), default=default_worker_quota
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOMINATING)
    notice_starts_on = models.DateField(_("public notice starts on"), null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice ends on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    post = models.ForeignKey(
        "disclosure.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("results notice"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["root", "year"], name="commendation_once_per_year"),
            models.CheckConstraint(
                name="commendation_dates_in_order",
                condition=Q(nominations_close_on__gte=F("nominations_open_on")),
            ),
            models.CheckConstraint(
                name="commendation_notice_days_bounded", condition=Q(notice_days__gte=1, notice_days__lte=30)
            ),
            models.CheckConstraint(
                name="commendation_year_bounded", condition=Q(year__gte=2000, year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def default_quota(self, kind: str) -> int:
        return {
            HonourKind.UNIT: self.unit_quota,
            HonourKind.MEMBER: self.member_quota,
            HonourKind.WORKER: self.worker_quota,
        }[kind]


class CommendationQuota(models.Model):
    commendation = models.ForeignKey(
        Commendation, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("commendation")
    )
    committee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("secondary committee")
    )
    kind = models.CharField(_("honour"), max_length=8, choices=HonourKind.choices)
    quota = models.PositiveSmallIntegerField(_("quota"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("commendation quota")
        verbose_name_plural = _("commendation quotas")
        ordering = ["commendation_id", "committee__path", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["commendation", "committee", "kind"], name="commendation_quota_once"
            ),
            models.CheckConstraint(name="commendation_quota_bounded", condition=Q(quota__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.get_kind_display()} · {self.quota}"


def deeds_upload_to(nomination: Nomination, filename: str) -> str:
    return f"assessments/commendations/{nomination.commendation_id}/{filename}"


class Nomination(models.Model):
    class Source(models.TextChoices):
        FIVE_STARS = "five_stars", _("Five-star grade of the year")
        COMMITTEE = "committee", _("Nominated by the committee")
        EVALUATION = "evaluation", _("Excellent in the member evaluation")
        SECRETARY = "secretary", _("Secretary's report and assessment")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        ON_NOTICE = "on_notice", _("On public notice")
        AWARDED = "awarded", _("Awarded")
        NOT_AWARDED = "not_awarded", _("Not awarded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    commendation = models.ForeignKey(
        Commendation, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("commendation")
    )
    kind = models.CharField(_("honour"), max_length=8, choices=HonourKind.choices)
    committee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominating committee")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commendation_nominations",
        verbose_name=_("organisation"),
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commendation_nominations",
        verbose_name=_("member"),
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    deeds = models.TextField(_("account of deeds"), max_length=3000)
    deeds_file = models.FileField(_("deeds file"), upload_to=deeds_upload_to, blank=True, max_length=300)
    endorsement = models.TextField(_("endorsement of the nominating unit"), max_length=1000)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOMINATED)
    decision_note = models.TextField(_("note on the decision"), blank=True, max_length=1000)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    nominated_on = models.DateField(_("nominated on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["commendation_id", "kind", "committee__path", "pk"]
        constraints = [
            models.CheckConstraint(
                name="nomination_unit_or_member",
                condition=(
                    Q(kind="unit", organization__isnull=False, member__isnull=True)
                    | (~Q(kind="unit") & Q(member__isnull=False, organization__isnull=True))
                ),
            ),
            models.UniqueConstraint(
                fields=["commendation", "kind", "organization"],
                name="nomination_unit_once",
                condition=Q(organization__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["commendation", "kind", "member"],
                name="nomination_member_once",
                condition=Q(member__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="nomination_status_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.nominee_name}"

    @property
    def nominee_name(self) -> str:
        if self.member_id:
            return self.member.name
        return self.organization.display_name if self.organization_id else ""


class NominationObjection(models.Model):
    class Outcome(models.TextChoices):
        OPEN = "open", _("Being looked into")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="objections", verbose_name=_("nomination")
    )
    received_on = models.DateField(_("received on"))
    text = models.TextField(_("objection"), max_length=2000)
    raised_by = models.CharField(
        _("raised by"), max_length=60, blank=True, help_text=_("May be left anonymous.")
    )
    outcome = models.CharField(
        _("outcome of the check"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True, max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["nomination_id", "received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.nomination} · {self.received_on}"
