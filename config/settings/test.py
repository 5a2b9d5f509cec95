"""Test settings: the base settings with a fast hasher, eager tasks and a file-backed SQLite test DB."""

import os
import re
from pathlib import Path

# Under pytest-xdist (`make test` runs two workers, issue 17.4) each worker has its own var/ (the SQLite test
# database, the filesystem broker, the media files) and its own Redis database, so the two never flush or
# read each other's keys; pytest-django gives each its own PostgreSQL test database. Set in the environment
# before the base settings read it, so the processes a test starts (a Celery worker, gunicorn) inherit it;
# PORTAL_TEST_WORKER keeps those processes from nesting a second worker directory.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("PORTAL_TEST_WORKER") != _worker:
    os.environ["PORTAL_TEST_WORKER"] = _worker
    _index = int(_worker.removeprefix("gw") or 0)
    _base = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parents[2] / "var")
    os.environ["VAR_DIR"] = str(_base / f"worker-{_worker}")
    if _redis := os.environ.get("REDIS_URL", ""):
        _db = re.search(r"/(\d+)$", _redis)
        _number = (int(_db.group(1)) if _db else 0) + _index
        os.environ["REDIS_URL"] = (_redis[: _db.start()] if _db else _redis.rstrip("/")) + f"/{_number % 16}"

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import DATABASES, VAR_DIR  # noqa: E402

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

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with a flush between transactional tests of DELETEs instead of a TRUNCATE of every table
    # (tests/postgresql/base.py: 0.8–1.3 s → 0.02–0.05 s a flush).
    DATABASES["default"]["ENGINE"] = "tests.postgresql"
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
