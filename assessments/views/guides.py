"""Pages of issue 18: 组织部's annual work guides (list, editor, publish), a branch's guide with what it has
recorded as done, and a branch's 八个一 checklist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.forms.guides import EightOnesTickForm, GuideActionForm, GuideDoneForm, GuideNewForm
from assessments.models import AnnualGuide, EightOnesItem, GuideAction
from assessments.selectors import guides as selectors
from assessments.services import guides as services
from assessments.services.targets import require_officer
from branches.access import checked_by, unit_access
from branches.models import Organization, Role


def _year(year: int) -> int:
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404
    return year


def _own(request: HttpRequest, branch: Organization) -> bool:
    return (
        Role.objects.current()
        .filter(user=request.user, organization=branch, kind__in=services.GUIDE_ROLES)
        .exists()
    )


@require_http_methods(["GET", "POST"])
@login_required
@checked_by(require_officer)
def guides(request: HttpRequest) -> HttpResponse:
    """组织部: every guide, and a form to start one from the programme's default months."""
    require_officer(by=request.user)
    form = GuideNewForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            guide = services.guide_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The guide was created with the default months; edit and publish it.")
            )
            return redirect("cycle:guide", pk=guide.pk)
    return render(request, "assessments/guides/list.html", {"guides": selectors.guides_all(), "form": form})


@require_http_methods(["GET", "POST"])
@login_required
@checked_by(require_officer)
def guide_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """组织部's editor: the months and their actions, a form to add or edit one, publish."""
    require_officer(by=request.user)
    guide = get_object_or_404(AnnualGuide, pk=pk)
    edit = None
    if request.GET.get("edit"):
        if not request.GET["edit"].isdigit():
            raise Http404
        edit = get_object_or_404(GuideAction, pk=int(request.GET["edit"]), guide=guide)
    form = GuideActionForm(request.POST or None, instance=edit)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        key = values.pop("request_key", None)
        try:
            services.guide_action_save(guide=guide, by=request.user, action=edit, request_key=key, **values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The action was saved."))
            return redirect("cycle:guide", pk=guide.pk)
    return render(
        request,
        "assessments/guides/detail.html",
        {"guide": guide, "months": selectors.guide_months(guide=guide), "form": form, "edit": edit},
    )


@require_POST
@login_required
@checked_by(require_officer)
def guide_publish(request: HttpRequest, pk: int) -> HttpResponse:
    require_officer(by=request.user)
    guide = get_object_or_404(AnnualGuide, pk=pk)
    try:
        n = services.guide_publish(guide=guide, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, _("The guide was published to its branches; %(n)d to-dos opened this month.") % {"n": n}
        )
    return redirect("cycle:guide", pk=guide.pk)


@require_POST
@login_required
@checked_by(require_officer)
def guide_action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_officer(by=request.user)
    action = get_object_or_404(GuideAction, pk=pk)
    try:
        services.guide_action_delete(action=action, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("cycle:guide", pk=action.guide_id)


@require_http_methods(["GET", "POST"])
@login_required
@unit_access(kwarg="org", kinds=[Organization.Kind.BRANCH], to="branch")
def branch_guide(request: HttpRequest, branch: Organization, year: int) -> HttpResponse:
    """A branch's published guide for ``year`` by month; its secretaries record an action as done."""
    year = _year(year)
    own = _own(request, branch)
    form = GuideDoneForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST":
        if not own:
            raise PermissionDenied
        if form.is_valid():
            action = get_object_or_404(GuideAction, pk=form.cleaned_data["action"], guide__year=year)
            try:
                services.guide_action_done(
                    action=action,
                    branch=branch,
                    by=request.user,
                    done_on=form.cleaned_data["done_on"],
                    evidence=form.cleaned_data["evidence"],
                    request_key=form.cleaned_data["request_key"],
                )
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, _("The action was recorded as done."))
                return redirect("cycle:branch_guide", org=branch.pk, year=year)
    guide, months = selectors.branch_guide(branch=branch, year=year)
    today = timezone.localdate()
    return render(
        request,
        "assessments/guides/branch.html",
        {
            "branch": branch,
            "year": year,
            "guide": guide,
            "months": months,
            "own": own,
            "form": form,
            "current_month": today.month if today.year == year else None,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@unit_access(kwarg="org", kinds=[Organization.Kind.BRANCH], to="branch")
def eight_ones(request: HttpRequest, branch: Organization, year: int) -> HttpResponse:
    """A branch's 八个一 checklist for ``year``: computed items and the ticks of the others, with evidence."""
    year = _year(year)
    own = _own(request, branch)
    form = EightOnesTickForm(request.POST or None)
    if request.method == "POST":
        if not own:
            raise PermissionDenied
        if form.is_valid():
            item = get_object_or_404(EightOnesItem, pk=form.cleaned_data["item"], is_active=True, measure="")
            services.eight_ones_tick(
                item=item, branch=branch, year=year, by=request.user, evidence=form.cleaned_data["evidence"]
            )
            messages.success(request, _("The item was ticked."))
            return redirect("cycle:eight_ones", org=branch.pk, year=year)
    today = timezone.localdate()
    checks = selectors.eight_ones(
        branch=branch, year=year, today=min(today, today.replace(year=year, month=12, day=31))
    )
    return render(
        request,
        "assessments/guides/eight_ones.html",
        {
            "branch": branch,
            "year": year,
            "checks": checks,
            "own": own,
            "form": form,
            "done": sum(1 for c in checks if c.ok),
        },
    )
