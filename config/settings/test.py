"""Test settings: the base settings with a fast hasher, eager tasks and a file-backed SQLite test DB."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tasks run inline unless a test starts a real worker (tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
# WhiteNoise warns when STATIC_ROOT is missing; tests serve static files through the finders.
(VAR_DIR / "static").mkdir(exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a real Celery worker process can open the same test database.
    # One file per test process, so two runs on one machine never share (or delete) each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-portal-{os.getpid()}.sqlite3")}
# A write's dashboard refresh runs at once (eager) instead of being folded into one a few seconds later.
FIGURES_DEBOUNCE_SECONDS = 0
# Tests build their own posts and units in rolled-back transactions that leave the publish generation
# alone: a comparison cached by one test must not answer the next (tests/test_pages_flat_subtree.py turns it on).
BENCHMARK_CACHE_SECONDS = 0
# The query counts pinned by the tests include the session's read, whichever cache CI runs with.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
