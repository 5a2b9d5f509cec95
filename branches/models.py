"""The organisation tree (province → university → committees → branches → groups) and who holds which role.

The tree is one table with a materialized path (django-treebeard): a subtree is ``path LIKE 'p%'`` and the
ancestors of a node are the prefixes of its path, so both are one indexed query.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from branches.dates import add_years


class OrganizationQuerySet(MP_NodeQuerySet):
    def active(self) -> OrganizationQuerySet:
        return self.filter(is_active=True)

    def branches(self) -> OrganizationQuerySet:
        return self.filter(kind=Organization.Kind.BRANCH)

    def secondary(self) -> OrganizationQuerySet:
        return self.filter(kind__in=Organization.SECONDARY_KINDS)

    def subtree_of(self, org: Organization) -> OrganizationQuerySet:
        """The node and everything below it: one range scan on the path index."""
        return self.filter(path__startswith=org.path)


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Provincial committee")
        UNIVERSITY = "university", _("University committee")
        COMMITTEE = "committee", _("Secondary committee")
        GENERAL_BRANCH = "general_branch", _("General branch")
        BRANCH = "branch", _("Branch")
        GROUP = "group", _("Party group")

    class Category(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        ADMIN_STAFF = "admin_staff", _("Administrative staff")
        STUDENT = "student", _("Student")
        RETIREE = "retiree", _("Retiree")

    class UnitType(models.TextChoices):
        TEACHING = "teaching", _("Teaching unit")
        NON_TEACHING = "non_teaching", _("Non-teaching unit")

    SECONDARY_KINDS = (Kind.COMMITTEE, Kind.GENERAL_BRANCH)
    STAFF_CATEGORIES = (Category.TEACHER, Category.ADMIN_STAFF)
    # Which kinds may sit directly under which (None: a root). A branch directly under the university is
    # a 直属党支部.
    ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
        Kind.PROVINCE: (None,),
        Kind.UNIVERSITY: (None, Kind.PROVINCE),
        Kind.COMMITTEE: (Kind.UNIVERSITY,),
        Kind.GENERAL_BRANCH: (Kind.UNIVERSITY, Kind.COMMITTEE),
        Kind.BRANCH: (Kind.UNIVERSITY, Kind.COMMITTEE, Kind.GENERAL_BRANCH),
        Kind.GROUP: (Kind.BRANCH,),
    }
    # Default term lengths (DESIGN §5): the university may set 4 for secondary committees.
    DEFAULT_TERM_YEARS: dict[str, int] = {  # keyed by the kind's str value, as forms pass it
        Kind.PROVINCE: 5,
        Kind.UNIVERSITY: 5,
        Kind.COMMITTEE: 5,
        Kind.GENERAL_BRANCH: 3,
        Kind.BRANCH: 3,
        Kind.GROUP: 3,
    }

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, blank=True, help_text=_("Branches only.")
    )
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Stable identifier used in spreadsheets.")
    )
    unit_type = models.CharField(_("unit type"), max_length=20, choices=UnitType.choices, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    term_started_on = models.DateField(_("term started on"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("term (years)"), default=3)
    # 支部工作条例: 主题党日 monthly on a fixed day (issue 18). A day past a month's end falls on its last day.
    theme_day = models.PositiveSmallIntegerField(
        _("theme party day (day of the month)"),
        null=True,
        blank=True,
        help_text=_(
            "The branch's fixed day for its monthly theme party day, 1–31; in a shorter month the last day."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(excluded_fields=["numchild"])
    objects = OrganizationManager()

    node_order_by: list[str] = []  # siblings keep the order they were created in

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        permissions = [
            ("manage_members", _("Can manage the members of this unit and its subtree")),
            ("manage_units", _("Can create, rename, move and deactivate units below this one")),
        ]
        constraints = [
            models.CheckConstraint(
                name="org_category_only_on_branches",
                condition=Q(category="") | Q(kind__in=["branch", "group"]),
            ),
            models.CheckConstraint(
                name="org_term_years_1_to_5", condition=Q(term_years__gte=1, term_years__lte=5)
            ),
            models.CheckConstraint(
                name="org_theme_day_1_to_31",
                condition=Q(theme_day__isnull=True) | Q(theme_day__gte=1, theme_day__lte=31),
            ),
        ]
        indexes = [
            # Dashboards count branches by kind and category inside a subtree (path prefix).
            models.Index(fields=["kind", "category"], name="org_kind_category"),
        ]

    def __str__(self) -> str:
        return self.name

    def theme_day_in(self, year: int, month: int):
        """The date of the branch's fixed theme party day in that month (month-end clamped), or None."""
        import calendar
        import datetime

        if not self.theme_day:
            return None
        return datetime.date(year, month, min(self.theme_day, calendar.monthrange(year, month)[1]))

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == self.Kind.BRANCH

    def ancestor_paths(self) -> list[str]:
        """Paths of this node and its ancestors, root first, computed without a query."""
        return [self.path[: i * self.steplen] for i in range(1, len(self.path) // self.steplen + 1)]

    @property
    def term_ends_on(self) -> datetime.date | None:
        if not self.term_started_on:
            return None
        return add_years(self.term_started_on, self.term_years)

    @property
    def term_overdue(self) -> bool:
        ends = self.term_ends_on
        return bool(ends and ends < timezone.localdate())


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """A user's permission on one organization; it holds on the organization's whole subtree."""

    content_object = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="user_permissions"
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user permission on an organization")
        verbose_name_plural = _("user permissions on organizations")


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="group_permissions"
    )

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group permission on an organization")
        verbose_name_plural = _("group permissions on organizations")


class RoleQuerySet(models.QuerySet):
    def current(self) -> RoleQuerySet:
        return self.filter(ended_on__isnull=True)


class Role(models.Model):
    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        DEPUTY = "deputy", _("Deputy secretary")
        ORGANIZER = "organizer", _("Organization commissioner")
        PUBLICITY = "publicity", _("Publicity commissioner")
        DISCIPLINE = "discipline", _("Discipline commissioner")
        OFFICER = "officer", _("Organization department officer")
        GROUP_LEADER = "group_leader", _("Party group leader")

    # Which object permissions a role grants on its organization (and so on the subtree).
    # Structural changes (manage_units) stay with committee-level roles.
    PERMISSIONS: dict[str, tuple[str, ...]] = {
        Kind.SECRETARY: ("view_organization", "manage_members", "manage_units"),
        Kind.DEPUTY: ("view_organization", "manage_members", "manage_units"),
        Kind.ORGANIZER: ("view_organization", "manage_members", "manage_units"),
        Kind.OFFICER: ("view_organization", "manage_members", "manage_units"),
        Kind.PUBLICITY: ("view_organization",),
        Kind.DISCIPLINE: ("view_organization",),
        Kind.GROUP_LEADER: ("view_organization",),
    }
    BRANCH_LEVEL_KINDS = (Organization.Kind.BRANCH, Organization.Kind.GROUP)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="party_roles", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="roles", verbose_name=_("organization")
    )
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()
    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "kind"],
                condition=Q(ended_on__isnull=True),
                name="role_one_current_per_user_org_kind",
            ),
            models.CheckConstraint(
                name="role_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
            ),
        ]
        indexes = [
            # The home page asks "which current roles does this user hold".
            models.Index(fields=["user", "ended_on"], name="role_user_current"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_kind_display()}"

    def granted_permissions(self) -> tuple[str, ...]:
        perms = self.PERMISSIONS[self.kind]
        if self.organization.kind in self.BRANCH_LEVEL_KINDS:
            perms = tuple(p for p in perms if p != "manage_units")
        return perms


class UnitFigures(models.Model):
    """The dashboard's snapshot of one unit: every registered block's figures for the unit's whole subtree.

    Written by ``branches.figures.figures_refresh`` (a Celery task every few minutes and shortly after
    relevant writes), read by the dashboard so a page never scans members or meetings: the unit's row and
    its children's rows are one indexed query whatever the size of the tree. ``own`` keeps, for units above
    the refresh partitions (a province), the part that belongs to the unit itself, so a partial refresh of
    one university can re-add its ancestors without rescanning the others.
    """

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
        verbose_name=_("organization"),
    )
    data = models.JSONField(_("figures"), default=dict)
    own = models.JSONField(_("own figures"), default=dict, blank=True)
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))
    # The figures as they stood when the week began: the last snapshot written before this week's first
    # refresh (``figures_refresh`` rolls ``data`` over on that refresh). "What moved" compares the two.
    previous = models.JSONField(_("previous figures"), default=dict, blank=True)
    previous_as_of = models.DateField(_("previous figures as of"), null=True, blank=True)

    class Meta:
        verbose_name = _("dashboard figures")
        verbose_name_plural = _("dashboard figures")

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


class OneTimeKey(models.Model):
    """A create form's one-time key (STYLE §15), claimed by the service that creates the record.

    Every create form renders a fresh random key (``branches.once.OnceField``); the service claims it in its own
    transaction before it inserts (``branches.once.once``). A double click, a resent form or twenty parallel
    posts carry the same key: the first claim wins, the others wait on the primary key until it commits and
    then return the record it made. One table for every app, so no model needs a key column of its own.
    """

    key = models.UUIDField(_("key"), primary_key=True)
    kind = models.CharField(_("kind of record"), max_length=60)  # app_label.model of what the form creates
    object_id = models.BigIntegerField(_("record"), null=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("one-time form key")
        verbose_name_plural = _("one-time form keys")
        indexes = [
            # The daily clean-up of old keys (branches.once.once_keys_expire).
            models.Index(fields=["created_at"], name="one_time_key_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class CalendarYear(models.Model):
    """A year whose official calendar (the State Council's notice of public holidays and 调休 working days) is
    entered in ``OfficialDay``. Working days of a year without this row are counted Monday to Friday, and every
    page that used such a count says so until the 组织部 enters the year (branches.calendar)."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The notice the days were taken from.")
    )

    class Meta:
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class OfficialDay(models.Model):
    """A day that differs from the Monday–Friday week: a public holiday on a weekday, or a 调休 working day on
    a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Working day in lieu (调休)")

    day = models.DateField(_("day"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("official calendar day")
        verbose_name_plural = _("official calendar days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.get_kind_display()}"


class DocumentTemplate(models.Model):
    """The 组织部's own Word template for one registered document (``branches.documents``); without one the
    document's default layout is used. Kept in the database (a few hundred KB at most, checked on upload), so
    a template and its row can never part."""

    key = models.SlugField(_("document"), max_length=40, unique=True)
    name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("template"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
