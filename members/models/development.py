"""Member development (发展党员工作细则, 2014): 5 stages, 25 steps, and the university's 两推三审两票决
mapped onto them (DESIGN §5). One ``DevelopmentCase`` per applicant; one ``DevelopmentStep`` per step done."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.attachments import AttachmentBase
from members.models.core import Member


class Phase(models.IntegerChoices):
    APPLICATION = 1, _("Application")
    ACTIVIST = 2, _("Activist: selection and training")
    TARGET = 3, _("Development target: selection and review")
    ADMISSION = 4, _("Admission as probationary member")
    PROBATION = 5, _("Probation and full membership")


class Milestone(models.TextChoices):
    """两推三审两票决: two recommendations, three reviews, two votes."""

    RECOMMEND_MEMBERS = "recommend_members", _("Recommendation 1: by party members")
    RECOMMEND_LEAGUE = "recommend_league", _("Recommendation 2: by the League or union (推优)")
    REVIEW_BRANCH = "review_branch", _("Review 1: branch committee")
    REVIEW_PRE = "review_pre", _("Review 2: secondary committee's pre-review")
    REVIEW_APPROVAL = "review_approval", _("Review 3: secondary committee's approval")
    VOTE_BRANCH = "vote_branch", _("Vote 1: branch general meeting")
    VOTE_COMMITTEE = "vote_committee", _("Vote 2: secondary committee meeting")


@dataclass(frozen=True)
class StepDef:
    number: int
    phase: int
    name: Promise
    milestones: tuple[str, ...] = ()
    people: Promise | None = None  # who the step names (contacts, introducers, talkers), if anyone


M = Milestone
# The 25 steps. Which step moves the member's stage is the services' business (members.services.development).
STEPS: tuple[StepDef, ...] = (
    StepDef(1, Phase.APPLICATION, _("Application submitted")),
    StepDef(2, Phase.APPLICATION, _("Talk with the applicant"), people=_("Talkers")),
    StepDef(
        3,
        Phase.ACTIVIST,
        _("Recommended and confirmed as activist"),
        (M.RECOMMEND_MEMBERS, M.RECOMMEND_LEAGUE),
    ),
    StepDef(4, Phase.ACTIVIST, _("Activist filed with the upper committee")),
    StepDef(5, Phase.ACTIVIST, _("Contacts assigned"), people=_("Contacts")),
    StepDef(6, Phase.ACTIVIST, _("Training and review (every six months)")),
    StepDef(7, Phase.TARGET, _("Confirmed as development target")),
    StepDef(8, Phase.TARGET, _("Development target filed with the upper committee")),
    StepDef(9, Phase.TARGET, _("Introducers chosen"), people=_("Introducers")),
    StepDef(10, Phase.TARGET, _("Political review")),
    StepDef(11, Phase.TARGET, _("Intensive training")),
    StepDef(12, Phase.ADMISSION, _("Branch committee review and public notice"), (M.REVIEW_BRANCH,)),
    StepDef(13, Phase.ADMISSION, _("Upper committee pre-review"), (M.REVIEW_PRE,)),
    StepDef(14, Phase.ADMISSION, _("Application form (志愿书) filled in")),
    StepDef(15, Phase.ADMISSION, _("Branch general meeting votes to admit"), (M.VOTE_BRANCH,)),
    StepDef(16, Phase.ADMISSION, _("Upper committee's talk"), people=_("Talkers")),
    StepDef(17, Phase.ADMISSION, _("Upper committee approves"), (M.REVIEW_APPROVAL, M.VOTE_COMMITTEE)),
    StepDef(18, Phase.ADMISSION, _("Filed with the organisation department above")),
    StepDef(19, Phase.PROBATION, _("Placed in a branch and party group")),
    StepDef(20, Phase.PROBATION, _("Oath of admission")),
    StepDef(21, Phase.PROBATION, _("Education and review during probation")),
    StepDef(22, Phase.PROBATION, _("Application for full membership")),
    StepDef(23, Phase.PROBATION, _("Branch general meeting votes on full membership"), (M.VOTE_BRANCH,)),
    StepDef(24, Phase.PROBATION, _("Upper committee approves full membership")),
    StepDef(25, Phase.PROBATION, _("Documents archived")),
)
STEP_BY_NUMBER = {step.number: step for step in STEPS}
LAST_STEP = STEPS[-1].number
# Steps that move the member's stage: the step, the stage it moves to.
STAGE_STEPS = {
    3: Member.Stage.ACTIVIST,
    7: Member.Stage.CANDIDATE,
    15: Member.Stage.PROBATIONARY,
    23: Member.Stage.FULL,
}


class DevelopmentCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Completed")
        STOPPED = "stopped", _("Stopped")

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="development", verbose_name=_("person")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    last_step = models.PositiveSmallIntegerField(_("last step done"), default=0)
    last_step_on = models.DateField(_("last step done on"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last six-monthly review on"), null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField(
        _("probation extended by (months)"), null=True, blank=True
    )
    extended_on = models.DateField(_("probation extended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("development case")
        verbose_name_plural = _("development cases")
        ordering = ["member__branch_id", "member__name", "pk"]
        constraints = [
            models.CheckConstraint(
                name="development_case_step_range", condition=Q(last_step__gte=0, last_step__lte=25)
            ),
        ]
        indexes = [
            # The to-do selector: open cases by how far they got.
            models.Index(fields=["status", "last_step"], name="development_case_open"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.last_step}/25"

    @property
    def next_step(self) -> StepDef | None:
        return STEP_BY_NUMBER.get(self.last_step + 1)


class DevelopmentStep(models.Model):
    case = models.ForeignKey(
        DevelopmentCase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("case")
    )
    number = models.PositiveSmallIntegerField(_("step"))
    done_on = models.DateField(_("date"))
    people = models.ManyToManyField(
        Member, blank=True, related_name="development_roles", verbose_name=_("people (members)")
    )
    people_names = models.CharField(
        _("people (names)"),
        max_length=200,
        blank=True,
        help_text=_("Names of people who are not in the portal, separated by commas."),
    )
    documents = models.CharField(_("documents checked"), max_length=300, blank=True)
    training_days = models.PositiveSmallIntegerField(_("training days"), null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(_("training class hours"), null=True, blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    warning = models.CharField(_("rule warning"), max_length=300, blank=True)
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
        verbose_name = _("development step")
        verbose_name_plural = _("development steps")
        ordering = ["case_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="development_step_once"),
            models.CheckConstraint(
                name="development_step_number_range", condition=Q(number__gte=1, number__lte=25)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.member} · {self.number}"

    @property
    def definition(self) -> StepDef:
        return STEP_BY_NUMBER[self.number]


def development_document_path(instance: DevelopmentDocument, filename: str) -> str:
    # The stored name never reuses the uploaded one (kept in ``name`` for the download).
    import uuid

    return f"development/{instance.step.case_id}/{uuid.uuid4().hex}"


class DevelopmentDocument(AttachmentBase):
    """A scanned document of a step (入党申请书, 思想汇报, 政审材料, 入党志愿书 …), checked by content on upload and
    downloaded only by those who manage the member's branch."""

    step = models.ForeignKey(
        DevelopmentStep, on_delete=models.CASCADE, related_name="files", verbose_name=_("step")
    )
    storage_folder = "development"
    file = models.FileField(_("file"), upload_to=development_document_path)

    class Meta(AttachmentBase.Meta):
        verbose_name = _("development document")
        verbose_name_plural = _("development documents")
