"""Project-level middleware that belongs to no app."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse


class NulInQuery(SuspiciousOperation):
    """A query parameter with a NUL character (``?q=%00``)."""


class RejectNulInQueryMiddleware:
    """A NUL character in a query parameter is a 400 (handler400's Chinese page) before any view reads it.

    PostgreSQL refuses NUL in a string literal, so ``?q=%00`` on any page that filters by a parameter was a
    500 there (and passed on SQLite). Form fields already refuse NUL (Django's ProhibitNullCharactersValidator);
    query parameters are read by the views directly."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise NulInQuery("NUL character in the query string")
        return self.get_response(request)
