"""党内统计 (issue 21): the tables' layouts as data, the reports computed from them, and the national member
sheet's column layouts. The layouts reference the row and column keys that ``members.statistics`` defines;
the 组织部 edits titles, labels, order and which keys appear, in the admin, when the official templates change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from simple_history.models import HistoricalRecords

from branches.models import Organization


class StatTable(models.Model):
    """One table of the yearly 党内统计 report: what it counts (``subject``), its rows and its columns."""

    class Subject(models.TextChoices):
        MEMBERS = "members", _("Party members as of the date")
        ADMITTED = "admitted", _("Members admitted in the year")
        MADE_FULL = "made_full", _("Probationary members made full in the year")
        EXTENDED = "extended", _("Probations extended in the year")
        TRANSFERS_IN = "transfers_in", _("Transfers in during the year")
        TRANSFERS_OUT = "transfers_out", _("Transfers out during the year")
        LEFT = "left", _("Deaths and departures in the year")
        PIPELINE = "pipeline", _("Applicants, activists and development targets as of the date")
        ORGANIZATIONS = "organizations", _("Party organisations as of the date")
        # Registered by assessments (members.stat_sources): its data, which members may not import.
        EVALUATIONS = "evaluations", _("Full members and their member-evaluation grades of the year")
        COMMENDATIONS = "commendations", _("Commendations awarded in the year")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=120)
    subject = models.CharField(_("counts"), max_length=20, choices=Subject.choices)
    rows = models.JSONField(
        _("rows"), help_text=_('A list of [key, label] pairs, e.g. [["total", "合计"], ["gender:F", "女"]].')
    )
    columns = models.JSONField(_("columns"), help_text=_("A list of [key, label] pairs, like the rows."))
    rules = models.TextField(_("counting rules"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()  # the 组织部's edits of a layout (issue 21), and who made them

    class Meta:
        verbose_name = _("statistics table")
        verbose_name_plural = _("statistics tables")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.title


class StatReport(models.Model):
    """The tables computed for one unit as of one date, by a Celery task; the result is kept so the figures
    reported upward stay quotable after the data moves on."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="stat_reports", verbose_name=_("organization")
    )
    as_of = models.DateField(_("as of"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done_tables = models.PositiveSmallIntegerField(_("tables computed"), default=0)
    total_tables = models.PositiveSmallIntegerField(_("tables"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistics report")
        verbose_name_plural = _("statistics reports")
        ordering = ["-as_of", "-pk"]
        constraints = [
            # One report per unit and date: asking again recomputes it in place.
            models.UniqueConstraint(fields=["organization", "as_of"], name="stat_report_one_per_day"),
            models.CheckConstraint(
                name="stat_report_progress_bounded", condition=Q(done_tables__lte=models.F("total_tables"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.as_of}"

    @property
    def percent(self) -> int:
        return round(100 * self.done_tables / self.total_tables) if self.total_tables else 0


class SheetLayout(models.Model):
    """The columns of the national member-information sheet (全国党员管理信息系统 信息采集) for one kind of
    person: which field goes in which column under which heading, and which are required."""

    class Kind(models.TextChoices):
        MEMBERS = "members", _("Party members")
        APPLICANTS = "applicants", _("Applicants and activists")
        CANDIDATES = "candidates", _("Development targets")

    kind = models.CharField(_("people"), max_length=20, choices=Kind.choices, unique=True)
    title = models.CharField(_("title"), max_length=120)
    columns = models.JSONField(
        _("columns"),
        help_text=_('A list of [field, heading, required] triples, e.g. [["name", "姓名", true]].'),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member sheet layout")
        verbose_name_plural = _("member sheet layouts")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.title
