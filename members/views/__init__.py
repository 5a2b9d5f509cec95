"""Pages of the drill-down (university → committee → branch → roster), member records, import and export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from branches.spreadsheets.export import xlsx_response
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    MANAGE_UNITS,
    current_roles,
    organization_ancestors,
    organization_permission_holds,
    organizations_with_permission,
    require_organization_permission,
)
from members.services.tabular import xlsx_bytes
from members.forms import MemberImportForm
from members.models import Member
from members.panels import render_unit_panels
from members.record import render_record_sections
from members.resources import MemberResource
from members.selectors.shape import branch_shape
from members.selectors import overview as overview_selectors
from members.selectors import (
    AGE_BANDS,
    branch_roster,
    member_may_manage,
    member_may_view,
    members_for_export,
    sensitive_fields,
)
from members.services import member_import as member_import_service


@login_required
@require_GET
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
def unit_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit: its figures, its subunits with their counts, and the roster link for a branch.

    Queries are fixed whatever the size of the tree: the unit, the permission, the breadcrumb, the figures
    (above a branch, the snapshot rows of the unit and its children; a branch's counted live) and the
    management permissions.
    """
    unit = get_object_or_404(Organization, pk=pk)
    require_organization_permission(user=request.user, organization=unit)
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
            _("The term ended on %(day)s: a renewal election is overdue.") % {"day": unit.term_ends_on}
        )
    return warnings


@login_required
@require_GET
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """A branch's roster. ID numbers and phones are masked unless the viewer manages the branch."""
    branch = get_object_or_404(Organization, pk=pk, kind=Organization.Kind.BRANCH)
    require_organization_permission(user=request.user, organization=branch)
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


def _member_context(request: HttpRequest, member: Member) -> dict:
    unmasked = member.user_id == request.user.pk or member_may_manage(user=request.user, member=member)
    return {
        "member": member,
        "unit": member.branch,
        **sensitive_fields(member, unmasked=unmasked),
        "record_sections": render_record_sections(request, member, unmasked=unmasked),
    }


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("branch", "party_group"), pk=pk)
    if not member_may_view(user=request.user, member=member):
        raise PermissionDenied
    return render(request, "members/member_detail.html", _member_context(request, member))


@login_required
@require_GET
def member_me(request: HttpRequest) -> HttpResponse:
    member = Member.objects.select_related("branch", "party_group").filter(user=request.user).first()
    if member is None:
        return render(request, "members/no_role.html")
    return render(request, "members/member_detail.html", _member_context(request, member) | {"is_me": True})


def _import_scopes(request: HttpRequest):
    """Units whose members this user may import: committee level and above (not single branches)."""
    return (
        organizations_with_permission(user=request.user, codename=MANAGE_MEMBERS)
        .filter(
            kind__in=[
                Organization.Kind.PROVINCE,
                Organization.Kind.UNIVERSITY,
                *Organization.SECONDARY_KINDS,
            ],
            is_active=True,
        )
        .order_by("path")
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest) -> HttpResponse:
    scopes = _import_scopes(request)
    if not scopes.exists():
        raise PermissionDenied
    form = MemberImportForm(request.POST or None, request.FILES or None, scopes=scopes)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = member_import_service(
            data=upload.read(), filename=upload.name, scope=form.cleaned_data["scope"], by=request.user
        )
        if report.ok:
            messages.success(
                request,
                _("Imported: %(created)d new members, %(updated)d updated.")
                % {"created": report.created, "updated": report.updated},
            )
            return redirect("members:import")
    status = 400 if report is not None or form.errors else 200
    return render(request, "members/import.html", {"form": form, "report": report}, status=status)


@login_required
@require_GET
def member_import_template(request: HttpRequest) -> HttpResponse:
    if not _import_scopes(request).exists():
        raise PermissionDenied
    resource = MemberResource()
    headers = [f.column_name for f in resource.get_import_fields() if not f.readonly]
    # The headers are the import's column names, as the import reads them back (not labels to translate).
    return xlsx_response(xlsx_bytes(headers, [], title=_("Member list")), "member-import-template.xlsx")


@login_required
@require_GET
def member_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The subtree's members as xlsx, for those who manage them (so nothing is masked)."""
    unit = get_object_or_404(Organization, pk=pk)
    require_organization_permission(user=request.user, organization=unit, codename=MANAGE_MEMBERS)
    dataset = MemberResource(scope=unit).export(queryset=members_for_export(organization=unit))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        xlsx_bytes(dataset.headers, list(dataset), title=_("Member list")),
        f"members-{unit.code}-{stamp}.xlsx",
    )
