"""Pages of the 七一表彰 (issue 19): the commendations; 组织部 opens one, sets quotas, starts the 公示, records
objections, decides and publishes; a secondary committee sees its candidates from the data and nominates; the
public 公示; the printable certificate list and the xlsx."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.models.commendation import Commendation, HonourKind, Nomination, NominationObjection
from assessments.selectors import commendation as selectors
from assessments.selectors.history import status_history
from assessments.services import commendation as services
from branches.access import checked_by
from branches.models import Organization
from branches.once import OnceField
from branches.selectors import MANAGE_UNITS, organizations_with_permission
from branches.uploads import upload_check
from branches.spreadsheets.export import xlsx_response
from members.models import Member
from members.services.tabular import xlsx_bytes

MAX_DEEDS_BYTES = 10 * 1024 * 1024


def _roots(request: HttpRequest):
    return (
        organizations_with_permission(user=request.user, codename=MANAGE_UNITS)
        .filter(kind=Organization.Kind.UNIVERSITY)
        .order_by("path")
    )


def _commendation(request: HttpRequest, pk: int) -> tuple[Commendation, bool, list[Organization]]:
    """The commendation, whether the user runs it, and the committees they nominate for; 404 for others."""
    commendation = get_object_or_404(Commendation.objects.select_related("root", "post"), pk=pk)
    runs = services.may_run(user=request.user, commendation=commendation)
    committees = list(selectors.committees_nominating(user=request.user, commendation=commendation))
    if not runs and not committees:
        raise Http404
    return commendation, runs, committees


def _messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


class OpenForm(forms.Form):
    root = forms.ModelChoiceField(queryset=Organization.objects.none(), label=gettext_lazy("University"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    nominations_open_on = forms.DateField(
        label=gettext_lazy("Nominations open on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    nominations_close_on = forms.DateField(
        label=gettext_lazy("Nominations close on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notice_days = forms.IntegerField(
        label=gettext_lazy("Public notice (working days)"), min_value=1, max_value=30
    )
    unit_quota = forms.IntegerField(
        label=gettext_lazy("Default quota per committee: organisations"), min_value=0, max_value=100
    )
    member_quota = forms.IntegerField(
        label=gettext_lazy("Default quota per committee: members"), min_value=0, max_value=100
    )
    worker_quota = forms.IntegerField(
        label=gettext_lazy("Default quota per committee: Party workers"), min_value=0, max_value=100
    )
    request_key = OnceField()

    def __init__(self, *args, roots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root"].queryset = roots


class QuotaForm(forms.Form):
    committee = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=gettext_lazy("Secondary committee")
    )
    kind = forms.ChoiceField(choices=HonourKind.choices, label=gettext_lazy("Honour"))
    quota = forms.IntegerField(label=gettext_lazy("Quota"), min_value=0, max_value=100)

    def __init__(self, *args, commendation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Organization.objects.filter(
            kind__in=services.COMMITTEE_KINDS, path__startswith=commendation.root.path, is_active=True
        ).order_by("path")


class NominationForm(forms.Form):
    committee = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=gettext_lazy("Nominating committee")
    )
    kind = forms.ChoiceField(choices=HonourKind.choices, label=gettext_lazy("Honour"))
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label=gettext_lazy("Organisation (for an advanced organisation)"),
    )
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(), required=False, label=gettext_lazy("Member (for a personal honour)")
    )
    deeds = forms.CharField(
        label=gettext_lazy("Account of deeds"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6})
    )
    deeds_file = forms.FileField(label=gettext_lazy("Deeds file (PDF, Word or image)"), required=False)
    endorsement = forms.CharField(
        label=gettext_lazy("Endorsement of the nominating unit"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    request_key = OnceField()

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Organization.objects.filter(pk__in=[c.pk for c in committees])
        if len(committees) == 1:  # the usual case: the organiser's own committee, chosen already
            self.fields["committee"].initial = committees[0].pk
            self.fields["committee"].empty_label = None
        paths = [c.path for c in committees]
        from django.db.models import Q

        under = Q(pk__in=[])
        for path in paths:
            under |= Q(path__startswith=path)
        self.fields["organization"].queryset = Organization.objects.filter(
            under, kind=Organization.Kind.BRANCH, is_active=True
        ).order_by("path")
        member_under = Q(pk__in=[])
        for path in paths:
            member_under |= Q(branch__path__startswith=path)
        self.fields["member"].queryset = (
            Member.objects.filter(member_under, stage__in=(Member.Stage.FULL, Member.Stage.PROBATIONARY))
            .select_related("branch")
            .order_by("branch__path", "name")
        )
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.name} · {m.branch.display_name if m.branch else ''}"
        )

    def clean_deeds_file(self):
        upload = self.cleaned_data.get("deeds_file")
        if upload:
            upload_check(upload, max_bytes=MAX_DEEDS_BYTES)
        return upload


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    raised_by = forms.CharField(
        label=gettext_lazy("Raised by (may be left anonymous)"), max_length=60, required=False
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("Outcome"),
        coerce=lambda v: v == "1",
        choices=[("0", gettext_lazy("Dismissed")), ("1", gettext_lazy("Upheld"))],
    )
    resolution = forms.CharField(
        label=gettext_lazy("Resolution"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(forms.Form):
    award = forms.TypedChoiceField(
        label=gettext_lazy("Award decision"),
        coerce=lambda v: v == "1",
        choices=[("1", gettext_lazy("Award")), ("0", gettext_lazy("Do not award"))],
    )
    note = forms.CharField(
        label=gettext_lazy("Note (required when not awarding)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@login_required
@require_GET
@checked_by(organizations_with_permission)
def commendation_home(request: HttpRequest) -> HttpResponse:
    roots = list(_roots(request))
    nominating = (
        organizations_with_permission(user=request.user, codename="manage_members")
        .filter(kind__in=services.COMMITTEE_KINDS)
        .values_list("path", flat=True)[:50]
    )
    paths = list(nominating)
    items = [
        c
        for c in selectors.commendations_list()[:50]
        if any(c.root.path == r.path for r in roots) or any(p.startswith(c.root.path) for p in paths)
    ]
    return render(
        request, "assessments/commendation/home.html", {"commendations": items, "may_open": bool(roots)}
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(organizations_with_permission)
def commendation_new(request: HttpRequest) -> HttpResponse:
    roots = _roots(request)
    if not roots.exists():
        return render(request, "403.html", status=403)
    today = timezone.localdate()
    initial = {
        "year": today.year,
        "root": roots.first(),
        "notice_days": Commendation._meta.get_field("notice_days").get_default(),
        "unit_quota": Commendation._meta.get_field("unit_quota").get_default(),
        "member_quota": Commendation._meta.get_field("member_quota").get_default(),
        "worker_quota": Commendation._meta.get_field("worker_quota").get_default(),
    }
    form = OpenForm(request.POST or None, roots=roots, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commendation = services.commendation_open(
                root=data["root"],
                year=data["year"],
                nominations_open_on=data["nominations_open_on"],
                nominations_close_on=data["nominations_close_on"],
                notice_days=data["notice_days"],
                unit_quota=data["unit_quota"],
                member_quota=data["member_quota"],
                worker_quota=data["worker_quota"],
                by=request.user,
                request_key=data["request_key"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The commendation is open for nominations."))
            return redirect("commendation:detail", commendation.pk)
    return render(request, "assessments/commendation/new.html", {"form": form})


@login_required
@require_GET
@checked_by(services.may_run, selectors.committees_nominating)
def commendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commendation, runs, committees = _commendation(request, pk)
    shown = list(QuotaForm(commendation=commendation).fields["committee"].queryset) if runs else committees
    data = selectors.board(commendation=commendation, committees=shown)
    today = timezone.localdate()
    return render(
        request,
        "assessments/commendation/detail.html",
        {
            "commendation": commendation,
            "runs": runs,
            "committees": committees,
            "board": data,
            "quota_form": QuotaForm(commendation=commendation) if runs else None,
            "today": today,
            "may_decide": commendation.status == Commendation.Status.NOTICE
            and commendation.notice_ends_on
            and today > commendation.notice_ends_on,
            "history": status_history(commendation),
        },
    )


@login_required
@require_POST
@checked_by(services.may_run, selectors.committees_nominating)
def quota_set(request: HttpRequest, pk: int) -> HttpResponse:
    commendation, runs, _committees = _commendation(request, pk)
    if not runs:
        return render(request, "403.html", status=403)
    form = QuotaForm(request.POST, commendation=commendation)
    if form.is_valid():
        try:
            services.quota_set(commendation=commendation, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _messages(request, exc)
        else:
            messages.success(request, _("The quota is saved."))
    else:
        messages.error(request, _("Check the quota."))
    return redirect("commendation:detail", pk)


@login_required
@require_GET
@checked_by(services.may_run, selectors.committees_nominating)
def candidates(request: HttpRequest, pk: int) -> HttpResponse:
    commendation, _runs, committees = _commendation(request, pk)
    if not committees:
        return render(request, "403.html", status=403)
    committee = committees[0]
    chosen = request.GET.get("committee", "")
    if chosen.isdigit():
        committee = next((c for c in committees if c.pk == int(chosen)), committee)
    return render(
        request,
        "assessments/commendation/candidates.html",
        {
            "commendation": commendation,
            "committee": committee,
            "committees": committees,
            "candidates": selectors.candidates(commendation=commendation, committee=committee),
            "worker_floor": selectors.worker_min_rating(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(services.may_run, selectors.committees_nominating)
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    commendation, _runs, committees = _commendation(request, pk)
    if not committees:
        return render(request, "403.html", status=403)
    initial = {
        key: request.GET[key]
        for key in ("committee", "kind", "organization", "member")
        if request.GET.get(key, "").isdigit() or (key == "kind" and request.GET.get(key) in HonourKind.values)
    }
    form = NominationForm(request.POST or None, request.FILES or None, committees=committees, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind = data["kind"]
        try:
            services.nominate(
                commendation=commendation,
                kind=kind,
                committee=data["committee"],
                by=request.user,
                deeds=data["deeds"],
                endorsement=data["endorsement"],
                organization=data["organization"] if kind == HonourKind.UNIT else None,
                member=None if kind == HonourKind.UNIT else data["member"],
                deeds_file=data.get("deeds_file") or None,
                request_key=data["request_key"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The nomination is recorded."))
            return redirect("commendation:detail", pk)
    return render(
        request, "assessments/commendation/nominate.html", {"commendation": commendation, "form": form}
    )


def _nomination(request: HttpRequest, pk: int) -> tuple[Nomination, bool, bool]:
    nomination = get_object_or_404(
        Nomination.objects.select_related(
            "commendation__root", "committee", "organization", "member__branch"
        ),
        pk=pk,
    )
    runs = services.may_run(user=request.user, commendation=nomination.commendation)
    nominates = services.may_nominate(user=request.user, committee=nomination.committee)
    if not runs and not nominates:
        raise Http404
    return nomination, runs, nominates


@login_required
@require_GET
@checked_by(services.may_run, services.may_nominate)
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    nomination, runs, nominates = _nomination(request, pk)
    commendation = nomination.commendation
    today = timezone.localdate()
    return render(
        request,
        "assessments/commendation/nomination.html",
        {
            "nomination": nomination,
            "commendation": commendation,
            "runs": runs,
            "nominates": nominates,
            "objections": list(nomination.objections.all()),
            "objection_form": ObjectionForm(initial={"received_on": today}) if runs else None,
            "resolve_form": ResolveForm() if runs else None,
            "decide_form": DecideForm() if runs else None,
            "may_decide": runs
            and commendation.status == Commendation.Status.NOTICE
            and commendation.notice_ends_on is not None
            and today > commendation.notice_ends_on,
            "history": list(nomination.history.select_related("history_user").order_by("-history_date")[:20]),
        },
    )


@login_required
@require_GET
@checked_by(services.may_run, services.may_nominate)
def nomination_file(request: HttpRequest, pk: int) -> HttpResponse:
    nomination, _runs, _nominates = _nomination(request, pk)
    if not nomination.deeds_file:
        raise Http404
    return FileResponse(
        nomination.deeds_file.open("rb"),
        as_attachment=True,
        filename=nomination.deeds_file.name.rsplit("/", 1)[-1],
    )


def _act(request: HttpRequest, action, success: str, target: str, pk: int) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, success)
    return redirect(target, pk)


@login_required
@require_POST
@checked_by(services.may_run, services.may_nominate)
def nomination_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    nomination, _runs, nominates = _nomination(request, pk)
    if not nominates:
        return render(request, "403.html", status=403)
    return _act(
        request,
        lambda: services.nomination_withdraw(nomination=nomination, by=request.user),
        _("The nomination is withdrawn."),
        "commendation:detail",
        nomination.commendation_id,
    )


@login_required
@require_POST
@checked_by(services.may_run, services.may_nominate)
def objection_new(request: HttpRequest, pk: int) -> HttpResponse:
    nomination, runs, _nominates = _nomination(request, pk)
    if not runs:
        return render(request, "403.html", status=403)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write down the objection and the day it was received."))
        return redirect("commendation:nomination", pk)
    return _act(
        request,
        lambda: services.objection_record(nomination=nomination, by=request.user, **form.cleaned_data),
        _("The objection is recorded."),
        "commendation:nomination",
        pk,
    )


@login_required
@require_POST
@checked_by(services.may_run)
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(
        NominationObjection.objects.select_related("nomination__commendation__root"), pk=pk
    )
    if not services.may_run(user=request.user, commendation=objection.nomination.commendation):
        raise Http404
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how the objection was looked into."))
        return redirect("commendation:nomination", objection.nomination_id)
    return _act(
        request,
        lambda: services.objection_resolve(objection=objection, by=request.user, **form.cleaned_data),
        _("The objection is resolved."),
        "commendation:nomination",
        objection.nomination_id,
    )


@login_required
@require_POST
@checked_by(services.may_run, services.may_nominate)
def nomination_decide(request: HttpRequest, pk: int) -> HttpResponse:
    nomination, runs, _nominates = _nomination(request, pk)
    if not runs:
        return render(request, "403.html", status=403)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the decision."))
        return redirect("commendation:nomination", pk)
    return _act(
        request,
        lambda: services.nomination_decide(nomination=nomination, by=request.user, **form.cleaned_data),
        _("The award decision is recorded."),
        "commendation:detail",
        nomination.commendation_id,
    )


@login_required
@require_POST
@checked_by(services.may_run, selectors.committees_nominating)
def notice_start(request: HttpRequest, pk: int) -> HttpResponse:
    commendation, runs, _committees = _commendation(request, pk)
    if not runs:
        return render(request, "403.html", status=403)
    return _act(
        request,
        lambda: services.notice_start(commendation=commendation, by=request.user),
        _("The public notice has started."),
        "commendation:detail",
        pk,
    )


@login_required
@require_POST
@checked_by(services.may_run, selectors.committees_nominating)
def commendation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    commendation, runs, _committees = _commendation(request, pk)
    if not runs:
        return render(request, "403.html", status=403)
    return _act(
        request,
        lambda: services.commendation_publish(commendation=commendation, by=request.user),
        _("The results are published."),
        "commendation:detail",
        pk,
    )


@require_GET
def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The 公示 moved to the public site (/open/commendations/<pk>/): links printed before keep working."""
    commendation = get_object_or_404(Commendation, pk=pk)
    return redirect("open_commendation:notice", commendation.pk, permanent=True)


def _awarded_rows(commendation: Commendation) -> list[list[object]]:
    rows = []
    for n in selectors.awarded(commendation=commendation):
        unit = (
            n.organization.display_name
            if n.organization_id
            else (n.member.branch.display_name if n.member.branch_id else "")
        )
        rows.append(
            [n.get_kind_display(), n.member.name if n.member_id else unit, unit, n.committee.display_name]
        )
    return rows


@login_required
@require_GET
@checked_by(services.may_run, selectors.committees_nominating)
def certificates(request: HttpRequest, pk: int) -> HttpResponse:
    commendation, runs, _committees = _commendation(request, pk)
    if not runs:
        return render(request, "403.html", status=403)
    return render(
        request,
        "assessments/commendation/certificates.html",
        {"commendation": commendation, "awarded": selectors.awarded(commendation=commendation)},
    )


@login_required
@require_GET
@checked_by(services.may_run, selectors.committees_nominating)
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    commendation, runs, _committees = _commendation(request, pk)
    if not runs:
        return render(request, "403.html", status=403)
    content = xlsx_bytes(
        [_("Honour"), _("Honoured"), _("Unit"), _("Nominating committee")],
        _awarded_rows(commendation),
        title=_("Honours"),
    )
    return xlsx_response(content, f"commendation-{commendation.year}.xlsx")
