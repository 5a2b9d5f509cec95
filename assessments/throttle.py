"""Fixed-window counters in the cache (Redis in production), shared by every app server.

On Redis one MULTI/EXEC does INCR and EXPIRE NX (the window starts with the first event); elsewhere
``cache.add`` creates the counter with its expiry only if it is missing and ``cache.incr`` is atomic under
the local-memory cache's lock. Either way concurrent requests never lose a count.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

PREFIX = "ratings:throttle"


def client_address(request: HttpRequest) -> str:
    """The client's address as django-axes sees it (the same PROXY_COUNT setting), else REMOTE_ADDR."""
    count = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def _key(kind: str, who: str) -> str:
    return f"{PREFIX}:{kind}:{who}"


def hit(kind: str, who: str, *, limit: int, window: int | None = None) -> bool:
    """Count one event; False when this event is over ``limit`` in the current window."""
    key = _key(kind, who)
    timeout = window or settings.RATING_THROTTLE_WINDOW
    current = caches["default"]  # the backend itself (``cache`` is a proxy)
    if isinstance(current, RedisCache):
        # One round trip: INCR and EXPIRE NX in a MULTI/EXEC (cache.add + cache.incr would take three).
        redis_key = current.make_and_validate_key(key)
        pipe = current._cache.get_client(redis_key, write=True).pipeline()
        pipe.incr(redis_key)
        pipe.expire(redis_key, timeout, nx=True)
        count = pipe.execute()[0]
        return count <= limit
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this event starts a new window
        cache.add(key, 1, timeout=timeout)
        count = 1
    return count <= limit


def over(kind: str, who: str, *, limit: int) -> bool:
    """Whether ``who`` is already over ``limit`` (without counting)."""
    return (cache.get(_key(kind, who)) or 0) >= limit


def gate(who: str, *, blocked: tuple[str, int], counted: tuple[str, int]) -> bool:
    """``not over(*blocked) and hit(*counted)`` for one client, in one Redis round trip: the code channel's
    POST checks the wrong-code counter and counts the submission together."""
    blocked_kind, blocked_limit = blocked
    counted_kind, counted_limit = counted
    current = caches["default"]
    if not isinstance(current, RedisCache):
        return not over(blocked_kind, who, limit=blocked_limit) and hit(
            counted_kind, who, limit=counted_limit
        )
    blocked_key = current.make_and_validate_key(_key(blocked_kind, who))
    counted_key = current.make_and_validate_key(_key(counted_kind, who))
    pipe = current._cache.get_client(counted_key, write=True).pipeline()
    pipe.get(blocked_key)
    pipe.incr(counted_key)
    pipe.expire(counted_key, settings.RATING_THROTTLE_WINDOW, nx=True)
    failures, count, _expiry = pipe.execute()
    return int(failures or 0) < blocked_limit and count <= counted_limit
