"""Issue 18: the committee work record's register of major decisions (重大事项决策登记), the basis of
"对基层党委重大决策的倒查监督": topic, basis, vote, decision, follow-up and the minutes it was taken at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from simple_history.models import HistoricalRecords

from branches.models import Organization
from disclosure.models.meetings import Meeting


class Decision(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("committee")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision_rows",
        verbose_name=_("minutes"),
        help_text=_("The committee meeting it was decided at."),
    )
    decided_on = models.DateField(pgettext_lazy("decision", "decided on"))
    topic = models.CharField(_("agenda item"), max_length=200)
    basis = models.TextField(
        _("basis"), help_text=_("The rules, documents or requests the decision rests on.")
    )
    votes_for = models.PositiveSmallIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), default=0)
    abstentions = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    decision = models.TextField(_("decision"))
    follow_up = models.TextField(
        pgettext_lazy("decision", "follow-up"),
        blank=True,
        help_text=_("Who carries it out, by when, and how it went."),
    )
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("major decision")
        verbose_name_plural = _("major decisions")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            # A decision of the committee is taken by a majority of those voting.
            models.CheckConstraint(
                name="decision_carried_by_majority", condition=Q(votes_for__gt=models.F("votes_against"))
            ),
        ]
        # the register: one committee's decisions by date; 组织部's search reads the subtree in date order
        indexes = [models.Index(fields=["organization", "decided_on"], name="decision_register")]

    def __str__(self) -> str:
        return self.topic
