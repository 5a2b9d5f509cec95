"""双述双评 (DESIGN §6): secretaries report, staff and students rate them online, the committee scores offline.

Who took part and what they said are stored apart, and what they said is sealed (issue 16):

* ``Ballot`` says *that* a rater (a login) or a one-time code rated a secretary. Its unique constraints are
  what makes "exactly once" hold under any concurrency. It has no timestamp and no history.
* What was given goes, sealed in the web request to the campaign's public key, into the campaign's
  ``BallotBox`` (``assessments.models.ballots``) in the same transaction: a copy of the database taken at
  any moment links a ballot to a ciphertext only. At the close the trustees' shares (or, in the weaker
  mode, the server's key) open the box; only tallies per secretary, dimension and value are kept.

Both are written in one transaction by ``assessments.services.ratings``; nothing else writes them.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from simple_history.models import HistoricalRecords

from assessments.models.ballots import BallotBox
from branches.models import Organization, Role


def _default_min_raters() -> int:
    return settings.RATING_MIN_RATERS


class RatingCampaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        PUBLISHED = "published", _("Published")
        # Trustee custody: past its closing time, no ballot is taken and the box waits for the trustees.
        AWAITING = "awaiting", _("Closed, awaiting the trustees")
        CLOSED = "closed", _("Closed")

    class Scale(models.TextChoices):
        GRADES = "grades", _("Grades (good / fairly good / fair / poor)")
        POINTS = "points", _("Points (0–100)")

    # Grades and the points they count for (DESIGN §6); the order is the form's, best first.
    GRADE_POINTS = {"good": 100, "fairly_good": 80, "fair": 60, "poor": 40}
    GRADE_LABELS = {
        "good": _("Good"),
        "fairly_good": _("Fairly good"),
        "fair": _("Fair"),
        "poor": _("Poor"),
    }

    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    scope = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="rating_campaigns",
        verbose_name=_("scope"),
        help_text=_("The unit whose secretaries are rated."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    min_raters = models.PositiveSmallIntegerField(
        _("minimum raters"),
        default=_default_min_raters,
        help_text=_("No average is shown for a secretary rated by fewer people."),
    )
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, default=Scale.GRADES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    box = models.OneToOneField(
        BallotBox, on_delete=models.PROTECT, related_name="campaign", verbose_name=_("ballot box")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating campaign")
        verbose_name_plural = _("rating campaigns")
        ordering = ["-year", "-opens_at"]
        constraints = [
            models.CheckConstraint(
                name="campaign_closes_after_opening", condition=Q(closes_at__gt=models.F("opens_at"))
            ),
            models.CheckConstraint(name="campaign_min_raters_positive", condition=Q(min_raters__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name

    def accepts_ballots(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    def results_visible(self, now=None) -> bool:
        """Results exist only once the box has been opened and tallied (status CLOSED)."""
        return self.status == self.Status.CLOSED

    def is_over(self, now=None) -> bool:
        """No more ballots, no more changes (reports, codes, rosters): closed, awaiting, or past its time."""
        now = now or timezone.now()
        return self.status in (self.Status.CLOSED, self.Status.AWAITING) or (
            self.status == self.Status.PUBLISHED and now >= self.closes_at
        )

    def awaits_trustees(self, now=None) -> bool:
        """Over, but its results wait for the trustees' shares."""
        return (
            self.box.custody == BallotBox.Custody.TRUSTEES
            and not self.box.opened
            and self.status != self.Status.DRAFT
            and self.is_over(now)
        )


class RatingDimension(models.Model):
    campaign = models.ForeignKey(
        RatingCampaign, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=60)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating dimension")
        verbose_name_plural = _("rating dimensions")
        ordering = ["campaign_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="dimension_name_once_per_campaign"),
            models.CheckConstraint(name="dimension_weight_positive", condition=Q(weight__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name


def report_upload_to(target: RatingTarget, filename: str) -> str:
    return f"ratings/{target.campaign_id}/{uuid.uuid4().hex}/{filename}"


class RatingTarget(models.Model):
    """A secretary to be rated in a campaign, with the 述职 report raters read first."""

    campaign = models.ForeignKey(
        RatingCampaign, on_delete=models.CASCADE, related_name="targets", verbose_name=_("campaign")
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name=_("role"))
    # Copied from the role: the campaign's record stays true when the role later ends or moves.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rating_targets",
        verbose_name=_("secretary"),
    )
    name = models.CharField(_("name"), max_length=150)
    report_text = models.TextField(_("report"), blank=True)
    report_file = models.FileField(_("report file"), upload_to=report_upload_to, blank=True, max_length=300)
    report_file_name = models.CharField(_("report file name"), max_length=200, blank=True)
    report_content_type = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("secretary to be rated")
        verbose_name_plural = _("secretaries to be rated")
        ordering = ["campaign_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="target_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.display_name} · {self.name}"


class RaterEligibility(models.Model):
    """A login that may rate the secretaries of ``unit`` and of the units above it (inside the campaign)."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        STUDENT = "student", _("Student")

    campaign = models.ForeignKey(
        RatingCampaign, on_delete=models.CASCADE, related_name="eligibilities", verbose_name=_("campaign")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rater_eligibilities",
        verbose_name=_("rater"),
    )
    unit = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("eligible rater")
        verbose_name_plural = _("eligible raters")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user", "unit"], name="eligibility_once_per_unit"),
        ]
        indexes = [
            # Participation counts eligible raters per unit of a campaign.
            models.Index(fields=["campaign", "unit"], name="eligibility_campaign_unit"),
        ]


# Crockford's base 32: no I, L, O or U, so nothing on the printed sheet is ambiguous; 16 characters are
# 80 random bits. Typed input is normalised (O → 0, I/L → 1, case and separators ignored).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_CODE_INPUT = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_normalize(raw: str) -> str:
    return "".join(ch for ch in raw.upper().translate(_CODE_INPUT) if ch in CODE_ALPHABET)


def code_digest(code: str) -> str:
    """The stored form of a code. 80 random bits need no salt or slow hash: there is nothing to brute-force."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class RatingCode(models.Model):
    """A one-time 测评码 handed out on paper at a unit's report meeting. Only its digest is stored: the
    plain codes exist once, on the sheet printed when they are generated.

    The one code mechanism of the portal: a code belongs to a rating campaign (双述双评), or to a branch's
    民主评议党员 (issue 19), where non-members give their opinions (群众意见) with it — never both."""

    campaign = models.ForeignKey(
        RatingCampaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="codes",
        verbose_name=_("campaign"),
    )
    evaluation = models.ForeignKey(
        "assessments.MemberEvaluation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="opinion_codes",
        verbose_name=_("member evaluation"),
    )
    unit = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    digest = models.CharField(pgettext_lazy("code hash", "digest"), max_length=64, unique=True)
    used = models.BooleanField(_("used"), default=False)

    class Meta:
        verbose_name = _("rating code")
        verbose_name_plural = _("rating codes")
        indexes = [
            models.Index(fields=["campaign", "unit", "used"], name="code_campaign_unit_used"),
            # The evaluation's page counts its opinion codes issued and used.
            models.Index(fields=["evaluation", "used"], name="code_evaluation_used"),
        ]
        constraints = [
            models.CheckConstraint(
                name="code_campaign_xor_evaluation",
                condition=Q(campaign__isnull=False, evaluation__isnull=True)
                | Q(campaign__isnull=True, evaluation__isnull=False),
            ),
        ]


class Ballot(models.Model):
    """That a rater or a code rated a secretary — never what (that is sealed in the campaign's box). No
    timestamp, no history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(
        RatingCampaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    target = models.ForeignKey(
        RatingTarget, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("secretary")
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rater"),
    )
    code = models.ForeignKey(
        RatingCode, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("code")
    )

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["rater", "target"], name="ballot_once_per_rater_target"),
            models.UniqueConstraint(fields=["code", "target"], name="ballot_once_per_code_target"),
            models.CheckConstraint(
                name="ballot_rater_xor_code",
                condition=Q(rater__isnull=False, code__isnull=True)
                | Q(rater__isnull=True, code__isnull=False),
            ),
        ]


class OfflineScore(models.Model):
    """One committee member's 述职评议 score for a secretary, typed in by the 组织部 from the paper form."""

    target = models.ForeignKey(
        RatingTarget, on_delete=models.CASCADE, related_name="offline_scores", verbose_name=_("secretary")
    )
    assessor = models.CharField(_("committee member"), max_length=60)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offline score")
        verbose_name_plural = _("offline scores")
        ordering = ["target", "assessor"]
        constraints = [
            models.UniqueConstraint(fields=["target", "assessor"], name="offline_once_per_assessor"),
            models.CheckConstraint(name="offline_score_0_100", condition=Q(score__gte=0, score__lte=100)),
        ]
