"""党内统计 pages (issue 21): ask for the tables as of a date (a Celery task), read a kept report, drill into a
cell, download it as xlsx; 信息完整度; the national member sheet; members' Word documents.

Thin views: authorise (VIEW for figures, MANAGE_MEMBERS for anything that shows ID numbers or phones), call
one service or selector, render."""

from __future__ import annotations

import datetime
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from branches.bounds import DateField
from branches.documents import DOCX_CONTENT_TYPE
from branches.models import Organization
from branches.once import OnceField
from branches.access import checked_by, record_access, unit_access
from branches.selectors import (
    MANAGE_MEMBERS,
    organization_ancestors,
    organization_permission_holds,
)
from members import documents, statistics
from members.models import DevelopmentCase, Member, SheetLayout, StatReport, StatTable
from members.selectors import lifecycle as lifecycle_selectors
from members.services import statistics as services
from members.services.layouts import may_edit_layouts
from members.services.tabular import _cell


class StatReportForm(forms.Form):
    as_of = DateField(label=gettext_lazy("As of"), future=False)
    request_key = OnceField()


def _base(unit: Organization, **extra) -> dict:
    return {"unit": unit, "ancestors": organization_ancestors(organization=unit), **extra}


# A kept report is its unit's: VIEW on that unit (or above) reads it, anyone else is refused (403).
REPORTS = StatReport.objects.select_related("organization")


def _report_unit(report: StatReport) -> Organization:
    return report.organization


def _last_year_end(today: datetime.date) -> datetime.date:
    return datetime.date(today.year - 1, 12, 31)


@login_required
@require_http_methods(["GET", "POST"])
@unit_access()
def statistics_home(request: HttpRequest, unit: Organization) -> HttpResponse:
    """The unit's reports and the form asking for a new one (as of 31 December last year by default)."""
    form = StatReportForm(request.POST or None, initial={"as_of": _last_year_end(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.stat_report_request(
                organization=unit,
                as_of=form.cleaned_data["as_of"],
                by=request.user,
                request_key=form.cleaned_data["request_key"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The tables are being computed."))
            return redirect("members:stat_report", pk=report.pk)
    reports = StatReport.objects.filter(organization=unit).only(
        "pk", "as_of", "status", "done_tables", "total_tables", "finished_at", "organization_id"
    )[:20]
    return render(
        request,
        "members/statistics/home.html",
        _base(
            unit,
            section="reports",
            form=form,
            reports=reports,
            sheets=SheetLayout.objects.all(),
            may_manage=_may(request, unit, MANAGE_MEMBERS),
            # The 组织部 edits the layouts these tables and sheets print in (one query).
            may_edit_layouts=may_edit_layouts(user=request.user),
        ),
        status=400 if form.errors else 200,
    )


def _may(request: HttpRequest, unit: Organization, codename: str) -> bool:
    from branches.selectors import organization_permission_holds

    return organization_permission_holds(user=request.user, organization=unit, codename=codename)


@login_required
@require_GET
@record_access(REPORTS, unit=_report_unit, refuse=PermissionDenied, to="report")
def stat_report(request: HttpRequest, report: StatReport) -> HttpResponse:
    """A kept report: its progress while the task runs, then every table with its rules, each cell a link to
    the people or units behind it. Printable."""
    tables = []
    for table in report.result.get("tables", []):
        rows = [
            {
                "key": key,
                "label": label,
                "cells": [
                    {"column": column, "value": value}
                    for (column, _l), value in zip(table["columns"], values, strict=True)
                ],
            }
            for (key, label), values in zip(table["rows"], table["cells"], strict=True)
        ]
        tables.append({**table, "body": rows})
    return render(
        request,
        "members/statistics/report.html",
        _base(
            report.organization,
            section="reports",
            report=report,
            tables=tables,
            running=report.status in (StatReport.Status.QUEUED, StatReport.Status.RUNNING),
        ),
    )


@login_required
@require_GET
@record_access(REPORTS, unit=_report_unit, refuse=PermissionDenied, to="report")
def stat_report_xlsx(request: HttpRequest, report: StatReport) -> HttpResponse:
    """The report in the tables' layout: one sheet per table, its title, the column headings, the rows; the
    formula-prefix sanitising of every export applies to the 组织部's labels too."""
    from branches.spreadsheets.export import Column, Sheet, workbook_bytes, xlsx_response

    if report.status != StatReport.Status.DONE:
        raise Http404
    sheets = [
        Sheet(
            f"{i + 1}",
            [Column(table["title"], 30), *[Column(label, None) for _k, label in table["columns"]]],
            [[label, *values] for (_key, label), values in zip(table["rows"], table["cells"], strict=True)],
            notes=[_("Counting rules: ") + table["rules"]] if table["rules"] else [],
        )
        for i, table in enumerate(report.result.get("tables", []))
    ]
    name = f"党内统计-{report.organization.code or report.organization.pk}-{report.as_of.isoformat()}.xlsx"
    return xlsx_response(workbook_bytes(sheets), name)


@login_required
@require_GET
@record_access(REPORTS, unit=_report_unit, refuse=PermissionDenied, to="report")
def stat_cell(request: HttpRequest, report: StatReport) -> HttpResponse:
    """The people (or units, or awards) behind one cell of a kept report, counted now by the same condition as
    of the report's date: ``?table=code&row=key&col=key``. Two queries for the list (the count and the page);
    a measure column (委员人数) lists the posts it counts."""
    table = get_object_or_404(StatTable, code=request.GET.get("table", ""))
    row, column = request.GET.get("row", ""), request.GET.get("col", "")
    known = statistics.keys_for(table.subject)
    if row not in known or column not in known or known[row].measure is not None:
        raise Http404
    labels = {key: label for key, label in table.rows + table.columns}
    queryset = statistics.drilldown(
        table=table, unit=report.organization, as_of=report.as_of, row=row, column=column
    )
    page = Paginator(queryset, 100).get_page(request.GET.get("page"))
    reported = None
    for kept in report.result.get("tables", []):
        if kept["code"] == table.code:
            rows, columns = [k for k, _l in kept["rows"]], [k for k, _l in kept["columns"]]
            if row in rows and column in columns:
                reported = kept["cells"][rows.index(row)][columns.index(column)]
    return render(
        request,
        "members/statistics/cell.html",
        _base(
            report.organization,
            section="reports",
            report=report,
            table=table,
            page=page,
            row_label=labels.get(row, row),
            column_label=labels.get(column, column),
            reported=reported,
            shows=statistics.drilldown_shows(table=table, column=column),
            query=f"table={quote(table.code)}&row={quote(row)}&col={quote(column)}",
        ),
    )


@login_required
@require_GET
@unit_access()
def completeness(request: HttpRequest, unit: Organization) -> HttpResponse:
    """信息完整度: per subunit, the share of party members' records holding each field the tables need."""
    rows = statistics.completeness(unit=unit)
    return render(
        request,
        "members/statistics/completeness.html",
        _base(
            unit,
            section="completeness",
            rows=rows,
            fields=[(key, label) for key, label, _q in statistics.COMPLETENESS_FIELDS],
        ),
    )


def _sheet(kind: str) -> SheetLayout:
    layout = SheetLayout.objects.filter(kind=kind).first()
    if layout is None:
        raise Http404
    return layout


@login_required
@require_GET
@unit_access(MANAGE_MEMBERS)
def member_sheet(request: HttpRequest, unit: Organization, kind: str) -> HttpResponse:
    """Before the national sheet's export: every member whose required fields are empty, with the headings."""
    layout = _sheet(kind)
    check = statistics.sheet_check(
        columns=layout.columns, people=statistics.sheet_people(kind=kind, unit=unit)
    )
    return render(
        request,
        "members/statistics/sheet.html",
        _base(
            unit, layout=layout, count=check.count, missing=check.missing, missing_count=check.missing_count
        ),
    )


@login_required
@require_GET
@unit_access(MANAGE_MEMBERS)
def member_sheet_xlsx(request: HttpRequest, unit: Organization, kind: str) -> HttpResponse:
    from members.services.tabular import xlsx_bytes
    from members.views.lifecycle.exchange import _xlsx_response

    layout = _sheet(kind)
    headers, rows, _missing = statistics.sheet_rows(
        columns=layout.columns, people=statistics.sheet_people(kind=kind, unit=unit)
    )
    return _xlsx_response(
        xlsx_bytes([_cell(h) for h in headers], rows), f"member-sheet-{kind}-{unit.pk}.xlsx"
    )


# --- Word documents -------------------------------------------------------------------------------------------------


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
@unit_access()
def dues_docx(request: HttpRequest, unit: Organization, year: int) -> HttpResponse:
    if unit.kind != Organization.Kind.BRANCH or not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    today = timezone.localdate()
    data = lifecycle_selectors.dues_year_list(branch=unit, year=year, today=today)
    return _docx(documents.dues_list_document(branch=unit, data=data, today=today), f"党费公示-{year}.docx")


DEVELOPMENT_KEYS = {documents.NOTICE.key, documents.POLITICAL_REVIEW.key}


@login_required
@require_GET
@checked_by(organization_permission_holds)
def development_docx(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    if key not in DEVELOPMENT_KEYS:
        raise Http404
    case = get_object_or_404(
        DevelopmentCase.objects.select_related("member__branch").prefetch_related("steps"), pk=pk
    )
    if not _may(request, case.member.branch, MANAGE_MEMBERS):
        raise Http404  # as the case's own page: a case one may not manage is not there
    return _docx(
        documents.development_document(case=case, key=key, today=timezone.localdate()),
        f"{documents.document_kind_title(key)}-{case.member.name}.docx",
    )


TERM_KEYS = {kind.key for kind in documents.TERM_KINDS}


@login_required
@require_GET
@unit_access()
def term_docx(request: HttpRequest, unit: Organization, key: str) -> HttpResponse:
    if key not in TERM_KEYS:
        raise Http404
    if unit.kind == Organization.Kind.GROUP:
        raise Http404
    parent = Organization.objects.filter(path=unit.path[: -unit.steplen]).first() if unit.depth > 1 else None
    party = Member.objects.active().party_members().in_subtree(unit)
    counts = party.values("stage").order_by()
    members = counts.count()
    full = counts.filter(stage=Member.Stage.FULL).count()
    # The ballot and the tally sheet list the candidates recorded for the unit's next election (terms page).
    candidates = [c.member.name for c in lifecycle_selectors.term_candidates(organization=unit)]
    content = documents.term_document(
        unit=unit,
        key=key,
        parent=parent,
        members=members,
        full_members=full,
        candidates=candidates,
        today=timezone.localdate(),
        # The 决议 states the recorded election that began the current term, or says none is recorded.
        election=lifecycle_selectors.term_election_current(organization=unit)
        if key == documents.RESOLUTION.key
        else None,
    )
    return _docx(content, f"{documents.document_kind_title(key)}-{unit.code or unit.pk}.docx")
