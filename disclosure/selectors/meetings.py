"""Reads of meetings: who may see or act on a record, review queues, compliance with the frequency rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User as AuthUser
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, Length, Substr
from django.utils import timezone

from branches.dates import month_end
from branches.models import Organization, Role
from branches.selectors import (
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    VIEW,
    organization_permission_holds,
    organizations_with_permission,
)
from disclosure.models import Meeting, MeetingRule, Period, Todo
from members.models import Member

User = AuthUser | AnonymousUser

# Roles whose holders review minutes sent to their unit (they hold manage_units there).
REVIEWER_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.ORGANIZER, Role.Kind.OFFICER)
SECRETARY_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY)


# --- permissions on one record ----------------------------------------------------------------------


def meeting_may_review(*, user: User, meeting: Meeting) -> bool:
    return meeting.reviewer is not None and organization_permission_holds(
        user=user, organization=meeting.reviewer, codename=MANAGE_UNITS
    )


def meeting_may_edit(*, user: User, meeting: Meeting) -> bool:
    """The unit's secretaries (manage_members) edit drafts and returned records. A returned record is the
    unit's to correct: the reviewer who returned it (manage_members through the tree) does not rewrite it
    (issue 22), so it takes a current role on the unit itself. One query, two for a returned record."""
    if not meeting.editable or not organization_permission_holds(
        user=user, organization=meeting.organization, codename=MANAGE_MEMBERS
    ):
        return False
    if meeting.status == Meeting.Status.RETURNED and not user.is_superuser:
        return Role.objects.current().filter(user=user, organization_id=meeting.organization_id).exists()
    return True


def meeting_may_view(*, user: User, meeting: Meeting) -> bool:
    """Restricted minutes: the unit's managers and the reviewers only; otherwise whoever sees the unit."""
    codename = MANAGE_MEMBERS if meeting.visibility == Meeting.Visibility.RESTRICTED else VIEW
    if organization_permission_holds(user=user, organization=meeting.organization, codename=codename):
        return True
    return meeting.status != Meeting.Status.DRAFT and meeting_may_review(user=user, meeting=meeting)


# --- lists ---------------------------------------------------------------------------------------------


def meetings_of(*, organization: Organization, year: int | None = None) -> QuerySet[Meeting]:
    """A unit's meetings, newest first, with what a list shows. One query."""
    qs = Meeting.objects.filter(organization=organization).select_related("party_group", "organization")
    if year:
        qs = qs.filter(held_at__year=year)
    return qs


def review_queue(*, user: User) -> QuerySet[Meeting]:
    """Records waiting for this user's review, oldest first. One query."""
    units = organizations_with_permission(user=user, codename=MANAGE_UNITS)
    return (
        Meeting.objects.filter(status=Meeting.Status.SUBMITTED, reviewer__in=units)
        .select_related("organization", "reviewer")
        .order_by("submitted_at", "pk")
    )


def open_todos(*, user: User) -> QuerySet[Todo]:
    if not user.is_authenticated:
        return Todo.objects.none()
    return Todo.objects.open().filter(user=user).select_related("organization", "meeting")


def reviewer_unit_for(organization: Organization) -> Organization | None:
    """Where a unit's minutes go: a configured route for its category, else the nearest secondary
    committee (or the university) above it; a root unit reviews its own (the 组织部 officers hold
    manage_units there). One or two queries."""
    from disclosure.models import ReviewRoute

    if organization.category:
        route = ReviewRoute.objects.filter(category=organization.category).select_related("reviewer").first()
        if route is not None:
            return route.reviewer
    parents = organization.ancestor_paths()[:-1]
    if not parents:
        return organization
    return (
        Organization.objects.filter(
            path__in=parents,
            kind__in=[
                *Organization.SECONDARY_KINDS,
                Organization.Kind.UNIVERSITY,
                Organization.Kind.PROVINCE,
            ],
        )
        .order_by("-depth")
        .first()
    )


# --- compliance -------------------------------------------------------------------------------------------

PERIOD_MONTHS: dict[str, int] = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}


@dataclass
class Cell:
    """One period of one rule for one branch."""

    label: str
    first_month: int
    last_month: int
    ends_on: datetime.date
    required: int
    held: int
    state: str  # "done", "missing" (ended short), "due" (running now), "future"
    # Theme party days held in the period on another day than the branch's fixed one (issue 18): they count as
    # held (支部工作条例 asks for one a month), and the cell says the fixed day was not kept.
    off_day: int = 0


@dataclass
class RuleRow:
    kind: str
    label: str
    period: str
    cells: list[Cell]


@dataclass
class BranchCompliance:
    branch: Organization
    rows: list[RuleRow] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.state == "missing")

    @property
    def due(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.state == "due")

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.state == "done")

    @property
    def behind(self) -> bool:
        return self.missing > 0


def _period_cells(
    rule: MeetingRule,
    months: dict[int, int],
    year: int,
    today: datetime.date,
    off_days: dict[int, int] | None = None,
) -> list[Cell]:
    step = PERIOD_MONTHS[rule.period]
    off_days = off_days or {}
    cells = []
    for first in range(1, 13, step):
        last = first + step - 1
        held = sum(months.get(m, 0) for m in range(first, last + 1))
        start = datetime.date(year, first, 1)
        end = month_end(year, last)
        if held >= rule.times:
            state = "done"
        elif end < today:
            state = "missing"
        elif start <= today:
            state = "due"
        else:
            state = "future"
        if rule.period == Period.MONTH:
            label = f"{first}"
        elif rule.period == Period.QUARTER:
            label = f"Q{(first - 1) // 3 + 1}"
        else:
            label = str(year)
        off = sum(off_days.get(m, 0) for m in range(first, last + 1))
        cells.append(Cell(label, first, last, end, rule.times, held, state, off))
    return cells


def compliance(
    *,
    root: Organization,
    year: int,
    today: datetime.date | None = None,
    statuses: tuple[str, ...] | None = None,
) -> list[BranchCompliance]:
    """Held vs required, per active branch of ``root``'s subtree, per rule and period of ``year``.

    Four queries whatever the size of the subtree: the branches, the rules, full members per branch, and
    the meetings grouped by branch, kind and month. ``statuses`` defaults to approved records only.
    """
    today = today or timezone.localdate()
    statuses = statuses or (Meeting.Status.APPROVED,)
    # A branch's groups are its children: their path minus its last step is the branch's path. An equality the
    # database can hash-join; ``LIKE outer.path || '%'`` compared every organization with every branch (minutes
    # for a province's 30,000 branches).
    active_groups = Organization.objects.annotate(
        parent_path=Substr("path", 1, Length("path") - Organization.steplen)
    ).filter(kind=Organization.Kind.GROUP, is_active=True, parent_path=OuterRef("path"))
    branches = list(
        Organization.objects.subtree_of(root)
        .filter(kind=Organization.Kind.BRANCH, is_active=True)
        .annotate(has_groups=Exists(active_groups))  # numchild would count deactivated groups too
        .order_by("path")
    )
    rules = list(MeetingRule.objects.filter(is_active=True, kind__in=Meeting.BRANCH_KINDS))
    full_members: dict[int, int] = {}
    if any(rule.min_full_members for rule in rules):
        full_members = dict(
            Member.objects.active()
            .in_subtree(root)
            .filter(stage=Member.Stage.FULL)
            .values("branch_id")
            .annotate(n=Count("pk"))
            .values_list("branch_id", "n")
        )
    tz = timezone.get_current_timezone()
    counts: dict[tuple[int, str], dict[int, int]] = {}
    rows = (
        Meeting.objects.filter(
            organization__path__startswith=root.path,
            organization__kind=Organization.Kind.BRANCH,
            status__in=statuses,
            held_at__year=year,
        )
        .annotate(
            month=ExtractMonth("held_at", tzinfo=tz),
            # The day only for theme party days (checked against the branch's fixed day); 0 for the other
            # kinds keeps their rows grouped by month, so the query returns no more rows than before.
            day=Case(
                When(kind=Meeting.Kind.THEME_DAY, then=ExtractDay("held_at", tzinfo=tz)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .values("organization_id", "kind", "month", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    fixed_day = {branch.pk: branch for branch in branches if branch.theme_day}
    off_days: dict[int, dict[int, int]] = {}
    for row in rows:
        months = counts.setdefault((row["organization_id"], row["kind"]), {})
        months[row["month"]] = months.get(row["month"], 0) + row["n"]
        branch = fixed_day.get(row["organization_id"])
        if row["kind"] == Meeting.Kind.THEME_DAY and branch is not None:
            if row["day"] != branch.theme_day_in(year, row["month"]).day:
                off = off_days.setdefault(branch.pk, {})
                off[row["month"]] = off.get(row["month"], 0) + row["n"]
    report = []
    for branch in branches:
        entry = BranchCompliance(branch=branch)
        for rule in rules:
            if rule.only_with_groups and not branch.has_groups:
                continue
            if rule.min_full_members and full_members.get(branch.pk, 0) < rule.min_full_members:
                continue
            entry.rows.append(
                RuleRow(
                    kind=rule.kind,
                    label=str(Meeting.Kind(rule.kind).label),
                    period=rule.period,
                    cells=_period_cells(
                        rule,
                        counts.get((branch.pk, rule.kind), {}),
                        year,
                        today,
                        off_days.get(branch.pk) if rule.kind == Meeting.Kind.THEME_DAY else None,
                    ),
                )
            )
        entry.rows.sort(key=lambda r: Meeting.BRANCH_KINDS.index(r.kind))
        report.append(entry)
    return report


def filing_lag_summary(*, root: Organization, year: int) -> dict:
    """Average filing lag and late filings of the subtree's filed records in ``year``. One query."""
    from django.db.models import Avg

    data = (
        Meeting.objects.filed()
        .filter(organization__path__startswith=root.path, held_at__year=year)
        .aggregate(
            filed=Count("pk"), late=Count("pk", filter=Q(is_late=True)), average_lag=Avg("filing_lag_days")
        )
    )
    return data
