"""Reads for grants, filtered by who asks: the applying unit, the endorsing committee, the 组织部, and
reviewers, who see only the applications assigned to them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr

from branches.models import Organization
from branches.selectors import (
    holds_near,
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    VIEW,
    organization_permission_holds,
    organizations_with_permission,
)
from projects.models import Grant, GrantCall, GrantReview, GrantUnit
from projects.services import endorsing_unit


def calls_administered_by(*, user: User) -> QuerySet[GrantCall]:
    """Calls issued by organisations on which the user holds manage_units (the 组织部). One query."""
    return GrantCall.objects.filter(
        organization__in=organizations_with_permission(user=user, codename=MANAGE_UNITS)
    ).annotate(applications=Count("grants", filter=~Q(grants__status=Grant.Status.DRAFT)))


def call_administered(*, user: User, call: GrantCall) -> bool:
    return organization_permission_holds(user=user, organization=call.organization, codename=MANAGE_UNITS)


def calls_open_to(*, user: User, today) -> QuerySet[GrantCall]:
    """Open calls of the universities the user belongs to: through a unit they may see, or as a member of
    a branch (a member without a role applies for research topics). One query."""
    from members.models import Member

    own_branch = Member.objects.filter(
        user_id=user.pk, branch__path__startswith=OuterRef("organization__path")
    )
    # A unit the user may see within the call's university, or above it (a province's officer): tested
    # against the user's granted nodes, not every unit they may see (69,000 for a province: 2.7 s a page).
    near = holds_near(user=user, codename=VIEW, path=OuterRef("organization__path"))
    return (
        GrantCall.objects.filter(opens_on__lte=today, deadline__gte=today)
        .filter(near | Exists(own_branch))
        .order_by("deadline")
    )


@dataclass
class GrantAccess:
    """What one user may do with one grant (a fixed number of queries to build)."""

    office: bool = False  # the 组织部 of the call: sees everything, assigns reviewers, decides, accepts
    applicant: bool = False  # manages the lead unit (or is the applicant): edits drafts, reports, spends
    partner: bool = False  # sees a partner unit's project
    endorser: bool = False  # the lead unit's secondary committee
    review: GrantReview | None = None  # the user's own review assignment

    @property
    def may_view(self) -> bool:
        return self.office or self.applicant or self.partner or self.endorser or self.review is not None


def grant_access(*, user: User, grant: Grant) -> GrantAccess:
    """Up to five queries: the 组织部 permission, the lead unit, the partners, the endorsing committee,
    the user's review."""
    if not user.is_authenticated:
        return GrantAccess()
    access = GrantAccess()
    access.office = call_administered(user=user, call=grant.call)
    access.applicant = grant.applicant_id == user.pk or organization_permission_holds(
        user=user, organization=grant.organization, codename=MANAGE_MEMBERS
    )
    if not access.applicant and not access.office:
        partners = [unit.organization_id for unit in grant.units.all() if not unit.is_lead]
        access.partner = (
            bool(partners)
            and organizations_with_permission(user=user, codename=MANAGE_MEMBERS)
            .filter(pk__in=partners)
            .exists()
        )
    unit = endorsing_unit(grant)
    access.endorser = unit is not None and organization_permission_holds(
        user=user, organization=unit, codename=MANAGE_UNITS
    )
    access.review = GrantReview.objects.filter(grant=grant, reviewer_id=user.pk).first()
    return access


def grant_detail(*, pk: int) -> Grant:
    """One grant with everything its page shows (five queries: the grant, units, reviews, reports with
    their files, expenses)."""
    from projects.models import GrantReport

    return (
        Grant.objects.select_related("call__organization", "topic", "organization", "applicant", "decided_by")
        .prefetch_related(
            Prefetch("units", queryset=GrantUnit.objects.select_related("organization")),
            Prefetch("reviews", queryset=GrantReview.objects.select_related("reviewer")),
            Prefetch("reports", queryset=GrantReport.objects.prefetch_related("files")),
            "expenses",
        )
        .get(pk=pk)
    )


def grants_of_user(*, user: User) -> QuerySet[Grant]:
    """Applications of the units the user manages (lead or partner) and their own research topics. One query."""
    managed = organizations_with_permission(user=user, codename=MANAGE_MEMBERS)
    return (
        Grant.objects.filter(Q(applicant_id=user.pk) | Q(units__organization__in=managed))
        .distinct()
        .select_related("call", "organization")
        .order_by("-call__year", "-pk")
    )


def grants_to_endorse(*, user: User) -> QuerySet[Grant]:
    """Submitted applications of units under a committee the user manages. One query."""
    return (
        Grant.objects.filter(
            status=Grant.Status.SUBMITTED,
            organization__in=organizations_with_permission(user=user, codename=MANAGE_UNITS),
        )
        .select_related("call", "organization")
        .order_by("submitted_at")
    )


def reviews_of(*, user: User) -> QuerySet[GrantReview]:
    """The user's review assignments, open ones first. One query."""
    return (
        GrantReview.objects.filter(reviewer_id=user.pk)
        .select_related("grant__call", "grant__organization")
        .order_by("submitted_at", "-assigned_at")
    )


def call_grants(*, call: GrantCall) -> QuerySet[Grant]:
    """Every submitted application of a call with its review summary (the 组织部's list). One query."""
    return (
        call.grants.exclude(status=Grant.Status.DRAFT)
        .select_related("organization", "topic")
        .annotate(
            reviews_total=Count("reviews", distinct=True),
            reviews_done=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
            spent=Sum("expenses__amount"),
        )
        .order_by("status", "-pk")
    )


def call_usage(*, call: GrantCall) -> dict:
    """Places and money taken so far in a call. One query."""
    row = call.grants.funded().aggregate(
        key=Count("pk", filter=Q(grade=Grant.Grade.KEY)),
        general=Count("pk", filter=Q(grade=Grant.Grade.GENERAL)),
        granted=Sum("granted_amount"),
    )
    row["granted"] = row["granted"] or Decimal("0")
    row["left"] = call.budget - row["granted"]
    return row


def funding_overview(*, root: Organization) -> dict:
    """Counts and funding by year, kind and grade, and funding by secondary committee, for the grants of
    every call issued at ``root`` or below it. Three queries whatever the number of grants."""
    grants = Grant.objects.filter(call__organization__path__startswith=root.path).exclude(
        status=Grant.Status.DRAFT
    )
    by_year = list(
        grants.values("call__year", "kind")
        .annotate(
            applications=Count("pk"),
            key=Count("pk", filter=Q(grade=Grant.Grade.KEY)),
            general=Count("pk", filter=Q(grade=Grant.Grade.GENERAL)),
            rejected=Count("pk", filter=Q(status=Grant.Status.REJECTED)),
            pending=Count("pk", filter=Q(status__in=[Grant.Status.SUBMITTED, Grant.Status.REVIEW])),
            granted=Sum("granted_amount"),
        )
        .order_by("-call__year", "kind")
    )
    # The secondary committee of a lead unit is its ancestor one level below the university.
    committee_depth = root.depth + 1 if root.kind == Organization.Kind.UNIVERSITY else root.depth + 2
    prefix = Organization.steplen * committee_depth
    by_unit_rows = list(
        grants.funded()
        .annotate(committee_path=Substr("organization__path", 1, prefix))
        .values("committee_path")
        .annotate(
            projects=Count("pk"),
            granted=Sum("granted_amount"),
            key=Count("pk", filter=Q(grade=Grant.Grade.KEY)),
        )
        .order_by("-granted")
    )
    names = dict(
        Organization.objects.filter(path__in=[row["committee_path"] for row in by_unit_rows]).values_list(
            "path", "name"
        )
    )
    by_unit = [{**row, "name": names.get(row["committee_path"], "—")} for row in by_unit_rows]
    totals = {
        "granted": sum((row["granted"] or Decimal("0") for row in by_year), Decimal("0")),
        "funded": sum(row["key"] + row["general"] for row in by_year),
        "applications": sum(row["applications"] for row in by_year),
    }
    return {"by_year": by_year, "by_unit": by_unit, "totals": totals}
