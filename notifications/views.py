"""Pages of the notifications app: a person's own settings, and the 组织部's outbox (every digest's
deliveries with their outcome)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import checked_by
from notifications import channels, selectors, services
from notifications.forms import OutboxFilterForm, PreferenceForm

OUTBOX_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(selectors.preference_of)
def preferences(request: HttpRequest) -> HttpResponse:
    """How the signed-in person is reached: channels, addresses, quiet hours."""
    current = selectors.preference_of(user=request.user)
    form = PreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        offered = channels.available()
        services.preference_save(
            user=request.user,
            email=data.get("email", False) if "email" in offered else bool(current and current.email),
            wecom=data.get("wecom", False) if "wecom" in offered else bool(current and current.wecom),
            sms=data.get("sms", False) if "sms" in offered else bool(current and current.sms),
            wecom_user_id=data["wecom_user_id"],
            phone=data["phone"],
            quiet_from=data["quiet_from"],
            quiet_until=data["quiet_until"],
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "sending": channels.sending(),
            "email_address": request.user.email,
            "outbox": selectors.outbox_universities(user=request.user).exists(),
        },
    )


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise Http404
    return int(raw)


@login_required
@require_GET
@checked_by(selectors.outbox_universities)
def outbox(request: HttpRequest) -> HttpResponse:
    """Every delivery of the universities this 组织部 officer runs, newest first, 50 a page."""
    if not selectors.outbox_universities(user=request.user).exists():
        raise PermissionDenied
    filters = OutboxFilterForm(request.GET)
    if not filters.is_valid():
        raise Http404
    deliveries = selectors.outbox_deliveries(
        user=request.user, status=filters.cleaned_data["status"], channel=filters.cleaned_data["channel"]
    )
    try:
        page = Paginator(deliveries, OUTBOX_PAGE_SIZE).page(_page_number(request))
    except EmptyPage as exc:
        raise Http404 from exc
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "notifications/outbox.html",
        {
            "page": page,
            "filters": filters,
            "sending": channels.sending(),
            "query": query.urlencode(),
        },
    )


@login_required
@require_GET
@checked_by(selectors.outbox_delivery)
def outbox_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    """One delivery: the message as written, and every try with the channel's answer."""
    delivery = selectors.outbox_delivery(user=request.user, pk=pk)
    if delivery is None:
        if not selectors.outbox_universities(user=request.user).exists():
            raise PermissionDenied
        raise Http404
    return render(request, "notifications/delivery.html", {"delivery": delivery})
