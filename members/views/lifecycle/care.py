"""Care visits, and the unit's due panel on the unit page."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import checked_by, unit_access
from branches.models import Organization
from branches.selectors import (
    organization_permission_holds,
)
from members import forms
from members.models import (
    CareOccasion,
    CareOccasionKind,
    Member,
)
from members.selectors import lifecycle as sel
from members.selectors import overview as overview_selectors
from members.services import care as care_services

from members.views.lifecycle._common import _base, _errors, _may_manage


# --- the panel on the unit page ------------------------------------------------------------------------


@login_required
@require_GET
@checked_by(organization_permission_holds)
def lifecycle_due(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit page's lifecycle panel (loaded by htmx): what is overdue or due soon in the subtree.
    Fixed queries: the unit, the permission, then lifecycle_due's six; for a university (or a province), the
    snapshot's counts per subunit instead (one query), with the figures' age."""
    unit = get_object_or_404(Organization, pk=pk)
    if not organization_permission_holds(user=request.user, organization=unit, codename="view_organization"):
        return HttpResponse(status=204)
    if unit.kind in overview_selectors.DUE_SNAPSHOT_KINDS:
        figures_at, total, rows = overview_selectors.due_by_subunit(unit=unit)
        if figures_at is not None:
            from members.figures import DUE_TOPICS

            return render(
                request,
                "members/lifecycle/panel_subunits.html",
                {
                    "unit": unit,
                    "figures_at": figures_at,
                    "total": total,
                    "rows": rows,
                    "topics": [label for _key, label in DUE_TOPICS],
                },
            )
    items = sel.lifecycle_due(organization=unit, today=timezone.localdate())
    return render(
        request,
        "members/lifecycle/panel.html",
        {"unit": unit, "items": items[:30], "more": max(len(items) - 30, 0)},
    )


# --- care -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@unit_access()
def care(request: HttpRequest, unit: Organization) -> HttpResponse:
    can_manage = unit.kind == Organization.Kind.BRANCH and _may_manage(request, unit)
    roster = Member.objects.active().filter(branch=unit).order_by("name")
    kinds = CareOccasionKind.objects.filter(is_active=True)
    action = request.POST.get("action")
    occasion_form = forms.CareOccasionForm(
        request.POST if action == "occasion" else None,
        members=roster,
        kinds=kinds,
        initial={"noted_on": timezone.localdate()},
    )
    report_form = forms.CareReportForm(
        request.POST if action == "report" else None,
        initial={"year": timezone.localdate().year, "half": 1 if timezone.localdate().month <= 6 else 2},
    )
    if request.method == "POST":
        if not can_manage:
            raise Http404
        try:
            if action == "occasion" and occasion_form.is_valid():
                care_services.care_occasion_note(by=request.user, **occasion_form.cleaned_data)
                messages.success(request, _("Occasion noted."))
                return redirect("members:care", pk=unit.pk)
            if action == "visit":
                occasion = get_object_or_404(
                    CareOccasion, pk=request.POST.get("occasion"), member__branch=unit
                )
                visit_form = forms.CareVisitForm(request.POST)
                if visit_form.is_valid():
                    care_services.care_visit_record(
                        occasion=occasion, by=request.user, **visit_form.cleaned_data
                    )
                    messages.success(request, _("Visit recorded."))
                    return redirect("members:care", pk=unit.pk)
                messages.error(request, _("Check the visit's date and visitors."))
            if action == "report" and report_form.is_valid():
                care_services.care_report_submit(branch=unit, by=request.user, **report_form.cleaned_data)
                messages.success(request, _("Report submitted to the committee."))
                return redirect("members:care", pk=unit.pk)
        except ValidationError as exc:
            _errors(request, exc)
    context = _base(
        request,
        unit,
        "care",
        can_manage=can_manage,
        occasion_form=occasion_form,
        report_form=report_form,
        visit_form=forms.CareVisitForm(initial={"visited_on": timezone.localdate()}),
        rows=sel.care_occasions(organization=unit, today=timezone.localdate()),
        reports=list(unit.care_reports.all()[:10]) if unit.kind == Organization.Kind.BRANCH else [],
    )
    return render(
        request, "members/lifecycle/care.html", context, status=400 if request.method == "POST" else 200
    )
