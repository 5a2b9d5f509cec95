"""Project-level views that belong to no app: the healthcheck, the password reset and the error pages'
handlers."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the proxy and the process manager: answers without touching the database.

    It goes through the whole middleware stack, so the benchmarks under ``bench/`` also use it as the
    "minimal view" that every page's throughput is compared with.
    """
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400, in Chinese. A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (Django reports it as a
    400); a form over DATA_UPLOAD_MAX_NUMBER_FIELDS (or _FILES) says so, since nothing else tells the writer
    why their minutes were not saved."""
    if isinstance(exception, RequestDataTooBig):
        limit_mb = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // (1024 * 1024)
        return render(request, "413.html", {"limit_mb": limit_mb}, status=413)
    too_many = isinstance(exception, TooManyFieldsSent | TooManyFilesSent)
    return render(request, "400.html", {"too_many_fields": too_many}, status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the Chinese 403 page instead of Django's English one (a form left open past its
    session, or cookies blocked)."""
    return render(request, "403.html", {"csrf_failed": True}, status=403)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, in Chinese, where mail is configured (PASSWORD_RESET_BY_MAIL). It answers the
    same whether or not the address belongs to an account (no one learns who has one); only active accounts
    with a local password get a mail. Each address may ask PASSWORD_RESETS_PER_HOUR times an hour."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.PASSWORD_RESET_BY_MAIL:
            return render(request, "registration/password_reset_unavailable.html")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        from assessments.throttle import client_address, hit

        if not hit(
            "password-reset",
            client_address(self.request),
            limit=settings.PASSWORD_RESETS_PER_HOUR,
            window=3600,
        ):
            response = render(
                self.request,
                "registration/password_reset_form.html",
                {"form": form, "throttled": True},
                status=429,
            )
            response["Retry-After"] = "3600"
            return response
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's, except that a link that opens nothing (used, expired, cut short, or naming no account)
    answers 404 with the page that says so, as any other address that names nothing does."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(
            request, *args, **kwargs
        )  # an invalid link is rendered by dispatch itself
        if not getattr(self, "validlink", False) and response.status_code == 200:
            response.status_code = 404
        return response
