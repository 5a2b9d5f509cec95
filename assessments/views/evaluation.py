"""Pages of 民主评议党员 (issue 19): the branch's evaluation (open, count, grades, report), the member's own
page (个人自评, the sealed 测评, their grade), the committee's approval, the 汇总表 (printable and xlsx)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.models.evaluation import (
    EvaluationEntry,
    EvaluationFollowUp,
    EvaluationGrade,
    MemberEvaluation,
)
from assessments.models.evaluation_files import EvaluationFile
from assessments.selectors import evaluation as selectors
from assessments.selectors.history import status_history
from assessments.services import evaluation as services
from assessments.services import evaluation_todos
from branches.access import checked_by, record_access
from branches.attachments import attachment_response
from branches.spreadsheets.export import xlsx_response
from branches.models import Organization
from branches.once import OnceField
from branches.selectors import MANAGE_MEMBERS, organizations_with_permission
from members.services.tabular import xlsx_bytes


class OpenForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=Organization.objects.none(), label=gettext_lazy("Branch"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    by_group = forms.BooleanField(
        label=gettext_lazy("Self-evaluation and mutual evaluation per party group"),
        required=False,
        help_text=gettext_lazy("For a large branch with party groups: members comment on their own group."),
    )
    request_key = OnceField()

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


def _branches(request: HttpRequest):
    return (
        organizations_with_permission(user=request.user, codename=MANAGE_MEMBERS)
        .filter(kind=Organization.Kind.BRANCH, is_active=True)
        .order_by("path")
    )


# An evaluation of another branch is not told to exist: 404 unless the user runs it or decides on it; the
# view receives which (``roles``).
EVALUATIONS = MemberEvaluation.objects.select_related("branch", "box")


@dataclass(frozen=True)
class EvaluationRoles:
    """The user's part in an evaluation: running it (``may_run``) and deciding on it (``may_decide``); true
    when either holds."""

    runs: bool
    decides: bool

    def __bool__(self) -> bool:
        return self.runs or self.decides


def evaluation_roles(*, user: User, evaluation: MemberEvaluation) -> EvaluationRoles:
    """Whether the user runs ``evaluation`` and whether they decide on it. Two queries (none for superusers)."""
    branch = evaluation.branch
    return EvaluationRoles(
        runs=services.may_run(user=user, branch=branch), decides=services.may_decide(user=user, branch=branch)
    )


def _entry_roles(*, user: User, entry: EvaluationEntry) -> EvaluationRoles:
    return evaluation_roles(user=user, evaluation=entry.evaluation)


def _step_roles(*, user: User, step: EvaluationFollowUp) -> EvaluationRoles:
    return evaluation_roles(user=user, evaluation=step.entry.evaluation)


def _messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_GET
@checked_by(organizations_with_permission)
def evaluation_home(request: HttpRequest) -> HttpResponse:
    """The evaluations the user runs or is above, those awaiting their decision, and their own."""
    return render(
        request,
        "assessments/evaluation/home.html",
        {
            "evaluations": selectors.evaluations_managed(user=request.user)[:200],
            "awaiting": selectors.awaiting_decision(user=request.user),
            "mine": selectors.entries_of_user(user=request.user)[:10],
            "may_open": _branches(request).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(organizations_with_permission)
def evaluation_new(request: HttpRequest) -> HttpResponse:
    branches = _branches(request)
    if not branches.exists():
        return render(request, "403.html", status=403)
    today = timezone.localdate()
    form = OpenForm(request.POST or None, branches=branches, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_open(
                branch=form.cleaned_data["branch"],
                year=form.cleaned_data["year"],
                by=request.user,
                today=today,
                request_key=form.cleaned_data["request_key"],
                by_group=form.cleaned_data["by_group"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The evaluation is open: members can now write their self-evaluation and vote.")
            )
            return redirect("evaluation:detail", evaluation.pk)
    return render(request, "assessments/evaluation/new.html", {"form": form})


def _detail(
    request: HttpRequest,
    evaluation: MemberEvaluation,
    runs: bool,
    decides: bool,
    posted: dict[int, tuple[str, str]] | None = None,
) -> HttpResponse:
    rows = selectors.evaluation_rows(evaluation=evaluation)
    if posted:  # a refused proposal is shown as it was sent, not as stored (nothing of it was saved)
        for row in rows:
            row.entry.grade, row.entry.reason = posted.get(row.entry.pk, (row.entry.grade, row.entry.reason))
    # The year's record beside each full member's grade: three queries whatever the branch's size.
    records = selectors.year_records(
        evaluation=evaluation, member_ids=[r.entry.member_id for r in rows if r.entry.graded]
    )
    for row in rows:
        row.record = records.get(row.entry.member_id)
    full = sum(1 for r in rows if r.entry.graded)
    S = MemberEvaluation.Status
    has_files = any(_self_file(r.entry) for r in rows)
    return render(
        request,
        "assessments/evaluation/detail.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "full": full,
            "cap": evaluation.excellent_cap(full),
            "participants": selectors.participants(evaluation=evaluation),
            "grades": EvaluationGrade.choices,
            "grade_order": selectors.GRADE_ORDER,
            "may_close": runs and evaluation.status == S.OPEN,
            # the self-evaluations' files: for the branch's own committee (a query only when there is a file)
            "sees_files": has_files
            and services.branch_committee_holds(user=request.user, branch_id=evaluation.branch_id),
            "may_grade": runs and evaluation.status in (S.COUNTED, S.RETURNED),
            "may_decide": decides and evaluation.status == S.SUBMITTED,
            "may_follow_up": runs and evaluation.status == S.APPROVED,
            "steps": EvaluationFollowUp.Step.choices,
            "decides": decides,
            "history": status_history(evaluation),
        },
    )


def _self_file(entry: EvaluationEntry):
    try:
        return entry.self_file
    except EvaluationFile.DoesNotExist:
        return None


@login_required
@require_GET
@checked_by(services.self_file_may_view)
def self_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file of a 个人自评: the member and their branch's committee; 404 for the others, as for a missing file."""
    entry = get_object_or_404(EvaluationEntry.objects.select_related("member", "evaluation"), pk=pk)
    upload = EvaluationFile.objects.filter(entry=entry).first()
    if upload is None or not services.self_file_may_view(user=request.user, entry=entry):
        raise Http404
    return attachment_response(attachment=upload)


@login_required
@require_GET
@record_access(EVALUATIONS, allow=evaluation_roles, grant="roles", to="evaluation")
def evaluation_detail(
    request: HttpRequest, evaluation: MemberEvaluation, roles: EvaluationRoles
) -> HttpResponse:
    return _detail(request, evaluation, roles.runs, roles.decides)


@login_required
@require_POST
@record_access(EVALUATIONS, allow=evaluation_roles, grant="roles", to="evaluation")
def evaluation_close(
    request: HttpRequest, evaluation: MemberEvaluation, roles: EvaluationRoles
) -> HttpResponse:
    if not roles.runs:
        return render(request, "403.html", status=403)
    services.vote_close(evaluation=evaluation, by=request.user)
    messages.success(request, _("The vote is counted. Propose a grade for each full member."))
    return redirect("evaluation:detail", evaluation.pk)


@login_required
@require_POST
@record_access(EVALUATIONS, allow=evaluation_roles, grant="roles", to="evaluation")
def evaluation_grades(
    request: HttpRequest, evaluation: MemberEvaluation, roles: EvaluationRoles
) -> HttpResponse:
    if not roles.runs:
        return render(request, "403.html", status=403)
    grades = {}
    for entry_id in evaluation.entries.values_list("pk", flat=True):
        grade = request.POST.get(f"grade-{entry_id}", "")[:20]
        reason = request.POST.get(f"reason-{entry_id}", "")[:2000]
        grades[entry_id] = (grade, reason)
    submit = request.POST.get("action") == "submit"
    try:
        services.grades_save(evaluation=evaluation, grades=grades, by=request.user, submit=submit)
    except ValidationError as exc:
        _messages(request, exc)
        return _detail(request, evaluation, roles.runs, roles.decides, posted=grades)
    messages.success(request, _("Reported to the committee.") if submit else _("Grades saved."))
    return redirect("evaluation:detail", evaluation.pk)


@login_required
@require_POST
@record_access(EVALUATIONS, allow=evaluation_roles, grant="roles", to="evaluation")
def evaluation_decide(
    request: HttpRequest, evaluation: MemberEvaluation, roles: EvaluationRoles
) -> HttpResponse:
    if not roles.decides:
        return render(request, "403.html", status=403)
    approve = request.POST.get("action") == "approve"
    try:
        services.evaluation_decide(
            evaluation=evaluation,
            by=request.user,
            approve=approve,
            reason=request.POST.get("reason", "")[:1000],
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, _("Approved.") if approve else _("Returned to the branch."))
    return redirect("evaluation:detail", evaluation.pk)


def _posted_date(request: HttpRequest, name: str):
    """A posted ISO date, or None when absent or not a date (the service then refuses with its message)."""
    raw = request.POST.get(name, "")[:10]
    try:
        return parse_date(raw) if raw else None
    except ValueError:
        return None


@login_required
@require_POST
@record_access(
    EvaluationEntry.objects.select_related("evaluation__branch", "member"),
    allow=_entry_roles,
    grant="roles",
    to="entry",
)
def followup_new(request: HttpRequest, entry: EvaluationEntry, roles: EvaluationRoles) -> HttpResponse:
    evaluation = entry.evaluation
    if not roles.runs:
        return render(request, "403.html", status=403)
    try:
        services.followup_record(
            entry=entry,
            step=request.POST.get("step", "")[:20],
            deadline=_posted_date(request, "deadline"),
            corrected_on=_posted_date(request, "corrected_on"),
            note=request.POST.get("note", "")[:2000],
            by=request.user,
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, _("The step is recorded and awaits the committee."))
    return redirect("evaluation:detail", evaluation.pk)


@login_required
@require_POST
@record_access(
    EvaluationFollowUp.objects.select_related("entry__evaluation__branch"),
    allow=_step_roles,
    grant="roles",
    to="step",
)
def followup_decide(request: HttpRequest, step: EvaluationFollowUp, roles: EvaluationRoles) -> HttpResponse:
    evaluation = step.entry.evaluation
    if not roles.decides:
        return render(request, "403.html", status=403)
    try:
        services.followup_decide(
            follow_up=step,
            by=request.user,
            approve=request.POST.get("action") == "approve",
            reason=request.POST.get("reason", "")[:1000],
        )
    except ValidationError as exc:
        _messages(request, exc)
    return redirect("evaluation:detail", evaluation.pk)


@login_required
@require_GET
@checked_by(selectors.entries_of_user)
def evaluation_mine(request: HttpRequest) -> HttpResponse:
    """The member's own evaluations: the vote while open, the grade once approved. Opening it closes the
    to-dos that told them of an approved grade (they have now seen it)."""
    evaluation_todos.grade_todos_seen(user=request.user)
    return render(
        request,
        "assessments/evaluation/mine.html",
        {
            "entries": selectors.entries_of_user(user=request.user),
            "approved": MemberEvaluation.Status.APPROVED,
            "open": MemberEvaluation.Status.OPEN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(services.entry_of)
def evaluation_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's 个人自评 and 民主测评 (each colleague once, anonymous)."""
    evaluation = get_object_or_404(MemberEvaluation.objects.select_related("branch"), pk=pk)
    entry = services.entry_of(evaluation=evaluation, user=request.user)
    if entry is None:
        raise Http404
    colleagues = list(services.vote_subjects(evaluation=evaluation, rater=entry))
    done = set(selectors.rated_by(rater=entry))
    error = ""
    if request.method == "POST":
        if evaluation.status != MemberEvaluation.Status.OPEN:
            error = _("The vote is closed.")
        else:
            try:
                services.self_evaluation_save(
                    entry=entry, text=request.POST.get("self_text", "")[:5000], by=request.user
                )
                if request.FILES.get("self_file"):
                    services.self_evaluation_file_store(
                        entry=entry, upload=request.FILES["self_file"], by=request.user
                    )
                # A colleague already graded is sent only by a stale form (a double click): the service refuses it.
                choices = {c.pk: request.POST.get(f"g-{c.pk}", "")[:20] for c in colleagues}
                choices = {k: v for k, v in choices.items() if v}
                if choices:
                    services.vote_cast(evaluation=evaluation, rater=entry, choices=choices)
                elif request.POST.get("g-any") and not done:
                    error = _("Choose a grade for at least one colleague.")
            except (ValidationError, services.EvaluationRefused) as exc:
                error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            if not error:
                messages.success(request, _("Saved. Your grades are sealed: no one can see what you chose."))
                return redirect("evaluation:vote", evaluation.pk)
    return render(
        request,
        "assessments/evaluation/vote.html",
        {
            "evaluation": evaluation,
            "entry": entry,
            "colleagues": [(c, c.pk in done) for c in colleagues],
            "grades": EvaluationGrade.choices,
            "error": error,
            "is_open": evaluation.status == MemberEvaluation.Status.OPEN,
        },
    )


@login_required
@require_GET
@record_access(EVALUATIONS, allow=evaluation_roles, grant="roles", to="evaluation")
def evaluation_summary(
    request: HttpRequest, evaluation: MemberEvaluation, roles: EvaluationRoles
) -> HttpResponse:
    """The printable 民主评议情况汇总表."""
    rows = selectors.evaluation_rows(evaluation=evaluation)
    counts = {g: sum(1 for r in rows if r.entry.grade == g) for g in selectors.GRADE_ORDER}
    return render(
        request,
        "assessments/evaluation/summary.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "counts": [(EvaluationGrade(g).label, n) for g, n in counts.items()],
            "full": sum(1 for r in rows if r.entry.graded),
        },
    )


@login_required
@require_GET
@record_access(EVALUATIONS, allow=evaluation_roles, grant="roles", to="evaluation")
def evaluation_summary_xlsx(
    request: HttpRequest, evaluation: MemberEvaluation, roles: EvaluationRoles
) -> HttpResponse:
    rows = selectors.evaluation_rows(evaluation=evaluation)
    headers = [
        "姓名",
        "党员类别",
        "测评人数",
        "优秀票",
        "合格票",
        "基本合格票",
        "不合格票",
        "评定等次",
        "理由",
        "后续处理",
    ]
    data = []
    for r in rows:
        d = r.distribution or {}
        data.append(
            [
                r.entry.member.name,
                r.entry.member.get_stage_display(),
                r.raters,
                *[d.get(g, "") if r.distribution else "" for g in selectors.GRADE_ORDER],
                r.entry.get_grade_display() if r.entry.grade else ("不评定" if not r.entry.graded else ""),
                r.entry.reason,
                "；".join(f"{f.get_step_display()}（{f.get_status_display()}）" for f in r.follow_ups),
            ]
        )
    return xlsx_response(
        xlsx_bytes(headers, data), f"evaluation-{evaluation.branch.code}-{evaluation.year}.xlsx"
    )
