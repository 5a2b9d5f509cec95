"""The member list as a spreadsheet: the import (with its empty template) and the subtree's export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import checked_by, unit_access
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    organizations_with_permission,
)
from branches.spreadsheets.export import xlsx_response
from members.forms import MemberImportForm
from members.resources import MemberResource
from members.selectors import members_for_export
from members.services import member_import as member_import_service
from members.services.tabular import xlsx_bytes


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
@checked_by(_import_scopes)
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
@checked_by(_import_scopes)
def member_import_template(request: HttpRequest) -> HttpResponse:
    if not _import_scopes(request).exists():
        raise PermissionDenied
    resource = MemberResource()
    headers = [f.column_name for f in resource.get_import_fields() if not f.readonly]
    # The headers are the import's column names, as the import reads them back (not labels to translate).
    return xlsx_response(xlsx_bytes(headers, [], title=_("Member list")), "member-import-template.xlsx")


@login_required
@require_GET
@unit_access(MANAGE_MEMBERS)
def member_export(request: HttpRequest, unit: Organization) -> HttpResponse:
    """The subtree's members as xlsx, for those who manage them (so nothing is masked)."""
    dataset = MemberResource(scope=unit).export(queryset=members_for_export(organization=unit))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        xlsx_bytes(dataset.headers, list(dataset), title=_("Member list")),
        f"members-{unit.code}-{stamp}.xlsx",
    )
