"""Serve anonymous visitors' public pages from a per-process copy, before the rest of the middleware runs.

A page cached the plain way (Redis, ``cache_page``) still runs sessions, authentication, CSRF, messages,
CSP, axes and history for every request, plus the Redis round-trip for the page itself: about 45 % of the
minimal view's throughput. This middleware sits first in MIDDLEWARE and answers a GET of a public page
by a visitor without a session cookie from memory, after one check of the shared publish generation
(``disclosure.public_cache``). What it serves is exactly what the full stack produced for such a visitor
(same status, body and headers: Content-Type, CSP, security headers, Vary), plus an ETag so a browser's
revalidation gets a 304.

It stores only what is safe to share: status 200, no cookies set, no CSP nonce in the header (public
pages have no inline script), not streamed. Logged-in visitors (a session cookie) always take the full
stack, because they may see items for members of the university.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from disclosure.public_cache import public_generation

PREFIX = "/open/"
NOT_CACHED = ("/open/search/",)


class _Entry:
    __slots__ = ("generation", "content", "headers", "etag")

    def __init__(self, generation: str, content: bytes, headers: list[tuple[str, str]], etag: str):
        self.generation = generation
        self.content = content
        self.headers = headers
        self.etag = etag


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = getattr(settings, "PUBLIC_PAGE_CACHE", True)
        self.max_entries = getattr(settings, "PUBLIC_PAGE_CACHE_ENTRIES", 1000)
        self.recheck = getattr(settings, "PUBLIC_PAGE_CACHE_RECHECK_SECONDS", 0.0)
        self.entries: OrderedDict[str, _Entry] = OrderedDict()
        self.lock = threading.Lock()
        self._generation = ("", 0.0)  # (token, when read), for the optional recheck interval

    # -- which requests ---------------------------------------------------------------------------------
    def _key(self, request: HttpRequest) -> str | None:
        if not self.enabled or request.method != "GET":
            return None
        path = request.path
        if not path.startswith(PREFIX) or path.startswith(NOT_CACHED) or "/files/" in path:
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return None
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None  # SecurityMiddleware redirects this one
        try:
            host = request.get_host()  # validates ALLOWED_HOSTS like the full stack would
        except DisallowedHost:
            return None
        return f"{request.scheme}://{host}{request.get_full_path()}"

    def _current_generation(self) -> str:
        if self.recheck <= 0:
            return public_generation()
        token, read_at = self._generation
        now = time.monotonic()
        if now - read_at >= self.recheck:
            token = public_generation()
            self._generation = (token, now)
        return token

    # -- the request ------------------------------------------------------------------------------------
    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        generation = self._current_generation()
        entry = self.entries.get(key)
        if entry is not None and entry.generation == generation:
            return self._serve(request, entry)
        response = self.get_response(request)
        if self._storable(response):
            self._store(key, generation, response)
        return response

    def _serve(self, request: HttpRequest, entry: _Entry) -> HttpResponse:
        if request.META.get("HTTP_IF_NONE_MATCH") == entry.etag:
            response = HttpResponseNotModified()
            for name, value in entry.headers:
                if name.lower() not in ("content-type", "content-length"):
                    response[name] = value
            return response
        response = HttpResponse(entry.content)
        for name, value in entry.headers:
            response[name] = value
        return response

    @staticmethod
    def _storable(response: HttpResponse) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
            return False
        return "nonce-" not in response.get("Content-Security-Policy", "")

    def _store(self, key: str, generation: str, response: HttpResponse) -> None:
        content = response.content
        etag = '"' + hashlib.md5(content, usedforsecurity=False).hexdigest() + '"'
        response["ETag"] = etag
        headers = [(name, value) for name, value in response.items()]
        with self.lock:
            self.entries[key] = _Entry(generation, content, headers, etag)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
