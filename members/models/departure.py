"""逝世 and 出党 (issue 21): a party member's death or departure, recorded by their branch or the committee
above. The member record carries what the 党内统计 "deaths and departures" table counts (``Member.left_on``,
``Member.left_reason``; ``members.statistics``' LEFT subject) and leaves the active roster; this row keeps
the document it rests on and who recorded it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models.core import Member


class Departure(models.Model):
    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, related_name="departure", verbose_name=_("member")
    )
    reason = models.CharField(_("reason for leaving"), max_length=20, choices=Member.LeftReason.choices)
    left_on = models.DateField(_("left the Party on"))
    document = models.CharField(_("document"), max_length=200)
    note = models.TextField(_("note"), max_length=1000, blank=True)
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
        verbose_name = _("death or departure")
        verbose_name_plural = _("deaths and departures")
        ordering = ["-left_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.get_reason_display()}"
