"""党纪处分 (issue 19): the disciplinary sanctions recorded on a member, shown in the member's history and read
by the 七一 commendation's eligibility (a sanction recorded in the year refuses a nomination)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models.core import Member


class DisciplinaryRecord(models.Model):
    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        SERIOUS_WARNING = "serious_warning", _("Serious warning")
        DISMISSAL = "dismissal", _("Removal from Party posts")
        PROBATION = "probation", _("Probation within the Party")
        EXPULSION = "expulsion", _("Expulsion from the Party")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="disciplinary_records", verbose_name=_("member")
    )
    kind = models.CharField(_("sanction"), max_length=20, choices=Kind.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by_unit = models.CharField(_("decided by"), max_length=120)
    reason = models.TextField(_("reason"), max_length=2000)
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
        verbose_name = _("disciplinary sanction")
        verbose_name_plural = _("disciplinary sanctions")
        ordering = ["member_id", "-decided_on", "pk"]
        indexes = [
            # Eligibility asks "any sanction of these members decided in year Y".
            models.Index(fields=["member", "decided_on"], name="discipline_member_day"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.get_kind_display()}"
