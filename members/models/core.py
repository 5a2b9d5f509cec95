"""People in the Party system, from applicant to full member, and dated statistics snapshots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.models import Organization


class MemberQuerySet(models.QuerySet["Member"]):
    def party_members(self) -> MemberQuerySet:
        """Probationary and full members: the people DESIGN §1's figures count."""
        return self.filter(stage__in=Member.PARTY_STAGES)

    def active(self) -> MemberQuerySet:
        return self.filter(is_active=True)

    def in_subtree(self, organization: Organization) -> MemberQuerySet:
        return self.filter(branch__path__startswith=organization.path)


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    Category = Organization.Category

    class Stage(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        ACTIVIST = "activist", _("Activist")
        CANDIDATE = "candidate", _("Development target")
        PROBATIONARY = "probationary", _("Probationary member")
        FULL = "full", _("Full member")

    PARTY_STAGES = (Stage.PROBATIONARY, Stage.FULL)

    # The 党内统计 classifications (issue 21): the national tables count members by these.
    class Education(models.TextChoices):
        DOCTORATE = "doctorate", _("Doctorate")
        MASTER = "master", _("Master's degree")
        BACHELOR = "bachelor", _("Bachelor's degree")
        COLLEGE = "college", _("Junior college")
        SECONDARY = "secondary", _("Secondary school or below")

    class Occupation(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional and technical staff")
        MANAGEMENT = "management", _("Management staff")
        WORKER = "worker", _("Support and skilled workers")
        STUDENT = "student", _("Student")
        RETIRED = "retired", _("Retired")
        OTHER = "other", _("Other occupation")

    class StudentLevel(models.TextChoices):
        DOCTORAL = "doctoral", _("Doctoral student")
        MASTER = "master", _("Master's student")
        UNDERGRADUATE = "undergraduate", _("Undergraduate")
        JUNIOR = "junior", _("Junior college student")

    class LeftReason(models.TextChoices):
        DIED = "died", _("Died")
        EXPELLED = "expelled", _("Expelled from the Party")
        STRUCK_OFF = "struck_off", _("Struck off the Party rolls")
        WITHDREW = "withdrew", _("Withdrew from the Party")
        LAPSED = "lapsed", _("Membership lapsed")

    # What the UI records as 逝世 / 出党 (the national instruction's categories: 开除, 除名, 退党);
    # LAPSED (停止党籍) comes only from imports.
    DEPARTURE_REASONS = (LeftReason.DIED, LeftReason.EXPELLED, LeftReason.STRUCK_OFF, LeftReason.WITHDREW)

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"))
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Organization.Category.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    branch = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("branch"),
        limit_choices_to={"kind": Organization.Kind.BRANCH},
    )
    party_group = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
        verbose_name=_("party group"),
        limit_choices_to={"kind": Organization.Kind.GROUP},
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    activist_on = models.DateField(_("activist since"), null=True, blank=True)
    candidate_on = models.DateField(_("development target since"), null=True, blank=True)
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    full_on = models.DateField(_("full member since"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("login"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # 工号 / 学号: the university's sign-on (CAS) sends it as the login name (issue 20).
    campus_number = models.CharField(_("staff or student number"), max_length=40, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation.choices, blank=True)
    student_level = models.CharField(
        _("student level"), max_length=20, choices=StudentLevel.choices, blank=True
    )
    left_on = models.DateField(
        _("left the Party on"),
        null=True,
        blank=True,
        help_text=_("For the statistics of deaths and departures; the record is then inactive."),
    )
    left_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=LeftReason.choices, blank=True
    )

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["branch_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="member_id_number_unique"
            ),
            # A campus sign-on names one member.
            models.UniqueConstraint(
                fields=["campus_number"], condition=~Q(campus_number=""), name="member_campus_number_unique"
            ),
            models.CheckConstraint(
                name="member_party_stage_has_joined_on",
                condition=~Q(stage__in=["probationary", "full"]) | Q(joined_on__isnull=False),
            ),
        ]
        indexes = [
            # The roster: active members of one branch by stage.
            models.Index(fields=["branch", "is_active", "stage"], name="member_roster"),
            # Statistics: counts by stage and category across a subtree.
            models.Index(fields=["stage", "category"], name="member_stage_category"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # One spelling per ID number, so "…123x" and "…123X" cannot both be on file.
        self.id_number = self.id_number.strip().upper()
        self.campus_number = self.campus_number.strip()
        super().save(*args, **kwargs)

    @property
    def is_party_member(self) -> bool:
        return self.stage in self.PARTY_STAGES


class StatsSnapshot(models.Model):
    """``party_stats`` of one unit as of one day, kept so yearly reports can quote a fixed date."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="stats_snapshots", verbose_name=_("organization")
    )
    taken_on = models.DateField(_("taken on"))
    data = models.JSONField(_("figures"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statistics snapshot")
        verbose_name_plural = _("statistics snapshots")
        ordering = ["-taken_on"]
        constraints = [
            # The daily task is idempotent: a second run the same day replaces, never duplicates.
            models.UniqueConstraint(fields=["organization", "taken_on"], name="stats_snapshot_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.taken_on}"
