"""The ballot store (DESIGN §10, issue 16): sealed choices while a vote runs, aggregates after it.

It knows nothing of secretaries: a choice is a *subject* (a rating target's id, a member's id for the
民主测评) and a value per *question* (a dimension's id, a criterion's id). Whoever runs a vote owns a
``BallotBox`` and keeps its own participation rows (``Ballot`` for 双述双评), which say who took part and
never what.

* ``SealedBallot``: one sealed choice (``assessments.sealing.seal``) — random id, the box, the ciphertext;
  no subject, no participant, no time. Encrypted in the web request, so nothing written in the ballot's
  transaction (row, row version, WAL page) carries a choice in clear.
* ``BallotTally``: after the box is opened, how many gave ``value`` to ``subject`` on ``question``. The only
  form in which choices are ever stored in clear.
* ``BallotRemark``: after the box is opened, one written remark (a 党员互评 comment, a 群众意见 opinion) on
  ``subject`` under ``question``: sealed like a choice while the vote runs, written in clear only at the
  opening, all of a box's remarks at once and in shuffled order, so neither the row order nor an id says
  who wrote which.

No history on any of them: a history row would be the copy that links.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from assessments.sealing import MAX_TRUSTEES, REMARK_MAX_LENGTH


class BallotBox(models.Model):
    class Custody(models.TextChoices):
        TRUSTEES = "trustees", _("Trustees (shares of the key)")
        SERVER = "server", _("Server key (weaker)")

    custody = models.CharField(
        _("key custody"), max_length=10, choices=Custody.choices, default=Custody.TRUSTEES
    )
    threshold = models.PositiveSmallIntegerField(_("shares needed"), default=2)
    trustees = models.PositiveSmallIntegerField(_("trustees"), default=3)
    # Hex of the X25519 public key; empty until the vote is published.
    public_key = models.CharField(_("public key"), max_length=64, blank=True)
    # Server custody only: the private key sealed with the server's key; emptied when the box is opened.
    wrapped_key = models.TextField(blank=True)
    opened = models.BooleanField(_("opened"), default=False)

    class Meta:
        verbose_name = _("ballot box")
        verbose_name_plural = _("ballot boxes")
        constraints = [
            models.CheckConstraint(
                name="box_threshold_within_trustees",
                condition=Q(
                    threshold__gte=2, trustees__gte=models.F("threshold"), trustees__lte=MAX_TRUSTEES
                ),
            ),
        ]

    @property
    def sealed(self) -> bool:
        return bool(self.public_key) and not self.opened


class SealedBallot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(
        BallotBox, on_delete=models.CASCADE, related_name="+", verbose_name=_("ballot box")
    )
    ciphertext = models.BinaryField(_("ciphertext"))

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")


class BallotTally(models.Model):
    box = models.ForeignKey(
        BallotBox, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("ballot box")
    )
    subject = models.PositiveBigIntegerField(pgettext_lazy("ballot", "subject"))
    question = models.PositiveBigIntegerField(_("question"))
    value = models.PositiveSmallIntegerField(_("value"))
    count = models.PositiveIntegerField(_("count"))

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["box", "subject", "question", "value"], name="tally_once_per_value"
            ),
        ]


class BallotRemark(models.Model):
    """A written remark after its box was opened: the text only — no writer, no time, no code (issue 19)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(
        BallotBox, on_delete=models.CASCADE, related_name="remarks", verbose_name=_("ballot box")
    )
    subject = models.PositiveBigIntegerField(pgettext_lazy("ballot", "subject"))
    question = models.PositiveBigIntegerField(_("question"))
    text = models.TextField(_("text"), max_length=REMARK_MAX_LENGTH)

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        indexes = [
            # The branch committee reads a box's remarks per subject and question.
            models.Index(fields=["box", "question", "subject"], name="remark_box_question_subject"),
        ]
