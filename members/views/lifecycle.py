"""The lifecycle pages of a unit: development, transfers, dues, care visits, terms, and the due panel.

Thin views: authorise with ``require_organization_permission`` (VIEW to read, MANAGE_MEMBERS to write),
validate a form, call one service or selector, render or redirect with a message.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branches.access import checked_by, record_access, unit_access
from branches.attachments import attachment_response
from branches.dates import prose_date
from branches.spreadsheets.export import xlsx_response
from branches.models import Organization
from branches.selectors import (
    MANAGE_MEMBERS,
    organization_ancestors,
    organization_permission_holds,
    require_organization_permission,
)
from members import forms
from members.models import (
    STEP_BY_NUMBER,
    CareOccasion,
    CareOccasionKind,
    DevelopmentCase,
    DevelopmentDocument,
    DuesBracket,
    DuesPayment,
    Member,
    TermCandidate,
    Transfer,
)
from members.rules import first_of_month, rules
from members.selectors import lifecycle as sel
from members.selectors import overview as overview_selectors
from members.services import care as care_services
from members.services import development as dev
from members.services import dues as dues_services
from members.services import terms as term_services
from members.services import transfers as transfer_services


# The pages of one branch's own ledgers (dues): any other unit's address is not found.
BRANCH_ONLY = (Organization.Kind.BRANCH,)


def _may_manage(request: HttpRequest, unit: Organization) -> bool:
    return organization_permission_holds(user=request.user, organization=unit, codename=MANAGE_MEMBERS)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _base(request: HttpRequest, unit: Organization, section: str, **extra) -> dict:
    return {
        "unit": unit,
        "ancestors": organization_ancestors(organization=unit),
        "section": section,
        "today": timezone.localdate(),
    } | extra


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
