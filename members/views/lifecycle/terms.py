"""Terms (换届): the committee's term and the candidates of an election."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from branches.access import unit_access
from branches.dates import prose_date
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
)
from members import forms
from members.models import (
    TermCandidate,
)
from members.selectors import lifecycle as sel
from members.services import terms as term_services

from members.views.lifecycle._common import _base, _errors, _may_manage


# --- terms ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@unit_access()
def terms(request: HttpRequest, unit: Organization) -> HttpResponse:
    """Terms ending within the reminder window or overdue in the subtree; record an election."""
    today = timezone.localdate()
    rows = sel.terms_due(organization=unit, today=today)
    units = (
        Organization.objects.filter(path__startswith=unit.path, is_active=True)
        .exclude(kind=Organization.Kind.GROUP)
        .order_by("path")
    )
    form = forms.ElectionForm(
        request.POST or None, units=units, initial={"elected_on": today, "term_years": 3}
    )
    may_manage = _may_manage(request, unit)  # MANAGE_MEMBERS: term_services.may_nominate's own check
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["organization"]
        if not term_services.may_record_election(user=request.user, organization=target):
            raise Http404
        try:
            term_services.term_election_record(
                organization=target,
                elected_on=form.cleaned_data["elected_on"],
                seats=form.cleaned_data["seats"],
                term_years=form.cleaned_data["term_years"],
                votes=form.cleaned_data["votes"],
                voters=form.cleaned_data["voters"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Election recorded; the new term ends on %(date)s.")
                % {"date": prose_date(Organization.objects.get(pk=target.pk).term_ends_on)},
            )
            return redirect("members:terms", pk=unit.pk)
    context = _base(
        request,
        unit,
        "terms",
        rows=rows,
        form=form,
        can_record=term_services.may_record_election(user=request.user, organization=unit)
        or unit.kind != Organization.Kind.BRANCH
        and may_manage,
        **_election_papers(request, unit, may_nominate=may_manage),
    )
    return render(request, "members/lifecycle/terms.html", context, status=400 if form.errors else 200)


def _election_papers(
    request: HttpRequest, unit: Organization, candidate_form=None, may_nominate: bool | None = None
) -> dict:
    """The unit's next election on the terms page: its candidates, the form to add one, its documents."""
    if unit.kind == Organization.Kind.GROUP:
        return {"papers": False}
    from members.documents import TERM_KINDS

    if may_nominate is None:
        may_nominate = term_services.may_nominate(user=request.user, organization=unit)
    return {
        "papers": True,
        "candidates": list(sel.term_candidates(organization=unit)),
        "may_nominate": may_nominate,
        "candidate_form": candidate_form or (forms.TermCandidateForm(unit=unit) if may_nominate else None),
        "term_documents": [(kind.key, kind.title) for kind in TERM_KINDS],
    }


@login_required
@require_POST
@unit_access(MANAGE_MEMBERS)
def term_candidates(request: HttpRequest, unit: Organization) -> HttpResponse:
    """Add a candidate for the unit's next election (``member``), or take one off (``remove``)."""
    if unit.kind == Organization.Kind.GROUP:
        raise Http404
    if "remove" in request.POST:
        candidate = get_object_or_404(
            TermCandidate, pk=_int_or_404(request.POST["remove"]), organization=unit
        )
        try:
            term_services.term_candidate_remove(candidate=candidate, by=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The candidate was taken off the list."))
        return redirect("members:terms", pk=unit.pk)
    form = forms.TermCandidateForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            term_services.term_candidate_add(
                organization=unit,
                member=form.cleaned_data["member"],
                by=request.user,
                request_key=form.cleaned_data["request_key"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The candidate was added."))
            return redirect("members:terms", pk=unit.pk)
    today = timezone.localdate()
    context = _base(
        request,
        unit,
        "terms",
        rows=sel.terms_due(organization=unit, today=today),
        form=None,
        can_record=False,
        **_election_papers(request, unit, form, may_nominate=True),  # unit_access(MANAGE_MEMBERS) checked it
    )
    return render(request, "members/lifecycle/terms.html", context, status=400)


def _int_or_404(value: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise Http404
    return int(value)
