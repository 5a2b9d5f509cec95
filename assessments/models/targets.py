"""Annual targets (DESIGN §2, §5): one indicator table per year and programme, its first- and second-level
indicators, and each unit's own 自选动作 in its annual plan, approved or returned by the unit above."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organization


class Programme(models.TextChoices):
    """The annual programmes, one indicator table each (DESIGN §2; issue 18: retirees have their own)."""

    GUIDE = "guide", _("Guide plan (secondary committees)")  # 引航计划
    LADDER = "ladder", _("Ladder action (teacher branches)")  # 山梯行动
    CHAPTER = "chapter", _("Chapter action (student branches)")  # 华章行动
    EFFICIENCY = "efficiency", _("Efficiency action (admin-staff branches)")  # 砺效行动
    RETIREE = "retiree", _("Retiree branches (light table)")  # 离退休党支部


# Which programme assesses a unit. Retiree branches have no action of their own in the source documents; they
# get a light table of their own (issue 18), not the admin staff's service-efficiency items.
PROGRAMME_FOR_CATEGORY: dict[str, str] = {  # keyed and valued by the choices' str values
    Organization.Category.TEACHER: Programme.LADDER,
    Organization.Category.STUDENT: Programme.CHAPTER,
    Organization.Category.ADMIN_STAFF: Programme.EFFICIENCY,
    Organization.Category.RETIREE: Programme.RETIREE,
}
ASSESSED_KINDS = (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH, Organization.Kind.BRANCH)


def programme_for(organization: Organization) -> str | None:
    """The programme ``organization`` is assessed under, or None (groups, the university itself)."""
    if organization.kind in (Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH):
        return Programme.GUIDE
    if organization.kind == Organization.Kind.BRANCH:
        return PROGRAMME_FOR_CATEGORY.get(organization.category)
    return None


class IndicatorTable(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    programme = models.CharField(_("programme"), max_length=12, choices=Programme.choices)
    title = models.CharField(_("title"), max_length=120)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator table")
        verbose_name_plural = _("indicator tables")
        ordering = ["-year", "programme"]
        constraints = [
            models.UniqueConstraint(fields=["year", "programme"], name="indicator_table_once_per_year")
        ]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    class Kind(models.TextChoices):
        REQUIRED = "required", _("Required")  # 规定动作
        OPTIONAL = "optional", _("Optional")  # 自选动作
        VETO = "veto", _("Veto")  # 一项否决
        BONUS = "bonus", _("Bonus")  # 加分项目

    class Source(models.TextChoices):
        """What pre-fills a measurable item from the other apps' data."""

        NONE = "", _("Not measured")
        MEETINGS = "meetings", _("三会一课 completion")
        TIMELINESS = "timeliness", _("Minutes filed on time")
        POSTS = "posts", _("Published posts")
        # Branch programmes (issue 18): the year's guide actions recorded as done.
        GUIDE_ACTIONS = "guide_actions", _("Annual guide actions done")
        # 引航计划 (issue 18): what the committee itself does, never its branches' own duties.
        COMMITTEE_MEETINGS = "committee_meetings", _("Committee's own meetings (党委会, 党政联席会)")
        CENTRAL_STUDY = "central_study", _("Central group study sessions")
        DEMOCRATIC_LIFE = "democratic_life", _("Democratic life meeting held")
        DECISIONS = "decisions", _("Major decisions registered")
        REVIEW_TIMELINESS = "review_timely", _("Branches' minutes reviewed on time")
        BRANCH_COMPLIANCE = "branch_compliance", _("Branches meeting the 三会一课 rules")
        BRANCH_GRADES = "branch_grades", _("Branches compliant in last year's assessment")
        APPROVALS = "approvals", _("Development approvals on time")
        OWN_POSTS = "own_posts", _("Committee's own published posts")
        # 民主评议党员 (issue 19): the branch's yearly evaluation approved by the committee; for a committee, the
        # share of its branches whose evaluation was.
        MEMBER_EVALUATION = "member_evaluation", _("Member evaluation completed and approved")

    table = models.ForeignKey(
        IndicatorTable, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("indicator table")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("first-level indicator"),
    )
    code = models.CharField(_("code"), max_length=12, help_text=_("For example 1 or 1.2."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1, default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REQUIRED)
    source = models.CharField(
        _("measured from"), max_length=20, choices=Source.choices, blank=True, default=""
    )
    target_count = models.PositiveSmallIntegerField(
        _("count for full points"),
        default=0,
        help_text=_(
            "For items measured by a count (posts, meetings, decisions): how many in the year earn full "
            "points; for reviews on time: within how many days."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["table", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="indicator_code_unique_in_table"),
            models.CheckConstraint(name="indicator_points_not_negative", condition=Q(max_points__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PlanItem(models.Model):
    """A unit's own 自选动作 for the year, under one of its table's indicators, with a measurable target."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="plan_items", verbose_name=_("unit")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="plan_items", verbose_name=_("under indicator")
    )
    title = models.CharField(_("action"), max_length=200)
    target = models.CharField(_("measurable target"), max_length=200)
    max_points = models.DecimalField(_("points"), max_digits=4, decimal_places=1, default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
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
        verbose_name = _("annual plan item")
        verbose_name_plural = _("annual plan items")
        ordering = ["organization", "indicator__position", "pk"]
        constraints = [
            models.CheckConstraint(name="plan_item_points_not_negative", condition=Q(max_points__gte=0)),
        ]

    def __str__(self) -> str:
        return self.title
