"""Pages for grants: the grants home, calls, applying, one application with the actions its reader may take
(endorse, assign reviewers, review, decide, report, spend, accept), files and the funding overview."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import checked_by
from branches.attachments import attachment_response
from branches.spreadsheets.export import xlsx_response
from branches.models import Organization
from branches.selectors import MANAGE_MEMBERS, MANAGE_UNITS, VIEW, organizations_with_permission
from members.models import Member
from projects import forms, services
from projects.models import Grant, GrantCall, GrantFile
from projects.selectors import (
    GrantAccess,
    call_administered,
    call_grants,
    call_usage,
    calls_administered_by,
    calls_open_to,
    funding_overview,
    grant_access,
    grant_detail,
    grants_of_user,
    grants_to_endorse,
    reviews_of,
)


def _form_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when it names none)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _universities_administered(user) -> QuerySet[Organization]:
    return organizations_with_permission(user=user, codename=MANAGE_UNITS).filter(
        kind=Organization.Kind.UNIVERSITY
    )


@login_required
@require_GET
@checked_by(grants_of_user, calls_administered_by, grants_to_endorse)
def home(request: HttpRequest) -> HttpResponse:
    """Everything grant-related waiting for this person, one list per role. Fixed queries."""
    user = request.user
    context = {
        "open_calls": list(calls_open_to(user=user, today=timezone.localdate())),
        "mine": list(grants_of_user(user=user)[:50]),
        "to_endorse": list(grants_to_endorse(user=user)[:50]),
        "reviews": list(reviews_of(user=user)[:50]),
        "office_calls": list(calls_administered_by(user=user)[:30]),
    }
    context["may_create_call"] = bool(context["office_calls"]) or _universities_administered(user).exists()
    return render(request, "projects/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(organizations_with_permission)
def call_create(request: HttpRequest) -> HttpResponse:
    university = _universities_administered(request.user).order_by("path").first()
    if university is None:
        raise PermissionDenied
    form = forms.CallForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        call = services.call_create(
            call=form.save(commit=False),
            organization=university,
            by=request.user,
            topics=form.cleaned_data["topics"],
            request_key=form.cleaned_data.get("request_key"),
        )
        messages.success(request, _("The call is published."))
        return redirect("projects:call", pk=call.pk)
    return render(request, "projects/call_form.html", {"form": form, "university": university})


@login_required
@require_GET
@checked_by(organizations_with_permission)
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The call for everyone in its university; the 组织部 also sees every application and what is left."""
    call = get_object_or_404(GrantCall.objects.select_related("organization"), pk=pk)
    if (
        not organizations_with_permission(user=request.user, codename=VIEW)
        .filter(path__startswith=call.organization.path)
        .exists()
        and not Member.objects.filter(
            user=request.user, branch__path__startswith=call.organization.path
        ).exists()
    ):
        raise PermissionDenied
    office = call_administered(user=request.user, call=call)
    context = {
        "call": call,
        "topics": list(call.topics.all()),
        "office": office,
        "is_open": call.is_open(timezone.localdate()),
    }
    if office:
        context["grants"] = list(call_grants(call=call))
        context["usage"] = call_usage(call=call)
    return render(request, "projects/call_detail.html", context)


def _applicant_units(user, call: GrantCall) -> tuple[QuerySet, QuerySet]:
    """Units the user may apply for, and the units that may join as partners."""
    in_university = Organization.objects.filter(
        path__startswith=call.organization.path, kind__in=services.APPLYING_KINDS, is_active=True
    )
    if call.kind == "research":
        own = Member.objects.filter(user=user).values("branch_id")
        units = in_university.filter(
            Q(pk__in=organizations_with_permission(user=user, codename=VIEW).values("pk")) | Q(pk__in=own)
        )
    else:
        units = in_university.filter(
            pk__in=organizations_with_permission(user=user, codename=MANAGE_MEMBERS).values("pk")
        )
    return units.order_by("path"), in_university.order_by("path")


def _application_form(request, call: GrantCall, *, initial=None) -> forms.ApplicationForm:
    units, partners = _applicant_units(request.user, call)
    return forms.ApplicationForm(
        request.POST or None,
        request.FILES or None,
        call=call,
        units=units,
        partner_units=partners,
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(_applicant_units)
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(GrantCall.objects.select_related("organization"), pk=pk)
    form = _application_form(request, call)
    if not form.fields["organization"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.grant_apply(
                call=call,
                organization=data["organization"],
                applicant=request.user,
                topic=data["topic"],
                title=data["title"],
                plan=data["plan"],
                expected_outputs=data["expected_outputs"],
                budget_requested=data["budget_requested"],
                partners=data.get("partners") or [],
                files=data["files"],
                submit="submit" in request.POST,
                request_key=data["request_key"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Submitted.") if "submit" in request.POST else _("Saved as a draft."))
            return redirect("projects:grant", pk=grant.pk)
    return render(request, "projects/apply.html", {"form": form, "call": call})


def _grant_or_404(pk: int) -> Grant:
    try:
        return grant_detail(pk=pk)
    except Grant.DoesNotExist:
        raise Http404 from None


def _access_or_403(request, grant: Grant) -> GrantAccess:
    access = grant_access(user=request.user, grant=grant)
    if not access.may_view:
        raise PermissionDenied
    return access


@login_required
@require_GET
@checked_by(grant_access)
def grant_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant_or_404(pk)
    access = _access_or_403(request, grant)
    expenses = list(grant.expenses.all())
    spent = sum((expense.amount for expense in expenses), start=0)
    reviews = list(grant.reviews.all())
    context = {
        "grant": grant,
        "access": access,
        "units": list(grant.units.all()),
        "reports": list(grant.reports.all()),
        "expenses": expenses,
        "spent": spent,
        "left": grant.granted_amount - spent,
        # A reviewer sees their own review only; the 组织部 sees them all.
        "reviews": reviews if access.office else [],
        "history": list(grant.history.select_related("history_user").order_by("-history_date")[:20])
        if access.office or access.applicant
        else [],
    }
    if access.endorser and grant.status == Grant.Status.SUBMITTED:
        context["endorse_form"], context["return_form"] = forms.EndorseForm(), forms.ReturnForm()
    if access.office and grant.status == Grant.Status.REVIEW:
        context["assign_form"] = forms.AssignForm(exclude_user_id=grant.applicant_id)
        context["decision_form"] = forms.DecisionForm(initial={"grade": Grant.Grade.GENERAL})
    if access.review and grant.status == Grant.Status.REVIEW:
        context["review_form"] = forms.ReviewForm(
            initial={"score": access.review.score, "opinion": access.review.opinion}
        )
    if access.applicant and grant.status == Grant.Status.RUNNING:
        context["report_form"] = forms.ReportForm()
    if access.applicant and grant.status in services.SPENDING:
        context["expense_form"] = forms.ExpenseForm(initial={"spent_on": timezone.localdate()})
    if access.office and grant.status == Grant.Status.FINAL_SUBMITTED:
        context["accept_form"] = forms.AcceptForm()
    return render(request, "projects/grant_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(grant_access)
def grant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _grant_or_404(pk)
    access = _access_or_403(request, grant)
    if not access.applicant or grant.status != Grant.Status.DRAFT:
        raise PermissionDenied
    initial = {
        "organization": grant.organization,
        "topic": grant.topic,
        "title": grant.title,
        "plan": grant.plan,
        "expected_outputs": grant.expected_outputs,
        "budget_requested": grant.budget_requested,
        "partners": [unit.organization for unit in grant.units.all() if not unit.is_lead],
    }
    form = _application_form(request, grant.call, initial=initial)
    form.fields["organization"].disabled = True
    form.fields["organization"].queryset = Organization.objects.filter(pk=grant.organization_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_update(
                grant=grant,
                by=request.user,
                topic=data["topic"],
                title=data["title"],
                plan=data["plan"],
                expected_outputs=data["expected_outputs"],
                budget_requested=data["budget_requested"],
                partners=data.get("partners") or [],
                files=data["files"],
                submit="submit" in request.POST,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Submitted.") if "submit" in request.POST else _("Saved as a draft."))
            return redirect("projects:grant", pk=grant.pk)
    return render(request, "projects/apply.html", {"form": form, "call": grant.call, "grant": grant})


def _action(
    request: HttpRequest,
    pk: int,
    *,
    allowed: Callable[[GrantAccess], bool],
    form_class,
    run: Callable[[Grant, dict, GrantAccess], object],
    done: str,
) -> HttpResponse:
    """The shape of every small POST on a grant: authorise, validate, call one service, say what happened."""
    grant = _grant_or_404(pk)
    access = _access_or_403(request, grant)
    if not allowed(access):
        raise PermissionDenied
    form = (
        form_class(request.POST, request.FILES)
        if form_class is not forms.AssignForm
        else form_class(request.POST, exclude_user_id=grant.applicant_id)
    )
    if form.is_valid():
        try:
            run(grant, form.cleaned_data, access)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}：{message}" if label else message)
    return redirect("projects:grant", pk=grant.pk)


@login_required
@require_POST
@checked_by(grant_access)
def endorse(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda a: a.endorser,
        form_class=forms.EndorseForm,
        run=lambda g, d, a: services.grant_endorse(grant=g, by=request.user, note=d["note"]),
        done=_("Endorsed: the application goes to the organisation department."),
    )


@login_required
@require_POST
@checked_by(grant_access)
def send_back(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda a: a.endorser,
        form_class=forms.ReturnForm,
        run=lambda g, d, a: services.grant_return(grant=g, by=request.user, reason=d["reason"]),
        done=_("Returned to the unit."),
    )


@login_required
@require_POST
@checked_by(grant_access)
def assign(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda a: a.office,
        form_class=forms.AssignForm,
        run=lambda g, d, a: services.reviewers_assign(grant=g, reviewers=d["reviewers"], by=request.user),
        done=_("Reviewers assigned."),
    )


@login_required
@require_POST
@checked_by(grant_access)
def review(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda a: a.review is not None,
        form_class=forms.ReviewForm,
        run=lambda g, d, a: services.review_submit(
            review=a.review, by=request.user, score=d["score"], opinion=d["opinion"]
        ),
        done=_("Your review is saved."),
    )


@login_required
@require_POST
@checked_by(grant_access)
def decide(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda a: a.office,
        form_class=forms.DecisionForm,
        run=lambda g, d, a: services.grant_decide(
            grant=g, by=request.user, grade=d["grade"], amount=d["amount"], reason=d["reason"]
        ),
        done=_("The decision is recorded."),
    )


@login_required
@require_POST
@checked_by(grant_access)
def report(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda a: a.applicant,
        form_class=forms.ReportForm,
        run=lambda g, d, a: services.report_submit(
            grant=g,
            by=request.user,
            kind=d["kind"],
            text=d["text"],
            outputs=d["outputs"],
            links=d["links"],
            files=d["files"],
        ),
        done=_("The report is filed."),
    )


@login_required
@require_POST
@checked_by(grant_access)
def expense(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda a: a.applicant,
        form_class=forms.ExpenseForm,
        run=lambda g, d, a: services.expense_record(
            grant=g,
            by=request.user,
            spent_on=d["spent_on"],
            amount=d["amount"],
            purpose=d["purpose"],
            request_key=d["request_key"],
        ),
        done=_("The expense is recorded."),
    )


@login_required
@require_POST
@checked_by(grant_access)
def accept(request, pk):
    return _action(
        request,
        pk,
        allowed=lambda a: a.office,
        form_class=forms.AcceptForm,
        run=lambda g, d, a: services.grant_accept(
            grant=g,
            by=request.user,
            result=d["result"],
            reason=d["reason"],
            extended_until=d["extended_until"],
        ),
        done=_("The acceptance is recorded."),
    )


@login_required
@require_GET
@checked_by(grant_access)
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        GrantFile.objects.select_related("grant__call", "grant__organization"), pk=pk
    )
    return attachment_response(
        attachment=attachment,
        user=request.user,
        may_view=lambda user: grant_access(user=user, grant=attachment.grant).may_view,
    )


@login_required
@require_GET
@checked_by(organizations_with_permission)
def overview(request: HttpRequest) -> HttpResponse:
    """Counts and funding by year, kind, grade and secondary committee, for the 组织部."""
    root = _universities_administered(request.user).order_by("path").first()
    if root is None:
        raise PermissionDenied
    data = funding_overview(root=root)
    # The chart's data (issue 22): granted yuan per secondary committee, the largest first; the tables below
    # hold the same numbers.
    chart = {
        "units": [row["name"] for row in data["by_unit"]],
        "granted": [float(row["granted"] or 0) for row in data["by_unit"]],
        "projects": [row["projects"] for row in data["by_unit"]],
        "labels": {"granted": _("Granted (yuan)"), "projects": _("Funded")},
    }
    return render(request, "projects/overview.html", {"root": root, "chart": chart, **data})


@login_required
@require_GET
@checked_by(organizations_with_permission)
def overview_export(request: HttpRequest) -> HttpResponse:
    """The funding overview's tables as xlsx, for the 组织部."""
    from projects.exports import funding_overview_xlsx

    root = _universities_administered(request.user).order_by("path").first()
    if root is None:
        raise PermissionDenied
    return xlsx_response(
        funding_overview_xlsx(root=root, data=funding_overview(root=root)),
        f"funding-{root.code}-{timezone.localdate():%Y%m%d}.xlsx",
    )
