"""Transfers in and out of the unit, and their completion."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branches.access import checked_by, unit_access
from branches.models import Organization
from branches.selectors import (
    organization_ancestors,
    organization_permission_holds,
)
from members import forms
from members.models import (
    Member,
    Transfer,
)
from members.selectors import lifecycle as sel
from members.services import transfers as transfer_services

from members.views.lifecycle._common import _base, _errors, _may_manage


# --- transfers -----------------------------------------------------------------------------------------------


def _active_branches(*, within: list[Organization]):
    """The active branches of the university among ``within`` (the unit and its ancestors): a transfer "within
    the university" goes to one of them. Bounded by the university's size, not the whole tree's (a province holds
    a hundred universities' branches)."""
    university = next((o for o in within if o.kind == Organization.Kind.UNIVERSITY), within[0])
    return Organization.objects.filter(
        kind=Organization.Kind.BRANCH, is_active=True, path__startswith=university.path
    ).order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
@unit_access()
def transfers(request: HttpRequest, unit: Organization) -> HttpResponse:
    can_manage = unit.kind == Organization.Kind.BRANCH and _may_manage(request, unit)
    roster = Member.objects.active().party_members().filter(branch=unit).order_by("name")
    ancestors = list(organization_ancestors(organization=unit))
    form = forms.TransferForm(
        request.POST if request.POST.get("action") == "start" else None,
        members=roster,
        branches=_active_branches(within=[*ancestors, unit]).exclude(pk=unit.pk),
        initial={"issued_on": timezone.localdate()},
    )
    bulk = forms.BulkTransferForm(
        request.POST if request.POST.get("action") == "bulk" else None,
        members=roster,
        initial={"issued_on": timezone.localdate()},
    )
    if request.method == "POST":
        if not can_manage:
            raise Http404
        try:
            if request.POST.get("action") == "start" and form.is_valid():
                transfer_services.transfer_start(by=request.user, **form.cleaned_data)
                messages.success(request, _("Transfer letter recorded."))
                return redirect("members:transfers", pk=unit.pk)
            if request.POST.get("action") == "bulk" and bulk.is_valid():
                data = bulk.cleaned_data
                done = transfer_services.transfer_out_bulk(
                    branch=unit,
                    by=request.user,
                    members=list(data["members"]),
                    outside_unit=data["outside_unit"],
                    letter_prefix=data["letter_prefix"],
                    issued_on=data["issued_on"],
                    dues_paid_to=data["dues_paid_to"],
                )
                messages.success(request, _("%(n)d transfer letters recorded.") % {"n": len(done)})
                return redirect("members:transfers", pk=unit.pk)
        except ValidationError as exc:
            _errors(request, exc)
    context = _base(
        request,
        unit,
        "transfers",
        ancestors=ancestors,
        can_manage=can_manage,
        form=form,
        bulk=bulk,
        transfers=list(sel.transfers_for(organization=unit)[:200]),
        complete_form=forms.CompleteForm(initial={"completed_on": timezone.localdate()}),
    )
    return render(
        request, "members/lifecycle/transfers.html", context, status=400 if request.method == "POST" else 200
    )


@login_required
@require_POST
@checked_by(organization_permission_holds)
def transfer_complete(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(Transfer.objects.select_related("from_branch", "to_branch"), pk=pk)
    receiving = transfer.to_branch or transfer.from_branch
    if not _may_manage(request, receiving):
        raise Http404
    form = forms.CompleteForm(request.POST)
    if form.is_valid():
        try:
            transfer_services.transfer_complete(
                transfer=transfer, by=request.user, completed_on=form.cleaned_data["completed_on"]
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Transfer completed."))
    return redirect("members:transfers", pk=receiving.pk)
