"""Pages of the 民主评议党员's written parts (issue 19): a member's 党员互评 comments on colleagues, the branch
committee's reading of comments and 群众意见, the secretary's opinion codes and their printed sheet, and the
public page where a code holder gives opinions."""

from __future__ import annotations

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from assessments import throttle
from assessments.forms.ratings import CodeEntryForm
from assessments.models.evaluation import COMMENT_MAX_LENGTH, OPINION_MAX_LENGTH, MemberEvaluation
from assessments.models.ratings import code_display
from assessments.selectors import evaluation_remarks as selectors
from assessments.services import evaluation as evaluation_services
from assessments.services import evaluation_remarks as services
from assessments.views.evaluation import EVALUATIONS, EvaluationRoles, evaluation_roles
from branches.access import checked_by, record_access


class OpinionCodesForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"] = forms.IntegerField(
            label=_("Number of codes"), min_value=1, max_value=settings.RATING_CODES_PER_BATCH
        )


class OpinionCodeEntryForm(CodeEntryForm):
    """The ratings' code field (its normalisation and checks), labelled for opinions."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Opinion code")


# --- 党员互评: a member comments on colleagues ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(evaluation_services.entry_of)
def evaluation_comments(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's comments on colleagues (each once, anonymous); in an evaluation held per party group,
    on their own group's colleagues, whose self-evaluations they read here."""
    evaluation = get_object_or_404(MemberEvaluation.objects.select_related("branch"), pk=pk)
    entry = evaluation_services.entry_of(evaluation=evaluation, user=request.user)
    if entry is None:
        raise Http404
    colleagues = list(services.comment_subjects(evaluation=evaluation, rater=entry))
    error = ""
    posted: dict[int, str] = {}
    if request.method == "POST":
        posted = {c.pk: request.POST.get(f"c-{c.pk}", "")[: COMMENT_MAX_LENGTH * 2] for c in colleagues}
        try:
            n = services.comments_cast(evaluation=evaluation, rater=entry, comments=posted, by=request.user)
        except services.EvaluationRefused as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("%(n)d comments sealed: no one, not even the secretary, can see who wrote them.")
                % {"n": n},
            )
            return redirect("evaluation:comments", evaluation.pk)
    done = selectors.commented_by(rater=entry)
    return render(
        request,
        "assessments/evaluation/comments.html",
        {
            "evaluation": evaluation,
            "entry": entry,
            "colleagues": [(c, c.pk in done, posted.get(c.pk, "")) for c in colleagues],
            "error": error,
            "is_open": evaluation.status == MemberEvaluation.Status.OPEN,
            "max_length": COMMENT_MAX_LENGTH,
        },
        status=409 if error else 200,
    )


# --- the branch committee reads comments and opinions --------------------------------------------------


@login_required
@require_GET
@record_access(EVALUATIONS, allow=evaluation_roles, grant="roles", to="evaluation")
def evaluation_remarks(
    request: HttpRequest, evaluation: MemberEvaluation, roles: EvaluationRoles
) -> HttpResponse:
    """Comments and 群众意见 per member, after the count and where at least the minimum wrote."""
    return render(
        request,
        "assessments/evaluation/remarks.html",
        {
            "evaluation": evaluation,
            "remarks": selectors.evaluation_remarks(evaluation=evaluation),
            "may_issue": roles.runs and evaluation.status == MemberEvaluation.Status.OPEN,
        },
    )


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@record_access(EVALUATIONS, allow=evaluation_roles, grant="roles", to="evaluation")
def opinion_codes(request: HttpRequest, evaluation: MemberEvaluation, roles: EvaluationRoles) -> HttpResponse:
    """The branch invites non-members' opinions: the secretary issues codes; the answer is the printable
    sheet, the only time the codes are shown."""
    if not roles.runs:
        return render(request, "403.html", status=403)
    form = OpinionCodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.opinion_codes_generate(
                evaluation=evaluation, count=form.cleaned_data["count"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            entry = request.build_absolute_uri(reverse("evaluation:opinion_entry"))
            # As for rating codes: the code rides in the fragment, which browsers never send.
            sheet = [{"code": code_display(c), "qr": _qr_data_uri(f"{entry}#{c}")} for c in codes]
            return render(
                request,
                "assessments/evaluation/opinion_code_sheet.html",
                {"evaluation": evaluation, "sheet": sheet, "entry": entry},
            )
    return render(
        request,
        "assessments/evaluation/opinion_codes.html",
        {"evaluation": evaluation, "form": form, "maximum": settings.RATING_CODES_PER_BATCH},
    )


# --- 群众意见: a code holder gives opinions (public) -----------------------------------------------------


def _opinion_refused(request: HttpRequest, message: str, *, status: int, code_form: bool = False):
    return render(
        request,
        "assessments/evaluation/opinion_refused.html",
        {"message": message, "form": OpinionCodeEntryForm() if code_form else None},
        status=status,
    )


@csrf_exempt  # the code in the body is the credential, not a cookie: a forged request would need the code
@never_cache
@require_http_methods(["GET", "POST"])
def opinion_entry(request: HttpRequest) -> HttpResponse:
    """Opinions with a code, on one URL that never carries the code (as the rating codes' page): GET is
    the entry form (the QR's link puts the code in the fragment); a POST with the code shows the members;
    a POST with ``step=give`` gives the opinions and spends the code. Wrong codes are throttled per
    address with the rating codes' counter."""
    address = throttle.client_address(request)
    if request.method == "GET":
        return render(request, "assessments/evaluation/opinion_entry.html", {"form": OpinionCodeEntryForm()})
    if throttle.over("code-fail", address, limit=settings.RATING_CODE_FAILURES_PER_IP):
        minutes = max(1, settings.RATING_THROTTLE_WINDOW // 60)
        message = _("Too many attempts from here. Please try again in %(minutes)d minutes.") % {
            "minutes": minutes
        }
        return _opinion_refused(request, message, status=429)
    form = OpinionCodeEntryForm(request.POST)
    if not form.is_valid():
        return render(request, "assessments/evaluation/opinion_entry.html", {"form": form})
    code = services.opinion_code_lookup(form.cleaned_data["code"])
    if code is None:
        throttle.hit("code-fail", address, limit=settings.RATING_CODE_FAILURES_PER_IP)
        return _opinion_refused(
            request, _("This code is not valid. Check it and type it again."), status=404, code_form=True
        )
    if code.used:
        return _opinion_refused(
            request, _("This code has already been used; each code works once."), status=409
        )
    evaluation = code.evaluation
    if evaluation.status != MemberEvaluation.Status.OPEN:
        return _opinion_refused(request, _("The evaluation no longer takes opinions."), status=409)
    members = list(services.opinion_subjects(evaluation=evaluation))
    error = ""
    posted: dict[int, str] = {}
    overall = ""
    if request.POST.get("step") == "give":
        posted = {m.pk: request.POST.get(f"o-{m.pk}", "")[: OPINION_MAX_LENGTH * 2] for m in members}
        overall = request.POST.get("overall", "")[: OPINION_MAX_LENGTH * 2]
        try:
            services.opinions_cast(code=form.cleaned_data["code"], opinions=posted, overall=overall)
        except services.EvaluationRefused as exc:
            error = str(exc)
        else:
            return redirect("evaluation:opinion_done")
    return render(
        request,
        "assessments/evaluation/opinion_form.html",
        {
            "evaluation": evaluation,
            "code": form.cleaned_data["code"],
            "members": [(m, posted.get(m.pk, "")) for m in members],
            "overall": overall,
            "error": error,
            "max_length": OPINION_MAX_LENGTH,
        },
        status=409 if error else 200,
    )


@require_GET
def opinion_done(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/evaluation/opinion_done.html")
