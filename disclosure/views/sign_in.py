"""QR sign-in at meetings (issue 20): the secretary's screen with the rotating code, and the page a member's
phone opens from it (signed on first, through the password form or the university's CAS)."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from branches.access import checked_by
from disclosure.models import Meeting
from disclosure.selectors import meeting_may_edit
from disclosure.services.sign_in import (
    SignInRefused,
    meeting_sign_in,
    sign_in_token,
    sign_in_token_check,
    sign_in_window,
    signed_in_members,
)

__all__ = ["meeting_sign_in_code", "meeting_sign_in_page"]


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("organization"), pk=pk)


@login_required
@require_GET
@checked_by(meeting_may_edit)
def meeting_sign_in_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The code to show on the secretary's phone. The page asks for a fresh code every few seconds (htmx),
    so the one on screen is always the current one."""
    meeting = _meeting(pk)
    if not meeting_may_edit(user=request.user, meeting=meeting):
        raise PermissionDenied
    now = timezone.now()
    window = sign_in_window(meeting=meeting)
    link = request.build_absolute_uri(
        reverse(
            "disclosure:sign_in", kwargs={"pk": meeting.pk, "token": sign_in_token(meeting=meeting, now=now)}
        )
    )
    context = {
        "meeting": meeting,
        "unit": meeting.organization,
        "window": window,
        "is_open": window.holds(now),
        "link": link,
        "qr": segno.make(link, error="m").svg_data_uri(scale=6, border=2),
        "signed_count": len(signed_in_members(meeting=meeting)),
        "refresh_seconds": max(5, min(20, settings.MEETING_SIGN_IN_ROTATE_SECONDS // 2)),
    }
    template = "disclosure/sign_in_code.html#code" if request.htmx else "disclosure/sign_in_code.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
@checked_by(sign_in_token_check, meeting_sign_in)
def meeting_sign_in_page(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """A member's phone, from the code: GET checks the code and shows the button, POST signs in."""
    meeting = _meeting(pk)
    context = {"meeting": meeting, "unit": meeting.organization, "token": token}
    try:
        if request.method == "POST":
            sign_in, created = meeting_sign_in(meeting=meeting, user=request.user, token=token)
            context.update(sign_in=sign_in, created=created)
            return render(request, "disclosure/sign_in_done.html", context)
        sign_in_token_check(meeting=meeting, token=token)
    except SignInRefused as refusal:
        context["refusal"] = str(refusal)
        return render(request, "disclosure/sign_in_page.html", context, status=403)
    return render(request, "disclosure/sign_in_page.html", context)
