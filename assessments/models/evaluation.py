"""民主评议党员 (issue 19): a branch's yearly evaluation of its members.

* ``MemberEvaluation``: one per branch and year. Its 民主测评 is a vote in the ballot store
  (``assessments.models.ballots``): each member's choice for each colleague is sealed to the evaluation's
  ``BallotBox`` in the request; at the close only tallies (subject = the colleague's member id, question =
  ``VOTE_QUESTION``, value = the grade's number) remain.
* ``EvaluationEntry``: one per party member of the branch at the opening — the 个人自评, and for full members
  the grade the branch proposes (probationary members take part but are not graded: ``graded`` is False).
* ``EvaluationBallot``: *that* a member rated a colleague, never what (no timestamp, no history).
* ``EvaluationCommentBallot``: *that* a member wrote a 党员互评 comment on a colleague, never what: the comment
  is sealed to the same box (question ``COMMENT_QUESTION``) and exists in clear only as a ``BallotRemark``
  after the count, with no writer.
* 群众意见: non-members' opinions, given with one-time codes (``RatingCode`` with ``evaluation`` set: the
  ratings' code mechanism), sealed to the box under ``OPINION_QUESTION`` — on a member (subject = the
  member's id) or on the branch as a whole (subject ``OVERALL_SUBJECT``); the code is only marked used.
* Party groups (党小组): in a large branch the 个人自评 and 党员互评 may run per group (``by_group``): each
  entry keeps its member's group at the opening, and a member comments on their own group's colleagues.
* ``EvaluationFollowUp``: a step after a 不合格 (限期改正 with its deadline, then either 已改正 — corrected,
  with the day — or 党章's disposal steps), each approved or returned by the secondary committee.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.models.ballots import BallotBox
from branches.models import Organization
from members.models import Member

VOTE_QUESTION = 1  # the 民主测评 has one question: the grade
COMMENT_QUESTION = 2  # a 党员互评 comment, sealed to the same box as a remark
OPINION_QUESTION = 3  # a 群众意见 opinion given with a code
OVERALL_SUBJECT = 0  # an opinion on the branch as a whole, not on one member
COMMENT_MAX_LENGTH = 300  # a short comment on a colleague
OPINION_MAX_LENGTH = 500  # within the ballot store's remark size (assessments.sealing.REMARK_MAX_LENGTH)
GROUP_EVALUATION_MIN_MEMBERS = 15  # the branch size from which evaluating per party group is offered


class EvaluationGrade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASIC = "basic", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


# The number a grade is sealed as in the ballot store, and back.
GRADE_VALUES: dict[str, int] = {
    EvaluationGrade.EXCELLENT: 1,
    EvaluationGrade.QUALIFIED: 2,
    EvaluationGrade.BASIC: 3,
    EvaluationGrade.UNQUALIFIED: 4,
}
VALUE_GRADES = {v: g for g, v in GRADE_VALUES.items()}
GRADES_NEEDING_REASON = (EvaluationGrade.BASIC, EvaluationGrade.UNQUALIFIED)


def _default_min_participants() -> int:
    return getattr(settings, "EVALUATION_MIN_PARTICIPANTS", 3)


class MemberEvaluation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Self-evaluation and vote open")
        COUNTED = "counted", _("Vote counted, grades being proposed")
        SUBMITTED = "submitted", _("Reported to the committee")
        RETURNED = "returned", _("Returned by the committee")
        APPROVED = "approved", _("Approved")

    branch = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="member_evaluations",
        verbose_name=_("branch"),
        limit_choices_to={"kind": Organization.Kind.BRANCH},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    opened_on = models.DateField(_("opened on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    box = models.OneToOneField(
        BallotBox, on_delete=models.PROTECT, related_name="evaluation", verbose_name=_("ballot box")
    )
    min_participants = models.PositiveSmallIntegerField(
        _("minimum participants"),
        default=_default_min_participants,
        help_text=_("The vote's distribution is shown only when at least this many took part."),
    )
    excellent_divisor = models.PositiveSmallIntegerField(
        _("excellent at most one in"),
        default=3,
        help_text=_(
            "Excellent is given to at most this fraction of the branch's full members (rounded down)."
        ),
    )
    by_group = models.BooleanField(
        _("per party group"),
        default=False,
        help_text=_("Self-evaluation and mutual evaluation are held in each party group."),
    )
    return_reason = models.TextField(_("reason for returning"), blank=True, max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
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
        verbose_name = _("member evaluation")
        verbose_name_plural = _("member evaluations")
        ordering = ["-year", "branch__path"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="evaluation_once_per_branch_year"),
            models.CheckConstraint(
                name="evaluation_min_participants_positive", condition=Q(min_participants__gte=1)
            ),
            models.CheckConstraint(name="evaluation_divisor_positive", condition=Q(excellent_divisor__gte=1)),
            models.CheckConstraint(
                name="evaluation_year_bounded", condition=Q(year__gte=2000, year__lte=2100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch.display_name} {self.year}"

    def excellent_cap(self, full_members: int) -> int:
        """优秀 at most ⌊n / divisor⌋ of the full members: a branch of 2 has none."""
        return full_members // self.excellent_divisor


class EvaluationEntry(models.Model):
    evaluation = models.ForeignKey(
        MemberEvaluation, on_delete=models.CASCADE, related_name="entries", verbose_name=_("evaluation")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="evaluation_entries", verbose_name=_("member")
    )
    graded = models.BooleanField(
        _("graded"), help_text=_("Full members are graded; probationary members are not.")
    )
    # The member's party group at the opening: the evaluation's groups stay as they were when members move.
    party_group = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party group"),
        limit_choices_to={"kind": Organization.Kind.GROUP},
    )
    self_text = models.TextField(_("self-evaluation"), blank=True, max_length=5000)
    grade = models.CharField(_("grade"), max_length=12, choices=EvaluationGrade.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation entry")
        verbose_name_plural = _("evaluation entries")
        ordering = ["evaluation_id", "member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "member"], name="evaluation_entry_once_per_member"),
            models.CheckConstraint(
                name="evaluation_entry_grade_only_if_graded", condition=Q(graded=True) | Q(grade="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.member.name}"


class EvaluationBallot(models.Model):
    """That ``rater`` took part in the 民主测评 for ``subject`` — never what they chose."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(
        MemberEvaluation, on_delete=models.CASCADE, related_name="+", verbose_name=_("evaluation")
    )
    rater = models.ForeignKey(
        EvaluationEntry, on_delete=models.CASCADE, related_name="+", verbose_name=_("rater")
    )
    subject = models.ForeignKey(
        EvaluationEntry, on_delete=models.CASCADE, related_name="+", verbose_name=_("member rated")
    )

    class Meta:
        verbose_name = _("evaluation ballot")
        verbose_name_plural = _("evaluation ballots")
        constraints = [
            models.UniqueConstraint(fields=["rater", "subject"], name="evaluation_ballot_once_per_pair"),
            models.CheckConstraint(
                name="evaluation_ballot_not_self", condition=~Q(rater=models.F("subject"))
            ),
        ]


class EvaluationCommentBallot(models.Model):
    """That ``rater`` wrote a 党员互评 comment on ``subject`` — never what (sealed in the box). No timestamp,
    no history: a history row would be the copy that links."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(
        MemberEvaluation, on_delete=models.CASCADE, related_name="+", verbose_name=_("evaluation")
    )
    rater = models.ForeignKey(
        EvaluationEntry, on_delete=models.CASCADE, related_name="+", verbose_name=_("rater")
    )
    subject = models.ForeignKey(
        EvaluationEntry, on_delete=models.CASCADE, related_name="+", verbose_name=_("member commented on")
    )

    class Meta:
        verbose_name = _("comment ballot")
        verbose_name_plural = _("comment ballots")
        constraints = [
            models.UniqueConstraint(fields=["rater", "subject"], name="evaluation_comment_once_per_pair"),
            models.CheckConstraint(
                name="evaluation_comment_not_self", condition=~Q(rater=models.F("subject"))
            ),
        ]


class EvaluationFollowUp(models.Model):
    class Step(models.TextChoices):
        RECTIFY = "rectify", _("Correct within a deadline")
        PERSUADE = "persuade", _("Persuade to leave the Party")
        REMOVE = "remove", _("Remove from the Party")
        # The end of a 限期改正 that worked: the member corrected within the deadline (with the day and a note).
        CORRECTED = "corrected", _("Corrected")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting the committee")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    entry = models.ForeignKey(
        EvaluationEntry,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("evaluation entry"),
    )
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    corrected_on = models.DateField(_("corrected on"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    return_reason = models.TextField(_("reason for returning"), blank=True, max_length=1000)
    recorded_on = models.DateField(_("recorded on"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["entry_id", "recorded_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="followup_rectify_has_deadline", condition=~Q(step="rectify") | Q(deadline__isnull=False)
            ),
            models.CheckConstraint(
                name="followup_corrected_has_day",
                condition=Q(step="corrected", corrected_on__isnull=False)
                | (~Q(step="corrected") & Q(corrected_on__isnull=True)),
            ),
        ]
