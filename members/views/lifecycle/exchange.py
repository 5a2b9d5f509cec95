"""The lifecycle spreadsheets: imports, their templates and the exports."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import unit_access
from branches.spreadsheets.export import xlsx_response
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
)
from members import forms
from members.selectors import lifecycle as sel
from members.services import dues as dues_services

from members.views.lifecycle.dues import _ledger_year
from members.views.lifecycle._common import BRANCH_ONLY, _base


# --- imports and exports ----------------------------------------------------------------------------------------


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return xlsx_response(content, filename)


def _import_kinds(request: HttpRequest, unit: Organization) -> set[str]:
    """The spreadsheets ``unit``'s import takes from this user: dues lines only from the branch's recorders."""
    from members.services.tabular import IMPORTERS

    kinds = set(IMPORTERS)
    if not dues_services.dues_may_record(user=request.user, branch=unit):
        kinds.discard("dues")
    return kinds


def _dues_refused(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", {"reason": dues_services.dues_refusal()}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
@unit_access(MANAGE_MEMBERS)
def lifecycle_import(request: HttpRequest, unit: Organization) -> HttpResponse:
    """Applicants, dues lines or transfer letters from a spreadsheet: all rows or none."""
    from members.services.tabular import IMPORTERS

    # Dues lines are the branch's to record (issue 22): neither offered to nor accepted from a unit above.
    kinds = _import_kinds(request, unit)
    if request.method == "POST" and request.POST.get("what") == "dues" and "dues" not in kinds:
        return _dues_refused(request)
    form = forms.LifecycleImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    report = None
    if request.method == "POST" and form.is_valid():
        importer, _columns = IMPORTERS[form.cleaned_data["what"]]
        upload = form.cleaned_data["file"]
        try:
            report = importer(data=upload.read(), filename=upload.name, scope=unit, by=request.user)
        except PermissionDenied:
            return _dues_refused(request)
        if report.ok:
            messages.success(request, _("Imported %(n)d rows.") % {"n": report.created})
            return redirect("members:lifecycle_import", pk=unit.pk)
    context = _base(
        request,
        unit,
        "import",
        form=form,
        report=report,
        # Each template named as the form's choice names it (「发展党员」), not by its file name.
        templates=[
            (what, dict(form.fields["what"].choices).get(what, what), columns)
            for what, (_i, columns) in IMPORTERS.items()
            if what in kinds
        ],
    )
    return render(
        request,
        "members/lifecycle/import.html",
        context,
        status=400 if report is not None or form.errors else 200,
    )


@login_required
@require_GET
@unit_access(MANAGE_MEMBERS)
def lifecycle_import_template(request: HttpRequest, unit: Organization, what: str) -> HttpResponse:
    from members.services.tabular import IMPORTERS, xlsx_bytes

    if what not in IMPORTERS:
        raise Http404
    if what not in _import_kinds(request, unit):
        return _dues_refused(request)
    return _xlsx_response(xlsx_bytes(IMPORTERS[what][1], []), f"{what}-template-{unit.code}.xlsx")


@login_required
@require_GET
@unit_access(MANAGE_MEMBERS)
def development_export(request: HttpRequest, unit: Organization) -> HttpResponse:
    from members.services.tabular import development_export_rows, xlsx_bytes

    headers, rows = development_export_rows(sel.development_cases(organization=unit, status=None))
    return _xlsx_response(xlsx_bytes(headers, rows), f"development-{unit.code}.xlsx")


@login_required
@require_GET
@unit_access(MANAGE_MEMBERS)
def transfers_export(request: HttpRequest, unit: Organization) -> HttpResponse:
    from members.services.tabular import transfers_export_rows, xlsx_bytes

    headers, rows = transfers_export_rows(sel.transfers_for(organization=unit))
    return _xlsx_response(xlsx_bytes(headers, rows), f"transfers-{unit.code}.xlsx")


@login_required
@require_GET
@unit_access(MANAGE_MEMBERS, kinds=BRANCH_ONLY)
def dues_export(request: HttpRequest, unit: Organization, year: int) -> HttpResponse:
    from members.services.tabular import dues_year_export_rows, xlsx_bytes

    _ledger_year(year)
    data = sel.dues_year_list(branch=unit, year=year, today=timezone.localdate())
    headers, rows = dues_year_export_rows(data)
    return _xlsx_response(xlsx_bytes(headers, rows), f"dues-{unit.code}-{year}.xlsx")
