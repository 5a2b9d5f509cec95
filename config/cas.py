"""Campus sign-on (统一身份认证, CAS) through django-cas-ng, and the local passwords beside it (issue 20).

CAS is off unless ``CAS_SERVER_URL`` is set: then the sign-in page offers the university's sign-on first and
keeps the password form for administrators (``CAS_LOCAL_PASSWORDS``). A CAS login names a person by their
campus number (工号 / 学号); ``members.services.campus_sign_on`` finds or links their account. Signing out of
a session that came through CAS signs out of the CAS server too, and the server's single sign-out request
(a POST of ``logoutRequest`` to the service URL) ends the portal's session.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django_cas_ng import views as cas_views
from django_cas_ng.backends import CASBackend
from django_cas_ng.models import SESSION_KEY_MAXLENGTH, SessionTicket
from django_cas_ng.utils import get_cas_client

from members.services.accounts import campus_sign_on


def cas_enabled() -> bool:
    return bool(settings.CAS_SERVER_URL)


def _first(value) -> str:
    """CAS 3 attributes arrive as a string, or as a list when the server sends the attribute twice."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "").strip()


class CampusCASBackend(CASBackend):
    """Validates the service ticket with the CAS server, then hands the campus number and the mapped
    attributes to ``campus_sign_on``: no account is created here for someone who is not on file."""

    def authenticate(
        self, request: HttpRequest | None, ticket: str | None = None, service: str | None = None, **kwargs
    ):
        if not ticket or not service or not cas_enabled():
            return None  # a password login passes through here too
        client = get_cas_client(service_url=service, request=request)
        number, attributes, _pgtiou = client.verify_ticket(ticket)
        attributes = attributes or {}
        if settings.CAS_USERNAME_ATTRIBUTE != "cas:user":
            number = _first(attributes.get(settings.CAS_USERNAME_ATTRIBUTE))
        if not number:
            return None
        user = campus_sign_on(
            number=_first(number),
            name=_first(attributes.get(settings.CAS_ATTRIBUTE_NAME)) if settings.CAS_ATTRIBUTE_NAME else "",
            email=_first(attributes.get(settings.CAS_ATTRIBUTE_EMAIL))
            if settings.CAS_ATTRIBUTE_EMAIL
            else "",
        )
        return user if self.user_can_authenticate(user) else None


class LocalPasswordBackend(ModelBackend):
    """The password form. With CAS configured and ``CAS_LOCAL_PASSWORDS = "staff"`` (the default) only
    administrators (staff) keep it: everyone else signs on through the university, so no one else has a
    password to remember or to lose."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if cas_enabled() and settings.CAS_LOCAL_PASSWORDS == "staff":
            return user.is_staff or user.is_superuser
        return True


class PortalLoginView(auth_views.LoginView):
    """The sign-in page: the university's sign-on first where it is configured, the password form below."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cas_enabled"] = cas_enabled()
        context["cas_local_staff_only"] = cas_enabled() and settings.CAS_LOCAL_PASSWORDS == "staff"
        return context


class CampusLoginView(cas_views.LoginView):
    """django-cas-ng's login: to the CAS server and back with a ticket; also receives the server's single
    sign-out POST. A valid campus login that matches no one gets a page saying whom to ask, not a bare 403."""

    @method_decorator(csrf_exempt)  # the CAS server's single sign-out POST carries no CSRF token
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not cas_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        # django-cas-ng redirects to ?next= after the login unchecked: only a page of this site is kept.
        next_page = request.GET.get("next")
        if next_page and not url_has_allowed_host_and_scheme(
            next_page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            query = request.GET.copy()
            query["next"] = settings.CAS_REDIRECT_URL
            request.GET = query
        try:
            return super().get(request)
        except PermissionDenied:
            return render(request, "registration/cas_refused.html", status=403)


class PortalLogoutView(auth_views.LogoutView):
    """Sign-out. A session that came through CAS signs out of the CAS server as well (CAS_LOGOUT_COMPLETELY),
    so the next person at a shared computer is asked for their own campus password."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = (request.session.session_key or "")[:SESSION_KEY_MAXLENGTH]
        if cas_enabled() and key and SessionTicket.objects.filter(session_key=key).exists():
            return cas_views.LogoutView.as_view()(request)
        return super().post(request, *args, **kwargs)
