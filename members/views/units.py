"""The drill-down: where each person starts, one unit's overview (university → committee → branch) and a
branch's roster."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from branches.access import checked_by, unit_access
from branches.dates import prose_date
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    current_roles,
    organization_ancestors,
    organization_permission_holds,
)
from members.models import Member
from members.panels import render_unit_panels
from members.selectors import AGE_BANDS, branch_roster, sensitive_fields
from members.selectors import overview as overview_selectors
from members.selectors.shape import branch_shape


@login_required
@require_GET
@checked_by(current_roles)
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is: officers to their unit, secretaries to their branch,
    members to their own record."""
    user = request.user
    if user.is_superuser:
        root = Organization.objects.get_first_root_node()
        if root is not None:
            return redirect("members:unit", pk=root.pk)
    role = current_roles(user=user).first()
    if role is not None:
        return redirect("members:unit", pk=role.organization_id)
    if Member.objects.filter(user=user).exists():
        return redirect("members:me")
    return render(request, "members/no_role.html")


@login_required
@require_GET
@unit_access()
def unit_overview(request: HttpRequest, unit: Organization) -> HttpResponse:
    """One unit: its figures, its subunits with their counts, and the roster link for a branch.

    Queries are fixed whatever the size of the tree: the unit, the permission, the breadcrumb, the figures
    (above a branch, the snapshot rows of the unit and its children; a branch's counted live) and the
    management permissions.
    """
    overview = overview_selectors.unit_overview(unit=unit)
    stats = overview.stats
    can_manage_units = organization_permission_holds(
        user=request.user, organization=unit, codename=MANAGE_UNITS
    )
    # Renaming, moving and deactivating a unit is the business of the unit above it.
    parent = Organization.objects.get_parent(unit) if can_manage_units and unit.depth > 1 else None
    can_manage_parent = parent is not None and organization_permission_holds(
        user=request.user, organization=parent, codename=MANAGE_UNITS
    )
    context = {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "children": overview.children,
        "stats": stats,
        "figures_at": overview.figures_at,
        "chart_data": {
            "category": [
                {"name": str(Organization.Category(c).label), "value": n}
                for c, n in stats["party_members_by_category"].items()
            ],
            "age": {
                "labels": [str(label) for label in _age_labels()],
                "values": [stats["party_members_by_age_band"][key] for key, _o in AGE_BANDS],
            },
        },
        "stage_rows": [(Member.Stage(s).label, n) for s, n in stats["people_by_stage"].items()],
        "category_rows": [
            (Organization.Category(c).label, n) for c, n in stats["party_members_by_category"].items()
        ],
        "gender_rows": [(Member.Gender(g).label, n) for g, n in stats["party_members_by_gender"].items()],
        "age_rows": list(zip(_age_labels(), stats["party_members_by_age_band"].values())),
        "kind_rows": [
            (Organization.Kind(k).label, n) for k, n in stats["organizations_by_kind"].items() if n
        ],
        "can_manage_units": can_manage_units,
        "can_manage_parent": can_manage_parent,
        "warnings": _branch_shape_warnings(unit, stats),
        # Compliance, to-dos and the like, contributed by higher apps (members.panels).
        "panels": render_unit_panels(request, unit),
    }
    return render(request, "members/unit.html", context)


def _age_labels():
    return [_("30 and under"), _("31–40"), _("41–50"), _("51–60"), _("61–70"), _("71 and over")]


def _branch_shape_warnings(unit: Organization, stats: dict) -> list[str]:
    """DESIGN §5 branch shape, shown as warnings on the branch page, never as errors."""
    warnings = []
    if unit.is_branch:  # at least 3 full members; from 7 a committee of 3 to 5 (issue 18)
        warnings += branch_shape(branch=unit, full=stats["people_by_stage"][Member.Stage.FULL]).warnings
    if unit.term_overdue:
        warnings.append(
            _("The term ended on %(day)s: a renewal election is overdue.")
            % {"day": prose_date(unit.term_ends_on)}
        )
    return warnings


@login_required
@require_GET
@unit_access(kinds=[Organization.Kind.BRANCH], to="branch")
def roster(request: HttpRequest, branch: Organization) -> HttpResponse:
    """A branch's roster. ID numbers and phones are masked unless the viewer manages the branch."""
    can_manage = organization_permission_holds(
        user=request.user, organization=branch, codename=MANAGE_MEMBERS
    )
    query = request.GET.get("q", "").strip()
    people = branch_roster(branch=branch)
    if query:
        matches = Q(name__contains=query)
        if can_manage:  # only those who see phones may search by them
            matches |= Q(phone__contains=query)
        people = people.filter(matches)
    rows = [{"member": m, **sensitive_fields(m, unmasked=can_manage)} for m in people]
    context = {
        "unit": branch,
        "ancestors": organization_ancestors(organization=branch),
        "rows": rows,
        "query": query,
        "can_manage": can_manage,
    }
    template = "members/roster.html#roster-table" if request.htmx else "members/roster.html"
    response = render(request, template, context)
    # The fragment and the page share a URL: caches and the back button must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
