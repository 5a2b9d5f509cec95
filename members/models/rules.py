"""The lifecycle's limits as data (DESIGN §5): one row per named limit, national defaults filled by
``members.defaults.ensure_lifecycle_defaults`` when the table is empty, edited in the admin."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class LifecycleRule(models.Model):
    """A named limit. The key says the unit (``…_months``, ``…_days``, ``…_hours``); the value is editable."""

    class Key(models.TextChoices):
        MIN_AGE_YEARS = "min_age_years", _("Minimum age to apply (years)")
        TALK_WITHIN_MONTHS = "talk_within_months", _("Talk with the applicant within (months)")
        ACTIVIST_MIN_MONTHS = "activist_min_months", _("Time as activist before development target (months)")
        REVIEW_EVERY_MONTHS = "review_every_months", _("Review activists every (months)")
        TRAINING_MIN_DAYS = "training_min_days", _("Training at least (days)")
        TRAINING_MIN_HOURS = "training_min_hours", _("or training at least (class hours)")
        NOTICE_WORKING_DAYS = (
            "notice_working_days",
            _("Public notice before the application form (working days)"),
        )
        # 细则 gives the upper committee 3 months (6 at most): calendar months, month-end clamped, not 90 days.
        APPROVAL_WITHIN_MONTHS = "approval_within_months", _("Upper committee approves within (months)")
        APPROVAL_MAX_MONTHS = "approval_max_months", _("Upper committee approves at most within (months)")
        PROBATION_MONTHS = "probation_months", _("Probation (months)")
        EXTENSION_MIN_MONTHS = "extension_min_months", _("Probation extension at least (months)")
        EXTENSION_MAX_MONTHS = "extension_max_months", _("Probation extension at most (months)")
        TRANSFER_VALIDITY_MONTHS = "transfer_validity_months", _("Transfer letter valid for (months)")
        DUES_LAPSE_MONTHS = "dues_lapse_months", _("Dues unpaid before the lapse warning (months)")
        TERM_FIRST_REMINDER_MONTHS = (
            "term_first_reminder_months",
            _("First term-end reminder (months before)"),
        )
        TERM_SECOND_REMINDER_MONTHS = (
            "term_second_reminder_months",
            _("Second term-end reminder (months before)"),
        )
        DUE_SOON_DAYS = "due_soon_days", _("Show a step as due soon this many days ahead")

    key = models.CharField(_("rule"), max_length=40, choices=Key.choices, unique=True)
    value = models.PositiveIntegerField(_("value"))
    note = models.CharField(_("source or note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lifecycle rule")
        verbose_name_plural = _("lifecycle rules")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.value}"


class DuesBracket(models.Model):
    """One line of the dues table (2008 规定), valid from a date until a later table replaces it.

    A member's monthly amount is ``base × rate / 100`` for the first bracket of their kind whose
    ``up_to`` is at least the base (None: no upper limit), or the fixed ``amount`` when it is set.
    """

    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("Employee (after-tax pay)")
        RETIREE = "retiree", _("Retiree (pension)")
        STUDENT = "student", _("Student")
        RELIEF = "relief", _("On relief")

    valid_from = models.DateField(_("valid from"))
    kind = models.CharField(_("payer kind"), max_length=20, choices=Kind.choices)
    up_to = models.DecimalField(
        _("base up to (yuan)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: no upper limit."),
    )
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(
        _("fixed monthly amount (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dues bracket")
        verbose_name_plural = _("dues brackets")
        ordering = ["-valid_from", "kind", models.F("up_to").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["valid_from", "kind", "up_to"], name="dues_bracket_unique"),
            models.CheckConstraint(
                name="dues_bracket_rate_or_amount",
                condition=Q(rate__isnull=False, amount__isnull=True)
                | Q(rate__isnull=True, amount__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        limit = "∞" if self.up_to is None else self.up_to
        what = f"{self.rate}%" if self.rate is not None else f"¥{self.amount}"
        return f"{self.valid_from} {self.get_kind_display()} ≤{limit}: {what}"

    def monthly_amount(self, base: Decimal) -> Decimal:
        from members.rules import to_fen

        if self.amount is not None:
            return to_fen(self.amount)
        return to_fen(base * self.rate / Decimal(100))
