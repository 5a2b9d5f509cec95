"""Dues: the branch's monthly ledger and its year."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import unit_access
from branches.models import Organization
from members import forms
from members.models import (
    DuesBracket,
    DuesPayment,
    Member,
)
from members.rules import first_of_month
from members.selectors import lifecycle as sel
from members.services import dues as dues_services

from members.views.lifecycle._common import BRANCH_ONLY, _base, _errors, _may_manage


# --- dues -------------------------------------------------------------------------------------------------------

# The ledger's months: none before the Party's founding (1921), none past next year.
FIRST_LEDGER_MONTH = datetime.date(1921, 7, 1)


def _month(request: HttpRequest) -> datetime.date:
    """``?month=YYYY-MM`` (this month without it); a value that is not a month of the ledger is a 404 (a month
    at the calendar's edge, 0001-01 or 9999-12, has no neighbours to link to)."""
    this_month = first_of_month(timezone.localdate())
    raw = request.GET.get("month", "")
    if not raw:
        return this_month
    try:
        month = datetime.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        raise Http404 from None
    if not FIRST_LEDGER_MONTH <= month <= this_month.replace(year=this_month.year + 1):
        raise Http404
    return month


def _ledger_year(year: int) -> None:
    if not FIRST_LEDGER_MONTH.year <= year <= timezone.localdate().year + 1:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
@unit_access(kinds=BRANCH_ONLY)
def dues(request: HttpRequest, unit: Organization) -> HttpResponse:
    """A branch's monthly ledger: declared amount and status per member; record a month, declare a base."""
    # The branch records its dues; units above read them (dues_may_record).
    can_manage = dues_services.dues_may_record(user=request.user, branch=unit)
    month = _month(request)
    roster = Member.objects.active().party_members().filter(branch=unit).order_by("name")
    declare = forms.DeclareForm(
        request.POST if request.POST.get("action") == "declare" else None,
        members=roster,
        kinds=DuesBracket.Kind.choices,
        initial={"valid_from": month},
    )
    if request.method == "POST":
        if not can_manage:
            raise Http404
        try:
            if request.POST.get("action") == "declare" and declare.is_valid():
                dues_services.dues_declare(by=request.user, **declare.cleaned_data)
                messages.success(request, _("Dues base declared."))
                return redirect(f"{request.path}?month={month:%Y-%m}")
            if request.POST.get("action") == "record_all":
                bulk = forms.DuesMonthForm(request.POST, members=roster)
                if bulk.is_valid():
                    created = dues_services.dues_record_month(
                        branch=unit,
                        month=month,
                        by=request.user,
                        except_members={m.pk for m in bulk.cleaned_data["exceptions"]},
                        request_key=bulk.cleaned_data["request_key"],
                    )
                    messages.success(
                        request,
                        ngettext(
                            "%(n)d member recorded as paid.", "%(n)d members recorded as paid.", len(created)
                        )
                        % {"n": len(created)},
                    )
                    return redirect(f"{request.path}?month={month:%Y-%m}")
                messages.error(request, _("Check the members left out."))
            if request.POST.get("action") == "record":
                record = forms.DuesRecordForm(request.POST, statuses=DuesPayment.Status.choices)
                if record.is_valid():
                    data = record.cleaned_data
                    member = get_object_or_404(roster, pk=data["member"])
                    paid_by = roster.filter(pk=data["paid_by"]).first() if data["paid_by"] else None
                    dues_services.dues_record(
                        member=member,
                        month=month,
                        status=data["status"],
                        by=request.user,
                        paid_by=paid_by,
                        approval=data["approval"],
                    )
                    messages.success(request, _("Dues recorded for %(name)s.") % {"name": member.name})
                    return redirect(f"{request.path}?month={month:%Y-%m}")
                messages.error(request, _("Check the dues line."))
        except ValidationError as exc:
            _errors(request, exc)
    rows = sel.dues_ledger(branch=unit, month=month)
    open_rows = [row for row in rows if row["payment"] is None and row["declaration"] is not None]
    context = _base(
        request,
        unit,
        "dues",
        can_manage=can_manage,
        month=month,
        rows=rows,
        declare=declare,
        open_rows=open_rows,
        statuses=DuesPayment.Status.choices,
        roster=list(roster),
        previous=first_of_month(month - datetime.timedelta(days=1)),
        next=first_of_month(month + datetime.timedelta(days=32)),
    )
    return render(
        request, "members/lifecycle/dues.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_GET
@unit_access(kinds=BRANCH_ONLY)
def dues_year(request: HttpRequest, unit: Organization, year: int) -> HttpResponse:
    """The year's public list (张榜公布), printable."""
    _ledger_year(year)
    data = sel.dues_year_list(branch=unit, year=year, today=timezone.localdate())
    return render(
        request,
        "members/lifecycle/dues_year.html",
        _base(
            request,
            unit,
            "dues",
            data=data,
            can_manage=_may_manage(request, unit),
            # Publishing the list (张榜公布) is the branch's, as its ledger is (issue 22).
            can_record=dues_services.dues_may_record(user=request.user, branch=unit),
        ),
    )
