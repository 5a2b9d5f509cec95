"""Pages of the July-1 cycle: the cycle and its progress, a unit's self-assessment, the committee's review,
ranking and summary, 组织部's verification, results (rankings, star distribution, 七一 shortlist, xlsx,
printable reports), indicator tables (editor, xlsx export and import) and annual plans."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.forms.assessment import (
    CycleForm,
    ImportForm,
    IndicatorForm,
    PlanItemForm,
    ReturnForm,
    SummaryForm,
    item_inputs,
)
from assessments.models import Assessment, AssessmentCycle, Indicator, IndicatorTable, PlanItem
from assessments.models.targets import programme_for
from assessments.selectors import assessment as selectors
from assessments.selectors.documents import report_assessment_for
from assessments.services import assessment as services
from assessments.services import targets as target_services
from branches.spreadsheets.export import Sheet, columns, flag, workbook_bytes, xlsx_response
from branches.models import Organization
from branches.access import checked_by
from branches.selectors import MANAGE_UNITS, organization_permission_holds, require_organization_permission

PROGRESS_PAGE_SIZE = 100
RESULTS_PAGE_SIZE = (
    100  # branches per page of the ranking (issue 17: 315 rows were 83 kB and most of its time)
)


def _cycle(request: HttpRequest, year: int) -> AssessmentCycle:
    cycle = selectors.cycles_for(user=request.user).filter(year=year).first()
    if cycle is None:
        raise Http404
    return cycle


def _is_officer(request: HttpRequest, cycle: AssessmentCycle) -> bool:
    return services.may_verify(user=request.user, cycle=cycle)


@login_required
@checked_by(selectors.cycles_for)
def cycle_home(request: HttpRequest) -> HttpResponse:
    """The cycles, the current one's phases and what the user should do in it."""
    cycles = list(selectors.cycles_for(user=request.user))
    today = timezone.localdate()
    current = next((c for c in cycles if c.year == today.year), cycles[0] if cycles else None)
    own = selectors.may_self_assess_any(user=request.user)
    mine = (
        list(Assessment.objects.filter(cycle=current, organization__in=own).select_related("organization"))
        if current
        else []
    )
    return render(
        request,
        "assessments/cycle/home.html",
        {
            "cycles": cycles,
            "current": current,
            "today": today,
            "mine": mine,
            "phase": current.phase_on(today) if current else None,
            "phase_label": AssessmentCycle.Phase(current.phase_on(today)).label if current else "",
            "reminders": selectors.reminders_for(user=request.user, cycle=current, today=today),
            "is_officer": bool(current) and _is_officer(request, current),
            "plans_waiting": selectors.plans_awaiting(user=request.user).count(),
        },
    )


@login_required
@checked_by(selectors.cycles_for)
def cycle_progress(request: HttpRequest, year: int) -> HttpResponse:
    """Who has submitted, been reviewed, verified: the assessments of units the user may view, counted by
    status over all of them and listed a page at a time (a university has hundreds, a province tens of
    thousands)."""
    cycle = _cycle(request, year)
    visible = selectors.assessments_visible(user=request.user, cycle=cycle)
    counts = selectors.assessment_status_counts(assessments=visible)
    paginator = Paginator(visible, PROGRESS_PAGE_SIZE)
    paginator.count = sum(counts.values())  # known from the counts: no COUNT query of its own
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/cycle/progress.html",
        {
            "cycle": cycle,
            "rows": page.object_list,
            "page": page,
            "counts": [(Assessment.Status(s).label, n) for s, n in counts.items()],
            "is_officer": _is_officer(request, cycle),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@checked_by(selectors.cycles_for, services.may_verify)
def cycle_edit(request: HttpRequest, year: int) -> HttpResponse:
    """组织部 edits the cycle's dates, bonus cap and grade thresholds."""
    cycle = _cycle(request, year)
    if not _is_officer(request, cycle):
        raise PermissionDenied
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The cycle's dates were saved."))
        return redirect("cycle:home")
    return render(request, "assessments/cycle/cycle_form.html", {"cycle": cycle, "form": form})


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment = selectors.assessment_for(user=request.user, pk=pk)
    if assessment is None:
        raise Http404  # another unit's assessment: its existence is not confirmed
    return assessment


def _fill(groups, mode: str, posted) -> None:
    """Each item's form values: what was posted (after a refusal, so nothing typed is lost) or the stage's
    current points, defaulting to the previous stage's."""
    for group in groups:
        for item in group.items:
            if mode == "self":
                points, failed = item.self_points, item.self_failed
            elif mode == "review":
                points = item.reviewed_points if item.reviewed_points is not None else item.self_points
                failed = item.reviewed_failed if item.reviewed_points is not None else item.self_failed
            else:
                points = (
                    item.verified_points
                    if item.verified_points is not None
                    else (item.reviewed_points if item.reviewed_points is not None else item.self_points)
                )
                failed = (
                    item.verified_failed
                    if item.verified_points is not None
                    else (item.reviewed_failed if item.reviewed_points is not None else item.self_failed)
                )
            key = str(item.pk)
            item.form_points = (
                posted.get(f"points-{key}", "" if points is None else points)
                if posted
                else ("" if points is None else points)
            )
            item.form_failed = (posted.get(f"failed-{key}") == "on") if posted else failed
            item.form_evidence = posted.get(f"evidence-{key}", item.evidence) if posted else item.evidence
            item.form_reason = (
                posted.get(f"reason-{key}", "")
                if posted
                else (
                    item.review_reason if mode == "review" else item.verify_reason if mode == "verify" else ""
                )
            )


@require_http_methods(["GET", "POST"])
@login_required
@checked_by(selectors.assessment_for)
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit's assessment: the self-assessment form for its own people while the window is open, the
    review form for the unit above, the verification form for 组织部, otherwise the scores at each stage."""
    assessment = _assessment(request, pk)
    cycle = assessment.cycle
    today = timezone.localdate()
    user = request.user
    S = Assessment.Status
    mode = "view"
    if (
        assessment.status == S.DRAFT
        and cycle.self_opens_on <= today <= cycle.self_closes_on
        and services.may_self_assess(user=user, organization=assessment.organization)
    ):
        mode = "self"
    elif (
        assessment.status in (S.REVIEWED, S.VERIFIED)
        and cycle.published_on is None
        and services.may_verify(user=user, cycle=cycle)
    ):
        mode = "verify"  # 组织部 also manages every parent: once reviewed, it verifies
    elif (
        assessment.status in (S.SUBMITTED, S.REVIEWED)
        and today <= cycle.review_closes_on
        and services.may_review(user=user, assessment=assessment)
        and not services.may_self_assess(user=user, organization=assessment.organization)
    ):
        mode = "review"
    groups = selectors.assessment_groups(assessment=assessment)
    _fill(groups, mode, {})
    if request.method == "POST":
        items = [i for g in groups for i in g.items]
        try:
            if mode == "self":
                services.assessment_self_save(
                    assessment=assessment,
                    by=user,
                    inputs=item_inputs(request.POST, request.FILES, items, stage="self"),
                    submit="submit" in request.POST,
                    today=today,
                )
                messages.success(
                    request,
                    _("The self-assessment was submitted.")
                    if "submit" in request.POST
                    else _("The self-assessment was saved."),
                )
            elif mode == "review":
                services.assessment_review(
                    assessment=assessment,
                    by=user,
                    today=today,
                    inputs=item_inputs(request.POST, request.FILES, items, stage="review"),
                )
                messages.success(request, _("The review was saved."))
            elif mode == "verify":
                services.assessment_verify(
                    assessment=assessment,
                    by=user,
                    today=today,
                    inputs=item_inputs(request.POST, request.FILES, items, stage="verify"),
                )
                messages.success(request, _("The verification was saved."))
            else:
                raise PermissionDenied
        except ValidationError as exc:
            # Nothing was saved: show the reasons with what the user typed.
            _fill(groups, mode, request.POST)
            return render(
                request,
                "assessments/cycle/assessment.html",
                {"assessment": assessment, "groups": groups, "mode": mode, "errors": exc.messages},
                status=422,
            )
        return redirect("cycle:assessment", pk=assessment.pk)
    return render(
        request,
        "assessments/cycle/assessment.html",
        {"assessment": assessment, "groups": groups, "mode": mode, "errors": []},
    )


@login_required
@checked_by(selectors.assessment_for)
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, only through the same check as its assessment (never a public media URL)."""
    from assessments.models import ItemScore

    item = get_object_or_404(ItemScore.objects.exclude(evidence_file=""), pk=pk)
    _assessment(request, item.assessment_id)  # 404 unless the user may view the unit
    return FileResponse(
        item.evidence_file.open("rb"), as_attachment=True, filename=item.evidence_file.name.rsplit("/", 1)[-1]
    )


@login_required
@checked_by(report_assessment_for)
def assessment_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable report of one unit's assessment: for those who may view the unit, and for everyone who
    sees the cycle once its results are published."""
    assessment = report_assessment_for(user=request.user, pk=pk)
    if assessment is None:
        raise Http404
    return render(
        request,
        "assessments/cycle/report.html",
        {"assessment": assessment, "groups": selectors.assessment_groups(assessment=assessment)},
    )


@require_http_methods(["GET", "POST"])
@login_required
@checked_by(selectors.cycles_for, require_organization_permission)
def committee_page(request: HttpRequest, year: int, org: int) -> HttpResponse:
    """A committee's branches: progress, ranking, and its 考核评估总结."""
    cycle = _cycle(request, year)
    committee = get_object_or_404(
        Organization,
        pk=org,
        path__startswith=cycle.root.path,
        kind__in=[Organization.Kind.COMMITTEE, Organization.Kind.GENERAL_BRANCH],
    )
    require_organization_permission(user=request.user, organization=committee)
    own = Assessment.objects.filter(cycle=cycle, organization=committee).first()
    may_write = organization_permission_holds(
        user=request.user, organization=committee, codename=MANAGE_UNITS
    )
    form = SummaryForm(request.POST or None, initial={"text": own.summary if own else ""})
    if request.method == "POST":
        if not may_write or own is None:
            raise PermissionDenied
        if form.is_valid():
            services.committee_summary_save(assessment=own, by=request.user, text=form.cleaned_data["text"])
            messages.success(request, _("The summary was saved."))
            return redirect("cycle:committee", year=year, org=org)
    return render(
        request,
        "assessments/cycle/committee.html",
        {
            "cycle": cycle,
            "committee": committee,
            "rows": selectors.committee_branches(cycle=cycle, committee=committee),
            "own": own,
            "form": form,
            "may_write": may_write,
        },
    )


def _results_cycle(request: HttpRequest, year: int) -> AssessmentCycle:
    cycle = _cycle(request, year)
    if cycle.published_on is None and not _is_officer(request, cycle):
        raise PermissionDenied
    return cycle


@login_required
@checked_by(selectors.cycles_for, services.may_verify)
def results(request: HttpRequest, year: int) -> HttpResponse:
    """Ranking tables, the star distribution and the 七一 shortlist (published; 组织部 sees them before). The
    branches' ranking a page at a time (a university has hundreds: the whole of it is in the xlsx)."""
    cycle = _results_cycle(request, year)
    data = selectors.cycle_results(cycle=cycle)
    page = Paginator(data.branches, RESULTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/cycle/results.html",
        {
            "cycle": cycle,
            "results": data,
            "chart": selectors.results_chart(data),
            "is_officer": _is_officer(request, cycle),
            "page": page,
        },
    )


@login_required
@checked_by(selectors.cycles_for, services.may_verify)
def results_export(request: HttpRequest, year: int) -> HttpResponse:
    cycle = _results_cycle(request, year)
    data = selectors.cycle_results(cycle=cycle)
    sheet = Sheet(
        _("Assessment results"),
        columns(
            (_("Unit"), 34),
            (_("Programme"), 16),
            (_("Self-assessment"), 10, "0.0"),
            (_("Committee review"), 10, "0.0"),
            (_("Verified by the organisation department"), 12, "0.0"),
            (_("Grade"), 8),
            (_("Veto"), 6),
            (_("Rank in committee"), 10),
            (_("Rank in university"), 10),
        ),
        [
            [
                a.organization.name,
                a.get_programme_display(),
                a.self_total,
                a.review_total,
                a.verified_total,
                a.get_grade_display(),
                flag(a.veto_failed),
                a.rank_in_committee,
                a.rank_overall,
            ]
            for a in data.committees + data.branches
        ],
    )
    return xlsx_response(workbook_bytes([sheet]), f"assessment-{year}.xlsx")


@require_POST
@login_required
@checked_by(selectors.cycles_for, services.cycle_publish)
def cycle_publish(request: HttpRequest, year: int) -> HttpResponse:
    cycle = _cycle(request, year)
    try:
        services.cycle_publish(cycle=cycle, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("cycle:progress", year=year)
    messages.success(request, _("The results were published."))
    return redirect("cycle:results", year=year)


# --- indicator tables ------------------------------------------------------------------------------------


@login_required
@checked_by(target_services.require_officer)
def tables(request: HttpRequest) -> HttpResponse:
    target_services.require_officer(by=request.user)
    return render(request, "assessments/cycle/tables.html", {"tables": IndicatorTable.objects.all()})


@require_http_methods(["GET", "POST"])
@login_required
@checked_by(target_services.require_officer)
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor: the items in order, a form to add one, move up/down, and the xlsx export and import."""
    target_services.require_officer(by=request.user)
    table = get_object_or_404(IndicatorTable, pk=pk)
    edit = None
    if request.GET.get("edit"):
        if not request.GET["edit"].isdigit():  # ?edit=x names no indicator: a 404, not a 500
            raise Http404
        edit = get_object_or_404(Indicator, pk=int(request.GET["edit"]), table=table)
    form = IndicatorForm(request.POST or None, instance=edit, table=table)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items()}
        try:
            target_services.indicator_save(table=table, by=request.user, indicator=edit, **values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect("cycle:table", pk=table.pk)
    return render(
        request,
        "assessments/cycle/table.html",
        {
            "table": table,
            "rows": target_services.indicators_in_order(table),
            "form": form,
            "edit": edit,
            "import_form": ImportForm(),
            "report": None,
        },
    )


@require_POST
@login_required
@checked_by(target_services.require_officer)
def indicator_move(request: HttpRequest, pk: int) -> HttpResponse:
    target_services.require_officer(by=request.user)
    indicator = get_object_or_404(Indicator, pk=pk)
    if request.POST.get("delete"):
        try:
            target_services.indicator_delete(indicator=indicator, by=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    else:
        target_services.indicator_move(indicator=indicator, by=request.user, up=request.POST.get("up") == "1")
    return redirect("cycle:table", pk=indicator.table_id)


@login_required
@checked_by(target_services.require_officer)
def table_export(request: HttpRequest, pk: int) -> HttpResponse:
    target_services.require_officer(by=request.user)
    table = get_object_or_404(IndicatorTable, pk=pk)
    return xlsx_response(
        target_services.indicator_table_export(table=table), f"indicators-{table.year}-{table.programme}.xlsx"
    )


@require_POST
@login_required
@checked_by(target_services.require_officer)
def table_import(request: HttpRequest, pk: int) -> HttpResponse:
    target_services.require_officer(by=request.user)
    table = get_object_or_404(IndicatorTable, pk=pk)
    import_form = ImportForm(request.POST, request.FILES)
    report = None
    if import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        report = target_services.indicator_table_import(
            table=table, data=upload.read(), filename=upload.name, by=request.user
        )
        if report.ok:
            messages.success(
                request,
                _("%(created)d indicators added, %(updated)d updated.")
                % {"created": report.created, "updated": report.updated},
            )
            return redirect("cycle:table", pk=table.pk)
    return render(
        request,
        "assessments/cycle/table.html",
        {
            "table": table,
            "rows": target_services.indicators_in_order(table),
            "form": IndicatorForm(table=table),
            "edit": None,
            "import_form": import_form,
            "report": report,
        },
        status=422,
    )


# --- annual plans ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@checked_by(require_organization_permission)
def plan(request: HttpRequest, org: int, year: int) -> HttpResponse:
    """A unit's annual plan: its own 自选动作 under its table's items; the unit above approves or returns."""
    if not 2000 <= year <= timezone.localdate().year + 1:  # /plan/<org>/0/ is no year of the portal's plans
        raise Http404
    unit = get_object_or_404(Organization, pk=org)
    require_organization_permission(user=request.user, organization=unit)
    own = services.may_self_assess(user=request.user, organization=unit)
    parent = Organization.objects.get_parent(unit)
    may_decide = (
        parent is not None
        and organization_permission_holds(user=request.user, organization=parent, codename=MANAGE_UNITS)
        and not own
    )
    indicators = Indicator.objects.filter(
        table__year=year, table__programme=programme_for(unit) or "-", parent__isnull=True
    )
    form = PlanItemForm(request.POST or None, indicators=indicators)
    if request.method == "POST":
        try:
            if "submit_plan" in request.POST:
                n = target_services.plan_submit(organization=unit, by=request.user, year=year)
                messages.success(request, _("%(n)d items sent for approval.") % {"n": n})
            elif "decide" in request.POST:
                item = get_object_or_404(PlanItem, pk=request.POST["decide"], organization=unit)
                decision = ReturnForm(request.POST)
                decision.is_valid()
                target_services.plan_item_decide(
                    item=item,
                    by=request.user,
                    approve=request.POST.get("approve") == "1",
                    reason=decision.cleaned_data.get("reason", ""),
                )
                messages.success(request, _("The decision was saved."))
            elif form.is_valid():
                if not own:
                    raise PermissionDenied
                target_services.plan_item_save(organization=unit, by=request.user, **form.cleaned_data)
                messages.success(request, _("The item was added to the plan."))
            else:
                raise ValidationError(_("Check the item's fields."))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            return redirect("cycle:plan", org=unit.pk, year=year)
    return render(
        request,
        "assessments/cycle/plan.html",
        {
            "unit": unit,
            "year": year,
            "items": selectors.plan_items_for(organization=unit, year=year),
            "form": form,
            "own": own,
            "may_decide": may_decide,
            "return_form": ReturnForm(),
        },
    )
