"""Development: the unit's cases, one case with its steps, reviews and extensions, its documents."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import record_access, unit_access
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
)
from members import forms
from members.models import (
    STEP_BY_NUMBER,
    DevelopmentCase,
    Member,
)
from members.rules import rules
from members.selectors import lifecycle as sel
from members.services import development as dev

from branches.access import checked_by
from branches.attachments import attachment_response
from branches.selectors import require_organization_permission
from django.http import FileResponse
from members.models import DevelopmentDocument
from django.shortcuts import get_object_or_404
from members.views.lifecycle._common import _base, _errors, _may_manage


# --- development ------------------------------------------------------------------------------------------

CASE_LIMIT = 200


@login_required
@require_http_methods(["GET", "POST"])
@unit_access()
def development_list(request: HttpRequest, unit: Organization) -> HttpResponse:
    """Open cases in the unit's subtree with people by stage; on a branch, the form for a new applicant."""
    can_manage = unit.kind == Organization.Kind.BRANCH and _may_manage(request, unit)
    form = forms.ApplicantForm(request.POST or None, initial={"category": unit.category or "student"})
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = dev.applicant_register(branch=unit, by=request.user, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Applicant %(name)s added.") % {"name": case.member.name})
                return redirect("members:development_case", pk=case.pk)
    # A university has thousands of open cases: the page lists the first ones, the counts cover all.
    cases = list(sel.development_cases(organization=unit)[: CASE_LIMIT + 1])
    context = _base(
        request,
        unit,
        "development",
        form=form,
        can_manage=can_manage,
        cases=cases[:CASE_LIMIT],
        more_cases=len(cases) > CASE_LIMIT,
        steps=STEP_BY_NUMBER,
        counts=sel.stage_counts_by_unit(organization=unit),
        stages=Member.Stage.choices,
    )
    return render(
        request, "members/lifecycle/development_list.html", context, status=400 if form.errors else 200
    )


# A development case is its member's branch's: another unit's case is "not found", not "forbidden" (its
# existence is not for them to learn).
CASES = DevelopmentCase.objects.select_related("member", "member__branch")


def _case_branch(case: DevelopmentCase) -> Organization:
    return case.member.branch


def _case_context(request: HttpRequest, case: DevelopmentCase, **forms_) -> dict:
    unit = case.member.branch
    limits = rules()
    next_step = case.next_step
    can_manage = _may_manage(request, unit)
    people = Member.objects.active().party_members().filter(branch=unit).order_by("name")
    return _base(
        request,
        unit,
        "development",
        case=case,
        member=case.member,
        steps=sel.development_steps(case=case),
        next_step=next_step,
        can_manage=can_manage,
        step_form=forms_.get("step_form")
        or (
            forms.StepForm(
                people=people, step_number=next_step.number, initial={"done_on": timezone.localdate()}
            )
            if next_step
            else None
        ),
        review_form=forms_.get("review_form")
        or forms.ReviewForm(initial={"reviewed_on": timezone.localdate()}),
        extension_form=forms_.get("extension_form")
        or forms.ExtensionForm(
            initial={"decided_on": timezone.localdate(), "months": limits["extension_min_months"]}
        ),
        probation_ends_on=dev.probation_ends_on(member=case.member, case=case, limits=limits),
        limits=limits,
    )


@login_required
@require_GET
@record_access(CASES, unit=_case_branch, to="case")
def development_case(request: HttpRequest, case: DevelopmentCase) -> HttpResponse:
    return render(request, "members/lifecycle/development_case.html", _case_context(request, case))


@login_required
@require_POST
@record_access(CASES, unit=_case_branch, codename=MANAGE_MEMBERS, to="case")
def development_step(request: HttpRequest, case: DevelopmentCase) -> HttpResponse:
    next_step = case.next_step
    if next_step is None:
        raise Http404
    people = Member.objects.active().party_members().filter(branch=case.member.branch).order_by("name")
    form = forms.StepForm(request.POST, request.FILES, people=people, step_number=next_step.number)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _step, warnings = dev.development_step_record(
                case=case,
                number=next_step.number,
                done_on=data["done_on"],
                by=request.user,
                people=data["people"],
                people_names=data["people_names"],
                documents=data["documents"],
                note=data["note"],
                training_days=data.get("training_days"),
                training_hours=data.get("training_hours"),
                files=data["files"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Step %(n)d recorded: %(name)s.") % {"n": next_step.number, "name": next_step.name}
            )
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("members:development_case", pk=case.pk)
    case.refresh_from_db()
    return render(
        request,
        "members/lifecycle/development_case.html",
        _case_context(request, case, step_form=form),
        status=400,
    )


@login_required
@require_POST
@record_access(CASES, unit=_case_branch, codename=MANAGE_MEMBERS, to="case")
def development_review(request: HttpRequest, case: DevelopmentCase) -> HttpResponse:
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            dev.development_review_record(
                case=case, reviewed_on=form.cleaned_data["reviewed_on"], by=request.user
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Review recorded."))
    return redirect("members:development_case", pk=case.pk)


@login_required
@require_POST
@record_access(CASES, unit=_case_branch, codename=MANAGE_MEMBERS, to="case")
def development_extend(request: HttpRequest, case: DevelopmentCase) -> HttpResponse:
    form = forms.ExtensionForm(request.POST)
    if form.is_valid():
        try:
            dev.development_probation_extend(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Probation extended."))
    else:
        messages.error(request, _("Check the extension's months and date."))
    return redirect("members:development_case", pk=case.pk)


@login_required
@require_GET
@checked_by(require_organization_permission)
def development_document(request: HttpRequest, pk: int) -> FileResponse:
    """A step's scanned document: only for those who manage the member's branch, always a download, typed as
    sniffed at upload, never from a public media URL."""
    document = get_object_or_404(
        DevelopmentDocument.objects.select_related("step__case__member__branch"), pk=pk
    )
    require_organization_permission(
        user=request.user, organization=document.step.case.member.branch, codename=MANAGE_MEMBERS
    )
    return attachment_response(attachment=document)
