"""Issue 18: the yearly 年度工作指南 of each programme (month-by-month required and suggested actions, published
to the branches of that programme, each a to-do in its month and evidence for its indicator) and the
branches' 党支部运行「八个一」 checklist (items as data, computed from the portal's records or ticked)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models.targets import Programme
from branches.models import Organization


class AnnualGuide(models.Model):
    """One programme's guide for one year; drafted by 组织部, then published (its actions become to-dos)."""

    year = models.PositiveSmallIntegerField(_("year"))
    programme = models.CharField(_("programme"), max_length=12, choices=Programme.choices)
    title = models.CharField(_("title"), max_length=120)
    introduction = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("How the year's tasks tie to the programme's general requirements."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual work guide")
        verbose_name_plural = _("annual work guides")
        ordering = ["-year", "programme"]
        constraints = [
            models.UniqueConstraint(fields=["year", "programme"], name="annual_guide_once_per_year")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class GuideAction(models.Model):
    """One month's action: required (规定) or suggested (建议); ``indicator_code`` names the item of the same
    year's indicator table it is evidence for."""

    guide = models.ForeignKey(
        AnnualGuide, on_delete=models.CASCADE, related_name="actions", verbose_name=_("guide")
    )
    month = models.PositiveSmallIntegerField(_("month"))
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("Required actions are counted for the indicator; suggested ones are not."),
    )
    indicator_code = models.CharField(
        _("indicator code"),
        max_length=12,
        blank=True,
        help_text=_("The code of the indicator it is evidence for, e.g. 2.2."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guide action")
        verbose_name_plural = _("guide actions")
        ordering = ["guide", "month", "-required", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                name="guide_action_month_1_to_12", condition=Q(month__gte=1) & Q(month__lte=12)
            )
        ]

    def __str__(self) -> str:
        return f"{self.month}月 {self.title}"


class GuideActionDone(models.Model):
    """A branch's record that it did a guide action: what closes its to-do and what the assessment reads."""

    action = models.ForeignKey(
        GuideAction, on_delete=models.CASCADE, related_name="completions", verbose_name=_("guide action")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("branch")
    )
    done_on = models.DateField(_("done on"))
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What was done, with links to minutes or posts, one a line.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guide action done")
        verbose_name_plural = _("guide actions done")
        ordering = ["action", "organization"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "organization"], name="guide_action_done_once_per_branch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.action}"


class EightOnesItem(models.Model):
    """One item of 党支部运行「八个一」. Data: the default set is filled on migrate; 组织部 edits it in the admin."""

    class Measure(models.TextChoices):
        NONE = "", _("Ticked with evidence")
        COMMITTEE = "committee", _("Branch committee of the required size")
        THEME_DAY = "theme_day", _("Fixed theme party day set")
        MEETINGS = "meetings", _("三会一课 held as required so far this year")
        ORGANIZATIONAL_LIFE = "organizational_life", _("Organizational life meeting held this year")
        POSTS = "posts", _("A post published this year")

    code = models.CharField(_("code"), max_length=12, unique=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=200, help_text=_("The document the item comes from."))
    measure = models.CharField(
        _("computed from"), max_length=20, choices=Measure.choices, blank=True, default=""
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eight-ones item")
        verbose_name_plural = _("eight-ones items")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.title


class EightOnesTick(models.Model):
    """A branch's tick of an item that the records cannot show, for one year, with its evidence."""

    item = models.ForeignKey(
        EightOnesItem, on_delete=models.CASCADE, related_name="ticks", verbose_name=_("item")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    evidence = models.TextField(_("evidence"))
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticked by"),
    )
    ticked_at = models.DateTimeField(_("ticked at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("eight-ones tick")
        verbose_name_plural = _("eight-ones ticks")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "organization", "year"], name="eight_ones_tick_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.item} · {self.year}"
