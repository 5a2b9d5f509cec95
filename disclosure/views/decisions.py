"""Pages of the register of major decisions (issue 18): 组织部's search across committees, and a committee's
form to record or update one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import checked_by, unit_access
from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, organization_permission_holds, require_organization_permission
from disclosure.forms import DecisionForm
from disclosure.models import Decision, Meeting
from disclosure.selectors.decisions import decision_committees, decisions_search
from disclosure.services.decisions import decision_save

PAGE_SIZE = 50


@login_required
@require_GET
@checked_by(decision_committees)
def decisions(request: HttpRequest) -> HttpResponse:
    """The register: the decisions of every committee the user may see, searched by words, committee, year."""
    query = request.GET.get("q", "").strip()[:100]
    committees = list(decision_committees(user=request.user))
    committee = None
    if request.GET.get("c"):
        if not request.GET["c"].isdigit():
            raise Http404
        committee = next((c for c in committees if c.pk == int(request.GET["c"])), None)
        if committee is None:
            raise Http404
    year = request.GET.get("year", "")
    if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
        raise Http404
    rows = decisions_search(
        user=request.user, query=query, committee=committee, year=int(year) if year else None
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/decisions/list.html",
        {"page": page, "query": query, "committees": committees, "committee": committee, "year": year},
    )


@require_http_methods(["GET", "POST"])
@login_required
@unit_access(MANAGE_MEMBERS, kinds=Organization.SECONDARY_KINDS)
def decision_new(request: HttpRequest, unit: Organization) -> HttpResponse:
    """A committee's secretaries record a major decision, linked to the minutes of the meeting that took it."""
    return _form(request, unit, None)


@require_http_methods(["GET", "POST"])
@login_required
@checked_by(require_organization_permission)
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Update a decision (its follow-up, mostly); history keeps what it said before."""
    decision = get_object_or_404(Decision.objects.select_related("organization"), pk=pk)
    require_organization_permission(
        user=request.user, organization=decision.organization, codename=MANAGE_MEMBERS
    )
    return _form(request, decision.organization, decision)


def _form(request: HttpRequest, unit: Organization, decision: Decision | None) -> HttpResponse:
    """The form for ``unit``, whose MANAGE_MEMBERS the caller has checked."""
    initial = {}
    if decision is None and request.GET.get("meeting", "").isdigit():
        meeting = Meeting.objects.filter(pk=int(request.GET["meeting"]), organization=unit).first()
        if meeting is not None:
            initial = {"meeting": meeting, "decided_on": meeting.held_on}
    form = DecisionForm(request.POST or None, instance=decision, unit=unit, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        key = values.pop("request_key", None)
        try:
            decision_save(
                by=request.user, organization=unit, values=values, decision=decision, request_key=key
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The decision was registered."))
            return redirect(f"{_register_url()}?c={unit.pk}")
    return render(
        request,
        "disclosure/decisions/form.html",
        {
            "unit": unit,
            "form": form,
            "decision": decision,
            "can_manage": organization_permission_holds(
                user=request.user, organization=unit, codename=MANAGE_MEMBERS
            ),
        },
    )


def _register_url() -> str:
    from django.urls import reverse

    return reverse("disclosure:decisions")
