"""Dues exemptions (issue 22): the branch's requests and the secondary committee's approvals.

One page per unit: on a branch, its requests and (for its dues recorders) the request form; above, the
requests of the subtree with approve / return for the approving unit's managers. Thin views: the rules are in
``members.services.dues_exemptions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branches.access import checked_by, unit_access
from branches.models import Organization
from branches.selectors import organization_ancestors
from members import forms
from members.models import DuesExemption, Member
from members.rules import add_months, first_of_month
from members.selectors import lifecycle as sel
from members.services import dues as dues_services
from members.services import dues_exemptions as services


def _month_choices() -> list:
    this_month = first_of_month(timezone.localdate())
    reach = services.REACH_MONTHS
    return [add_months(this_month, n) for n in range(-reach, reach + 1)]


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_http_methods(["GET", "POST"])
@unit_access()
def dues_exemptions(request: HttpRequest, unit: Organization) -> HttpResponse:
    """A unit's exemption requests; a branch's dues recorders ask for one here."""
    is_branch = unit.kind == Organization.Kind.BRANCH
    can_request = is_branch and dues_services.dues_may_record(user=request.user, branch=unit)
    roster = Member.objects.active().party_members().filter(branch=unit).order_by("name")
    months = _month_choices()
    form = None
    if can_request:
        form = forms.DuesExemptionForm(
            request.POST or None,
            members=roster,
            months=months,
            initial={"first_month": first_of_month(timezone.localdate()).isoformat()},
        )
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                exemption = services.dues_exemption_request(
                    member=data["member"],
                    first_month=data["first_month"],
                    months=data["months"],
                    reason=data["reason"],
                    by=request.user,
                    request_key=data["request_key"],
                )
            except ValidationError as exc:
                _errors(request, exc)
            else:
                messages.success(
                    request,
                    _("The exemption for %(name)s has been sent to %(unit)s for approval.")
                    % {"name": exemption.member.name, "unit": exemption.approver.display_name},
                )
                return redirect("members:dues_exemptions", pk=unit.pk)
        status = 400
    exemptions = sel.dues_exemptions_of(organization=unit)
    deciders = sel.dues_exemption_deciders(user=request.user, exemptions=exemptions)
    rows = [
        {
            "exemption": e,
            "may_decide": e.status == DuesExemption.Status.SUBMITTED and e.approver_id in deciders,
            "may_resubmit": can_request and e.status == DuesExemption.Status.RETURNED,
        }
        for e in exemptions
    ]
    context = {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "section": "exemptions",
        "can_manage": can_request,
        "form": form,
        "rows": rows,
        "months": [(m.isoformat(), f"{m.year}年{m.month}月") for m in months],
        "shown": sel.EXEMPTIONS_SHOWN,
    }
    return render(request, "members/lifecycle/dues_exemptions.html", context, status=status)


def _exemption(pk: int) -> DuesExemption:
    return get_object_or_404(DuesExemption.objects.select_related("branch", "approver", "member"), pk=pk)


@login_required
@require_POST
@checked_by(services.dues_exemption_may_decide)
def dues_exemption_approve(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption(pk)
    if not services.dues_exemption_may_decide(user=request.user, exemption=exemption):
        raise PermissionDenied
    try:
        services.dues_exemption_approve(exemption=exemption, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("The exemption for %(name)s is approved.") % {"name": exemption.member.name}
        )
    return redirect("members:dues_exemptions", pk=exemption.approver_id)


@login_required
@require_POST
@checked_by(services.dues_exemption_may_decide)
def dues_exemption_return(request: HttpRequest, pk: int) -> HttpResponse:
    """退回: back to the branch with a reason (required)."""
    exemption = _exemption(pk)
    if not services.dues_exemption_may_decide(user=request.user, exemption=exemption):
        raise PermissionDenied
    form = forms.DuesExemptionReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the request is returned."))
        return redirect("members:dues_exemptions", pk=exemption.approver_id)
    try:
        services.dues_exemption_return(
            exemption=exemption, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("The exemption for %(name)s has been returned to the branch.")
            % {"name": exemption.member.name},
        )
    return redirect("members:dues_exemptions", pk=exemption.approver_id)


@login_required
@require_POST
@checked_by(dues_services.dues_may_record)
def dues_exemption_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch corrects a returned request and sends it again."""
    exemption = _exemption(pk)
    if not dues_services.dues_may_record(user=request.user, branch=exemption.branch):
        raise PermissionDenied
    form = forms.DuesExemptionResubmitForm(
        request.POST, members=Member.objects.none(), months=_month_choices()
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.dues_exemption_resubmit(
                exemption=exemption,
                first_month=data["first_month"],
                months=data["months"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request,
                _("The exemption for %(name)s has been sent again.") % {"name": exemption.member.name},
            )
    else:
        messages.error(request, _("Check the months and the reason."))
    return redirect("members:dues_exemptions", pk=exemption.branch_id)
