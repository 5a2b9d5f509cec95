"""Pages of 双述双评: raters (logged in or with a code), the secretaries' reports, and the campaign's
managers (rosters, codes, offline scores, participation, results and their comparison)."""

from __future__ import annotations


import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import sealing, throttle
from assessments.forms.ratings import (
    CampaignForm,
    CodeEntryForm,
    CodesForm,
    OfflineForm,
    ReportForm,
    RosterForm,
    SharesForm,
    default_window,
)
from assessments.models import BallotBox, OfflineScore, RaterEligibility, RatingCampaign, RatingTarget
from assessments.models.ratings import code_display
from assessments.selectors import ratings as selectors
from assessments.services import ratings as services
from branches.spreadsheets.export import Sheet, columns, flag, workbook_bytes, xlsx_response
from branches.models import Organization
from branches.access import checked_by, record_access
from branches.selectors import MANAGE_UNITS, organizations_with_permission


def _refused(
    request: HttpRequest, message: str, *, status: int = 200, code_form: bool = False
) -> HttpResponse:
    return render(
        request,
        "assessments/rate_refused.html",
        {"message": message, "code_form": CodeEntryForm() if code_form else None},
        status=status,
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    minutes = max(1, settings.RATING_THROTTLE_WINDOW // 60)
    response = _refused(
        request,
        _("Too many attempts from here. Please try again in %(minutes)d minutes.") % {"minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(settings.RATING_THROTTLE_WINDOW)
    return response


# --- the home of ratings --------------------------------------------------------------------------------


@login_required
@require_GET
@checked_by(selectors.campaigns_for_rater, selectors.campaigns_managed_by)
def rating_home(request: HttpRequest) -> HttpResponse:
    """What the user may rate, the reports the user writes as a secretary, the campaigns the user runs."""
    to_rate = list(selectors.campaigns_for_rater(user=request.user))
    my_targets = list(
        RatingTarget.objects.filter(user=request.user)
        .exclude(campaign__status__in=[RatingCampaign.Status.CLOSED, RatingCampaign.Status.AWAITING])
        .select_related("campaign", "organization")
    )
    managed = list(selectors.campaigns_managed_by(user=request.user).order_by("-year", "-opens_at"))
    may_create = (
        organizations_with_permission(user=request.user, codename=MANAGE_UNITS)
        .filter(kind__in=[Organization.Kind.UNIVERSITY, *Organization.SECONDARY_KINDS])
        .exists()
    )
    return render(
        request,
        "assessments/home.html",
        {
            "to_rate": to_rate,
            "my_targets": my_targets,
            "managed": managed,
            "may_create": may_create,
            "now": timezone.now(),
            "code_form": CodeEntryForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(organizations_with_permission)
def campaign_new(request: HttpRequest) -> HttpResponse:
    scopes = (
        organizations_with_permission(user=request.user, codename=MANAGE_UNITS)
        .filter(kind__in=[Organization.Kind.UNIVERSITY, *Organization.SECONDARY_KINDS], is_active=True)
        .order_by("path")
    )
    if not scopes.exists():
        raise PermissionDenied
    opens, closes = default_window()
    form = CampaignForm(
        request.POST or None,
        scopes=scopes,
        initial={
            "year": opens.year,
            "opens_at": opens,
            "closes_at": closes,
            "min_raters": settings.RATING_MIN_RATERS,
            "scale": RatingCampaign.Scale.GRADES,
            "name": _("%(year)d secretaries' reports: online rating") % {"year": opens.year},
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The campaign was created with %(n)d secretaries to rate.")
                % {"n": campaign.targets.count()},
            )
            return redirect("assessments:campaign", pk=campaign.pk)
    return render(request, "assessments/campaign_form.html", {"form": form})


# --- a campaign, for those who run it ------------------------------------------------------------------


@login_required
@require_GET
@record_access(selectors.campaigns_managed_by, to="campaign")
def campaign_detail(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    """Participation only (ballots per secretary, raters and codes per unit) for the targets and units the
    user manages; the results page opens once the campaign has closed."""
    targets = list(selectors.visible_targets(user=request.user, campaign=campaign))
    units = list(selectors.managed_units(user=request.user, campaign=campaign))
    ballots, unit_rows = selectors.participation(campaign=campaign, targets=targets, units=units)
    for target in targets:
        target.ballot_count = ballots.get(target.pk, 0)
    return render(
        request,
        "assessments/campaign_detail.html",
        {
            "campaign": campaign,
            "targets": targets,
            "unit_rows": unit_rows,
            "may_manage": selectors.campaign_may_manage(user=request.user, campaign=campaign),
            "results_visible": campaign.results_visible(),
            "accepts": campaign.accepts_ballots(),
            "is_over": campaign.is_over(),
            "awaits_trustees": campaign.awaits_trustees(),
            "server_custody": campaign.box.custody == BallotBox.Custody.SERVER,
            "dimensions": list(campaign.dimensions.all()),
        },
    )


@never_cache
@login_required
@require_POST
@record_access(selectors.campaigns_managed_by, to="campaign")
def campaign_publish(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    """Publish; in trustee custody the answer is the trustees' printable sheet, the only time the shares
    of the key exist (one page per trustee, the share as text and as a QR code)."""
    try:
        shares = services.campaign_publish(campaign=campaign, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:campaign", pk=campaign.pk)
    if not shares:
        messages.success(request, _("The campaign is published."))
        return redirect("assessments:campaign", pk=campaign.pk)
    sheet = [
        {"number": i, "share": sealing.share_display(share), "qr": _qr_data_uri(share)}
        for i, share in enumerate(shares, start=1)
    ]
    return render(
        request,
        "assessments/trustee_shares.html",
        {
            "campaign": campaign,
            "sheet": sheet,
            "threshold": campaign.box.threshold,
            "trustees": campaign.box.trustees,
        },
    )


@login_required
@require_POST
@record_access(selectors.campaigns_managed_by, to="campaign")
def campaign_close(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    closed = services.campaign_close(campaign=campaign, by=request.user)
    if closed.status == RatingCampaign.Status.CLOSED:
        messages.success(request, _("The campaign is closed; the results are open."))
    elif closed.status == RatingCampaign.Status.AWAITING:
        messages.success(
            request, _("The campaign is closed; the results open when the trustees enter their shares.")
        )
    return redirect("assessments:campaign", pk=campaign.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@record_access(
    selectors.campaigns_managed_by,
    allow=selectors.campaign_may_manage,
    refuse=PermissionDenied,
    to="campaign",
)
def campaign_open(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    """The trustees' count: at least the threshold of them type (or scan) their shares here, together; the
    portal rebuilds the key in memory, decrypts and tallies, and forgets the key."""
    if not campaign.awaits_trustees():
        raise Http404
    form = SharesForm(request.POST or None, trustees=campaign.box.trustees)
    if request.method == "POST" and form.is_valid():
        try:
            counted = services.campaign_results_open(campaign=campaign, shares=form.shares(), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The results are open: %(n)d ratings counted; the key is forgotten.") % {"n": counted},
            )
            return redirect("assessments:results", pk=campaign.pk)
    return render(
        request,
        "assessments/campaign_open.html",
        {"campaign": campaign, "form": form, "threshold": campaign.box.threshold},
        status=200 if not form.errors else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
@record_access(selectors.campaigns_managed_by, to="campaign")
def roster_import(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    units = selectors.managed_units(user=request.user, campaign=campaign)
    form = RosterForm(request.POST or None, request.FILES or None, units=units)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.rater_roster_import(
            campaign=campaign,
            unit=form.cleaned_data["unit"],
            data=upload.read(),
            filename=upload.name,
            by=request.user,
        )
        if report.ok:
            messages.success(
                request,
                _(
                    "Roster imported: %(added)d raters added, %(kept)d already on it, "
                    "%(accounts)d new accounts."
                )
                % {"added": report.added, "kept": report.kept, "accounts": report.accounts_created},
            )
            return redirect("assessments:campaign", pk=campaign.pk)
    return render(
        request,
        "assessments/roster_import.html",
        {
            "campaign": campaign,
            "form": form,
            "report": report,
            "columns": [
                services.COL_NUMBER,
                services.COL_NAME,
                services.COL_KIND,
                services.COL_UNIT,
                services.COL_PASSWORD,
            ],
        },
    )


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=2)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@record_access(selectors.campaigns_managed_by, to="campaign")
def codes_new(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    """Generate codes for a unit; the answer is the printable sheet, the only time the codes are shown."""
    units = selectors.managed_units(user=request.user, campaign=campaign)
    form = CodesForm(request.POST or None, units=units, maximum=settings.RATING_CODES_PER_BATCH)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            codes = services.codes_generate(
                campaign=campaign, unit=unit, count=form.cleaned_data["count"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            entry = request.build_absolute_uri(reverse("assessments:code_entry"))
            # The code rides in the fragment: browsers never send it, so no server or proxy logs it; the
            # entry page's script reads it and posts it in the body.
            sheet = [{"code": code_display(c), "qr": _qr_data_uri(f"{entry}#{c}")} for c in codes]
            return render(
                request,
                "assessments/code_sheet.html",
                {"campaign": campaign, "unit": unit, "sheet": sheet, "entry": entry},
            )
    return render(request, "assessments/codes_form.html", {"campaign": campaign, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@record_access(
    selectors.campaigns_managed_by,
    allow=selectors.campaign_may_manage,
    refuse=PermissionDenied,
    to="campaign",
)
def offline_scores(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    targets = list(
        RatingTarget.objects.filter(campaign=campaign)
        .select_related("organization")
        .order_by("organization__path")
    )
    lines: dict[int, list[str]] = {}
    for score in OfflineScore.objects.filter(target__campaign=campaign).order_by("target_id", "assessor"):
        lines.setdefault(score.target_id, []).append(f"{score.assessor} {score.score.normalize():f}")
    form = OfflineForm(
        request.POST or None, targets=targets, initial_lines={k: "\n".join(v) for k, v in lines.items()}
    )
    if request.method == "POST" and form.is_valid():
        parsed = {}
        for target in targets:
            try:
                parsed[target.pk] = services.offline_lines_parse(form.cleaned_data[f"target_{target.pk}"])
            except ValidationError as exc:
                form.add_error(f"target_{target.pk}", exc)
        if not form.errors:
            for target in targets:
                services.offline_scores_set(target=target, rows=parsed[target.pk], by=request.user)
            messages.success(request, _("The offline scores are saved."))
            return redirect("assessments:campaign", pk=campaign.pk)
    return render(request, "assessments/offline_form.html", {"campaign": campaign, "form": form})


def _results_or_404(request: HttpRequest, campaign: RatingCampaign):
    if not campaign.results_visible():
        raise Http404
    targets = list(selectors.visible_targets(user=request.user, campaign=campaign))
    return campaign, selectors.campaign_results(campaign=campaign, targets=targets)


@login_required
@require_GET
@record_access(selectors.campaigns_managed_by, to="campaign")
def campaign_results(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    """After the close: per secretary the online means (hidden below the minimum), the offline mean and
    the difference, large ones flagged; the rank correlation; a chart. Fixed queries (pinned in tests)."""
    campaign, results = _results_or_404(request, campaign)
    chart = {
        "names": [
            f"{r.target.organization.display_name} {r.target.name}"
            for r in results.rows
            if r.difference is not None
        ],
        "online": [r.overall for r in results.rows if r.difference is not None],
        "offline": [r.offline for r in results.rows if r.difference is not None],
        "online_label": _("Online mean"),
        "offline_label": _("Offline mean"),
    }
    return render(
        request, "assessments/results.html", {"campaign": campaign, "results": results, "chart": chart}
    )


@login_required
@require_GET
@record_access(selectors.campaigns_managed_by, to="campaign")
def campaign_results_export(request: HttpRequest, campaign: RatingCampaign) -> HttpResponse:
    """The comparison as xlsx: aggregates only, exactly what the results page shows."""
    campaign, results = _results_or_404(request, campaign)
    hidden = _("Fewer than %(n)d raters: not shown") % {"n": campaign.min_raters}
    spearman = round(results.spearman, 3) if results.spearman is not None else "—"
    sheet = Sheet(
        _("Online and offline compared"),
        columns(
            (_("Unit"), 30),
            (_("Secretary"), 10),
            (_("Online raters"), 10),
            *[(d.name, 10) for d in results.dimensions],
            (_("Online overall"), 10),
            (_("Offline raters"), 10),
            (_("Offline mean"), 10),
            (_("Difference (online − offline)"), 12),
            (_("Large difference"), 8),
            (_("Online rank"), 8),
            (_("Offline rank"), 8),
        ),
        [
            [
                r.target.organization.name,
                r.target.name,
                r.raters,
                *(r.by_dimension if r.shown else ["—"] * len(results.dimensions)),
                r.overall if r.shown else hidden,
                r.offline_count,
                r.offline,
                r.difference,
                flag(r.flagged),
                r.online_rank,
                r.offline_rank,
            ]
            for r in results.rows
        ],
        notes=[
            _("Rank correlation (Spearman): %(value)s, over %(n)d people compared")
            % {"value": spearman, "n": results.compared}
        ],
    )
    return xlsx_response(workbook_bytes([sheet]), f"ratings-{campaign.year}-{campaign.pk}.xlsx")


# --- the secretary's report -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(selectors.campaign_may_manage)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(RatingTarget.objects.select_related("campaign__scope", "organization"), pk=pk)
    if target.user_id != request.user.pk and not selectors.campaign_may_manage(
        user=request.user, campaign=target.campaign
    ):
        raise PermissionDenied
    form = ReportForm(
        request.POST or None, request.FILES or None, initial={"report_text": target.report_text}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_report_update(
                target=target,
                text=form.cleaned_data["report_text"],
                upload=form.cleaned_data["report_file"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your report is saved; raters read it before rating."))
            return redirect("assessments:home")
    return render(request, "assessments/report_form.html", {"target": target, "form": form})


@csrf_exempt  # a code holder's request carries the code in its body, the credential (as for rating)
@require_http_methods(["GET", "POST"])
@checked_by(selectors.visible_targets)
def report_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The report file, for the secretary, the campaign's managers, raters on the roster and code holders
    (a POST with ``code`` in the body — never in the URL, where logs would keep it) whose code covers this
    secretary."""
    target = get_object_or_404(RatingTarget.objects.select_related("campaign__scope", "organization"), pk=pk)
    if not target.report_file:
        raise Http404
    allowed = False
    user = request.user
    if user.is_authenticated:
        allowed = (
            target.user_id == user.pk
            or selectors.visible_targets(user=user, campaign=target.campaign).filter(pk=pk).exists()
            or services.targets_for_rater(campaign=target.campaign, rater=user).filter(pk=pk).exists()
        )
    if not allowed and request.method == "POST" and request.POST.get("code"):
        code = services.code_lookup(request.POST["code"])
        allowed = bool(
            code
            and code.campaign_id == target.campaign_id
            and target.organization.path in code.unit.ancestor_paths()
        )
    if not allowed:
        raise Http404
    return FileResponse(
        target.report_file.open("rb"),
        as_attachment=True,
        filename=target.report_file_name,
        content_type=target.report_content_type or "application/octet-stream",
    )


# --- rating: logged in ------------------------------------------------------------------------------------


def _dimension_context(campaign: RatingCampaign) -> dict:
    grades = [(key, RatingCampaign.GRADE_LABELS[key]) for key in RatingCampaign.GRADE_POINTS]
    return {
        "dimensions": list(campaign.dimensions.all()),
        "grades": grades,
        "points_scale": campaign.scale == RatingCampaign.Scale.POINTS,
    }


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(RaterEligibility)
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    """A rater on a roster rates the secretaries not yet rated, in one form. A second attempt is refused
    with a message (the ballot's unique constraint is the last guard)."""
    campaign = get_object_or_404(
        RatingCampaign.objects.select_related("box"),
        pk=pk,
        status__in=[
            RatingCampaign.Status.PUBLISHED,
            RatingCampaign.Status.AWAITING,
            RatingCampaign.Status.CLOSED,
        ],
    )
    if not RaterEligibility.objects.filter(campaign=campaign, user_id=request.user.pk).exists():
        raise Http404
    error = None
    if request.method == "POST":
        address = throttle.client_address(request)
        if not (
            throttle.hit("submit-user", str(request.user.pk), limit=settings.RATING_SUBMITS_PER_USER)
            and throttle.hit("submit-ip", address, limit=settings.RATING_SUBMITS_PER_IP)
        ):
            return _too_many(request)
        try:
            n = services.ballot_cast(campaign=campaign, rater=request.user, answers=request.POST)
        except services.RatingRefused as exc:
            error = str(exc)
        else:
            messages.success(
                request, _("Thank you: %(n)d secretaries rated. Your rating is anonymous.") % {"n": n}
            )
            return redirect("assessments:rate", pk=pk)
    targets = selectors.rater_targets(campaign=campaign, user=request.user)
    pending = [t for t in targets if not t.rated]
    return render(
        request,
        "assessments/rate.html",
        {
            "campaign": campaign,
            "targets": pending,
            "done": [t for t in targets if t.rated],
            "error": error,
            "accepts": campaign.accepts_ballots(),
            "answers": request.POST if error else {},
            "code": None,
            "server_custody": campaign.box.custody == BallotBox.Custody.SERVER,
            **_dimension_context(campaign),
        },
        status=409 if error else 200,
    )


# --- rating: with a code ------------------------------------------------------------------------------------


def _code_refused(request: HttpRequest, obj, *, address: str) -> HttpResponse | None:
    """Why a code holder gets no rating form (unknown, used, not open), or None."""
    if obj is None:
        throttle.hit("code-fail", address, limit=settings.RATING_CODE_FAILURES_PER_IP)
        return _refused(
            request,
            _("This rating code is not valid. Check it and type it again."),
            status=404,
            code_form=True,
        )
    campaign = obj.campaign
    if obj.used:
        return _refused(
            request, _("This rating code has already been used; each code works once."), status=409
        )
    if not campaign.accepts_ballots():
        return _refused(
            request,
            _("The rating is closed.")
            if timezone.now() >= campaign.closes_at
            else _("The rating has not opened yet."),
        )
    return None


@csrf_exempt  # the code in the body is the credential, not a cookie: a forged request would need the code
@never_cache
@require_http_methods(["GET", "POST"])
def code_entry(request: HttpRequest) -> HttpResponse:
    """Rating with a code, on one URL that never carries the code (issue 16): GET is the entry form (the
    QR's link puts the code in the fragment, which the page's script types in and sends); a POST with the
    code shows the rating form; a POST with the code and ``step=rate`` casts. The code travels only in
    request bodies, so neither the access log nor Django's request warnings ever contain one.

    Throttled per address: wrong codes (guessing is hopeless with 80 bits, but still) and submissions."""
    address = throttle.client_address(request)
    failures = ("code-fail", settings.RATING_CODE_FAILURES_PER_IP)
    if request.method == "GET":
        return render(request, "assessments/code_entry.html", {"form": CodeEntryForm()})
    form = CodeEntryForm(request.POST)
    if not form.is_valid():
        return render(request, "assessments/code_entry.html", {"form": form})
    code = form.cleaned_data["code"]
    error = None
    if request.POST.get("step") == "rate":
        # The hot path: one Redis round trip (wrong codes so far, this submission counted), then the service
        # claims the code itself; nothing else is read first.
        if not throttle.gate(
            address, blocked=failures, counted=("submit-ip", settings.RATING_SUBMITS_PER_IP)
        ):
            return _too_many(request)
        try:
            services.code_ballot_cast(code=code, answers=request.POST)
        except services.RatingRefused as exc:
            if exc.reason == "invalid_code":
                throttle.hit("code-fail", address, limit=settings.RATING_CODE_FAILURES_PER_IP)
                return _refused(request, str(exc), status=404, code_form=True)
            if exc.reason in ("already", "closed"):
                return _refused(request, str(exc), status=409)
            error = str(exc)
        else:
            return redirect("assessments:code_done")
    elif throttle.over(*failures[:1], address, limit=failures[1]):
        return _too_many(request)
    obj = services.code_lookup(code)
    if (refused := _code_refused(request, obj, address=address)) is not None:
        return refused
    return render(
        request,
        "assessments/rate.html",
        {
            "campaign": obj.campaign,
            "targets": selectors.code_targets(code=obj),
            "done": [],
            "error": error,
            "accepts": True,
            "answers": request.POST if error else {},
            "code": code,
            "server_custody": obj.campaign.box.custody == BallotBox.Custody.SERVER,
            **_dimension_context(obj.campaign),
        },
        status=409 if error else 200,
    )


@require_GET
def code_done(request: HttpRequest) -> HttpResponse:
    return render(request, "assessments/code_done.html")


# --- benchmarks only (BENCH_ENDPOINTS) ------------------------------------------------------------------------


@csrf_exempt
@require_POST
def bench_bare_write(request: HttpRequest, code: str) -> HttpResponse:
    """The ceiling for bench/ratings.py (issue 16): the two rows a one-secretary rating writes (the
    participation ballot and one ciphertext of the real size) in one transaction, with no lookup,
    validation, sealing or throttle. Mounted only with BENCH_ENDPOINTS."""
    import os
    import uuid

    from django.db import transaction

    from assessments.models import Ballot, SealedBallot

    campaign_id, target_id = int(request.GET["campaign"]), int(request.GET["target"])
    box_id = int(request.GET["box"])
    with transaction.atomic():
        Ballot.objects.create(
            id=uuid.uuid4(), campaign_id=campaign_id, target_id=target_id, code_id=int(code)
        )
        SealedBallot.objects.create(box_id=box_id, ciphertext=os.urandom(sealing.SEALED_SIZE))
    return HttpResponse("ok", content_type="text/plain")
