"""The grants a unit shows: funded showcase projects on its public 特色阵地 section (through
``disclosure.showcase``) and, for its managers, every grant on its unit page (through ``members.panels``)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string

from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds
from projects.models import Grant, GrantKind

SHOWCASE_LIMIT = 20


def showcase_block(request: HttpRequest, unit: Organization) -> str | None:
    """Funded showcase projects the unit leads or takes part in, with their progress. Public content only
    (the public page is cached for every visitor). One query."""
    projects = list(
        Grant.objects.funded()
        .filter(kind=GrantKind.FEATURE, units__organization=unit)
        .select_related("call", "organization")
        .annotate(unit_count=Count("units", distinct=True))
        .order_by("-call__year", "-pk")[:SHOWCASE_LIMIT]
    )
    if not projects:
        return None
    return render_to_string("projects/showcase_block.html", {"projects": projects, "unit": unit})


def unit_grants_panel(request: HttpRequest, unit: Organization) -> str | None:
    """The unit page's grant list for those who manage the unit: every application it leads or joins,
    whatever its state. Two queries (the permission, the grants); nothing for other readers."""
    if unit.kind not in (
        Organization.Kind.COMMITTEE,
        Organization.Kind.GENERAL_BRANCH,
        Organization.Kind.BRANCH,
    ):
        return None
    if not organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_MEMBERS):
        return None
    grants = list(
        Grant.objects.filter(units__organization=unit)
        .exclude(Q(status=Grant.Status.DRAFT) & ~Q(organization=unit))
        .select_related("call", "organization")
        .order_by("-call__year", "-pk")[:20]
    )
    return render_to_string("projects/unit_panel.html", {"grants": grants, "unit": unit}, request=request)
