"""The public pages' cache: one *publish generation* shared by every process, and a function that other
apps call when something on a unit's public page changed.

Every cached public page is stored with the generation it was rendered under; a page is served from the
cache only while the shared generation is unchanged. Publishing (or anything that changes what a public
page shows) replaces the generation with a new random token once the transaction commits, so every process
re-renders on its next request. A random token (not a counter) means a flushed Redis can never make an old
entry look current again.

Where the generation lives: in the default cache when that is shared (Redis), otherwise (the embedded
default, local-memory cache, gunicorn with several workers) in a small file under ``VAR_DIR`` that every
process on the machine reads.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "disclosure:public-generation"


def _shared_cache() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def _generation_file() -> Path:
    return Path(settings.VAR_DIR) / "public-generation"


def public_generation() -> str:
    """The current generation token: one cache GET (or one small file read). 'none' before any publish."""
    if _shared_cache():
        return cache.get(GENERATION_KEY) or "none"
    try:
        return _generation_file().read_text(encoding="ascii") or "none"
    except FileNotFoundError:
        return "none"


def _bump() -> None:
    token = uuid.uuid4().hex
    if _shared_cache():
        cache.set(GENERATION_KEY, token, None)
        return
    path = _generation_file()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(token, encoding="ascii")
    os.replace(tmp, path)  # atomic: a reader sees the old token or the new one, never half of it


def public_pages_invalidate(*, organization=None) -> None:
    """Drop the cached public pages once the current transaction commits (at once outside one).

    Call it whenever something a public page shows has changed: a post published, edited or withdrawn, a
    showcase block of another app (``disclosure.showcase``) approved. ``organization`` names the unit for
    the reader; the index and the benchmark show every unit, so the whole public site is invalidated.
    """
    transaction.on_commit(_bump)


def public_pages_reset(sender=None, **kwargs) -> None:
    """post_migrate receiver: a migrated or flushed database (tests) makes every cached page stale."""
    _bump()
