"""Settings for every environment, read from environment variables (see README "Configuration").

No variables set gives the embedded default: SQLite (WAL) and media under var/, a filesystem Celery
broker under var/, local-memory cache. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# Production sits behind TLS; the embedded default serves plain HTTP on localhost.
HTTPS = env_bool("HTTPS", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
        return key
    if HTTPS:
        raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) when HTTPS is on.")
    # Embedded default: one random key per installation, kept under var/ so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        # make run starts collectstatic and migrate side by side on a fresh clone: the key is written whole
        # under a private name and linked into place, so the first process wins and none reads half a key.
        draft = key_file.with_name(f"secret_key.{secrets.token_hex(8)}")
        draft.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        draft.chmod(0o600)
        try:
            key_file.hardlink_to(draft)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: moved into place whole, the last one wins
            draft.replace(key_file)
        finally:
            draft.unlink(missing_ok=True)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The Chinese 403 page when a form comes back without its token (Django's own page is in English).
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "guardian",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    # Its service tickets, for the CAS server's single sign-out (issue 20).
    "django_cas_ng",
    "branches",
    "members",
    "disclosure",
    "assessments",
    "projects",
    "notifications",
]

MIDDLEWARE = [
    # First: answers anonymous GETs of the public pages (/open/) from memory until something is published.
    "disclosure.middleware.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # ?q=%00 is a 400 before a view hands it to PostgreSQL (which refuses NUL: a 500).
    "config.middleware.RejectNulInQueryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the authentication outcome of every view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    except Exception as exc:  # dj-database-url raises several types for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if _db.get("ENGINE") not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(
            "DATABASE_URL must point to PostgreSQL (postgres://) or SQLite (sqlite:///)."
        )
    _db["CONN_HEALTH_CHECKS"] = True
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "portal.sqlite3"}

if _db["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker share the file: WAL lets readers run beside one writer,
    # IMMEDIATE takes the write lock up front and the timeout waits for it instead of failing.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://.")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    # A task taken by a worker that dies is redelivered once this many seconds have passed since it was
    # taken: longer than the longest task (the daily step takes seconds on the demo) and the longest
    # countdown (a few seconds: the figures' debounce), or a running task is delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=10),
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _queue_dir = VAR_DIR / "celery" / "queue"
    _control_dir = VAR_DIR / "celery" / "control"  # kombu's default is ./control in the working directory
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _control_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    # kombu's filesystem transport loses the task of a worker killed mid-task; ours keeps a taken message's
    # file until it is acknowledged and puts back those of dead workers (config/broker.py).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
        "unacked_folder": str(VAR_DIR / "celery" / "unacked"),
        "store_processed": False,
    }

CELERY_TASK_IGNORE_RESULT = True
# Every task is idempotent (STYLE §9), so a task is acknowledged after it ran, not before, and a worker
# that dies mid-task (SIGKILL, OOM, power cut) leaves it to be redelivered: at least once, never lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a prefork child killed mid-task: requeued, not acknowledged
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a dying worker holds one message, not four
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Authentication -------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Passwords: everyone without CAS; with CAS, administrators only (CAS_LOCAL_PASSWORDS).
    "config.cas.LocalPasswordBackend",
    # The university's sign-on (issue 20): only answers a service ticket, and only with CAS_SERVER_URL set.
    "config.cas.CampusCASBackend",
    "guardian.backends.ObjectPermissionBackend",
]

# --- Campus sign-on (统一身份认证, CAS; issue 20) ----------------------------------------------------------
# Unset CAS_SERVER_URL: no CAS, the password form only (the embedded default, `make run`).
CAS_SERVER_URL = env_str("CAS_SERVER_URL", "") or None  # e.g. https://cas.example.edu.cn/cas/
CAS_VERSION = env_str("CAS_VERSION", "3")
# The login name is the campus number (工号 / 学号): CAS's <cas:user>, or an attribute that carries it.
CAS_USERNAME_ATTRIBUTE = env_str("CAS_USERNAME_ATTRIBUTE", "cas:user")
# Attributes copied to a new or unnamed account where the server sends them ("" to ignore one).
CAS_ATTRIBUTE_NAME = env_str("CAS_ATTRIBUTE_NAME", "cn")
CAS_ATTRIBUTE_EMAIL = env_str("CAS_ATTRIBUTE_EMAIL", "mail")
# "staff": with CAS on, only administrators keep a password; "all": everyone keeps theirs too.
CAS_LOCAL_PASSWORDS = env_str("CAS_LOCAL_PASSWORDS", "staff")
if CAS_LOCAL_PASSWORDS not in ("staff", "all"):
    raise ImproperlyConfigured("CAS_LOCAL_PASSWORDS must be 'staff' or 'all'.")
# A campus number on no member and no account: refused (default), or given an account with no role.
CAS_CREATE_UNKNOWN = env_bool("CAS_CREATE_UNKNOWN", False)
# The portal's public address, when a proxy hides it (the service URL the CAS server redirects back to).
CAS_ROOT_PROXIED_AS = env_str("CAS_ROOT_PROXIED_AS", "") or None
CAS_VERIFY_SSL_CERTIFICATE = True
CAS_CREATE_USER = False  # config.cas.CampusCASBackend links or creates accounts itself
CAS_LOGOUT_COMPLETELY = True  # signing out of the portal signs out of the CAS server too
CAS_LOGOUT_NEXT_PAGE = "/accounts/login/"
CAS_REDIRECT_URL = "/"
CAS_IGNORE_REFERER = True
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
CAS_ADMIN_REDIRECT = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Mail (issue 16.6: password reset; the notifications app sends through the same settings) -------------
# Unset EMAIL_HOST: the portal sends no mail, and /accounts/password_reset/ says to ask the secretary.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")  # or EMAIL_HOST_PASSWORD_FILE
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "party-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.dummy.EmailBackend"
)
PASSWORD_RESET_BY_MAIL = env_bool("PASSWORD_RESET_BY_MAIL", bool(EMAIL_HOST))
# Reset requests per address per hour (each may send a mail): beyond it the page answers 429.
PASSWORD_RESETS_PER_HOUR = env_int("PASSWORD_RESETS_PER_HOUR", 5, minimum=1)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_HOURS", 24, minimum=1) * 3600

# A campus sits behind NAT: locking by address alone would shut out a whole dormitory.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)
# Without django-ipware axes would read REMOTE_ADDR (the proxy's address behind nginx), so a lockout would hit
# the user from every address: it takes the client's address by the same PROXY_COUNT rule as the throttles
# (found by deploy/try_local.sh).
AXES_CLIENT_IP_CALLABLE = "assessments.throttle.client_address"

GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors hold no object permissions

# django-import-export: only users holding the model's add / view permission see import / export.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
MEMBER_IMPORT_MAX_BYTES = env_int("MEMBER_IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
MEMBER_IMPORT_MAX_ROWS = env_int("MEMBER_IMPORT_MAX_ROWS", 50_000, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields only; files stream to disk past 5 MB
# Django's 1,000 stopped a meeting form of more than ~490 people (two fields each) with a bare 400. The
# form's script now sends only the rows that are not "present"; this leaves a browser without it room for
# ~2,400 people (disclosure.forms.AttendanceForm).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 5000, minimum=1000)

# --- i18n -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# The portal speaks Chinese whatever the browser asks for (no LocaleMiddleware); source strings are English.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security -----------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
# With Redis, sessions are read from the shared cache and written through to the database (one query less on
# every page). Not with the embedded default: a per-process cache would keep a logged-out session alive in
# the other processes.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# No inline scripts anywhere: data reaches scripts through json_script, code through static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Domain defaults (DESIGN §5), overridable per deployment ---------------------------------------
# The dates every form and save accepts (branches.bounds): nothing before the Party's founding (birth dates
# from 1900), nothing more than DATE_YEARS_AHEAD years ahead.
DATE_EARLIEST = datetime.date.fromisoformat(env_str("DATE_EARLIEST", "1921-07-01"))
BIRTH_DATE_EARLIEST = datetime.date.fromisoformat(env_str("BIRTH_DATE_EARLIEST", "1900-01-01"))
DATE_YEARS_AHEAD = env_int("DATE_YEARS_AHEAD", 10, minimum=1)
BRANCH_MIN_FULL_MEMBERS = env_int("BRANCH_MIN_FULL_MEMBERS", 3, minimum=1)
BRANCH_COMMITTEE_THRESHOLD = env_int("BRANCH_COMMITTEE_THRESHOLD", 7, minimum=1)
# 支部工作条例 (2018): from BRANCH_COMMITTEE_THRESHOLD full members a branch elects a committee of 3 to 5
# (issue 18; shown as a warning where it is not so).
BRANCH_COMMITTEE_MIN = env_int("BRANCH_COMMITTEE_MIN", 3, minimum=1)
BRANCH_COMMITTEE_MAX = env_int("BRANCH_COMMITTEE_MAX", 5, minimum=1)
# Minutes filed more than this many days after the meeting are accepted and marked late.
MINUTES_FILING_DAYS = env_int("MINUTES_FILING_DAYS", 7, minimum=0)
MEETING_ATTACHMENT_MAX_BYTES = env_int("MEETING_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
MEETING_ATTACHMENTS_PER_UPLOAD = env_int("MEETING_ATTACHMENTS_PER_UPLOAD", 10, minimum=1)
# The daily step reminds secretaries this many days before a period ends with a required meeting missing.
MEETING_REMINDER_DAYS = env_int("MEETING_REMINDER_DAYS", 7, minimum=0)
# A committee's yearly meetings (民主生活会, issue 18) need weeks of preparation (talks, the upper committee's
# observers): the reminder opens this many days before the year ends while none has been recorded.
COMMITTEE_YEARLY_REMINDER_DAYS = env_int("COMMITTEE_YEARLY_REMINDER_DAYS", 61, minimum=0)
# QR sign-in at meetings (issue 20): the code on the secretary's phone changes every ROTATE seconds; a code
# read is good for TOKEN seconds (time to sign on first); codes work from EARLY minutes before the meeting to
# MINUTES after its start (the meeting's hour).
MEETING_SIGN_IN_ROTATE_SECONDS = env_int("MEETING_SIGN_IN_ROTATE_SECONDS", 30, minimum=5)
MEETING_SIGN_IN_TOKEN_SECONDS = env_int("MEETING_SIGN_IN_TOKEN_SECONDS", 180, minimum=10)
MEETING_SIGN_IN_EARLY_MINUTES = env_int("MEETING_SIGN_IN_EARLY_MINUTES", 30, minimum=0)
MEETING_SIGN_IN_MINUTES = env_int("MEETING_SIGN_IN_MINUTES", 60, minimum=1)

# --- Ratings, 双述双评 (issue 6, assessments/services/ratings.py) ---------------------------------------
# No average is shown for a secretary rated by fewer people (a campaign may set its own).
RATING_MIN_RATERS = env_int("RATING_MIN_RATERS", 5, minimum=1)
# Online and offline means further apart than this (points of 100) are flagged in the comparison.
RATING_DISAGREEMENT_POINTS = env_int("RATING_DISAGREEMENT_POINTS", 10, minimum=1)
# Throttles (cache counters, atomic): wrong codes per address, submissions per address and per login,
# each in a window of RATING_THROTTLE_WINDOW seconds. A report meeting puts a whole hall behind one NAT
# address, hence the generous per-address submission limit.
RATING_THROTTLE_WINDOW = env_int("RATING_THROTTLE_WINDOW", 900, minimum=1)
RATING_CODE_FAILURES_PER_IP = env_int("RATING_CODE_FAILURES_PER_IP", 20, minimum=1)
RATING_SUBMITS_PER_IP = env_int("RATING_SUBMITS_PER_IP", 2000, minimum=1)
RATING_SUBMITS_PER_USER = env_int("RATING_SUBMITS_PER_USER", 20, minimum=1)
RATING_ROSTER_MAX_BYTES = env_int("RATING_ROSTER_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
RATING_CODES_PER_BATCH = env_int("RATING_CODES_PER_BATCH", 500, minimum=1)
# Issue 19: 民主评议's 个人自评 file, and 七一表彰 — the least 双述双评 mean (points of 100) for a secretary to be
# offered as an 优秀党务工作者 candidate, public objections per address and hour during a 公示, and how many
# days before a commendation's date its steps become to-dos.
EVALUATION_FILE_MAX_BYTES = env_int("EVALUATION_FILE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
COMMENDATION_WORKER_MIN_RATING = env_int("COMMENDATION_WORKER_MIN_RATING", 80, minimum=0)
COMMENDATION_OBJECTIONS_PER_IP = env_int("COMMENDATION_OBJECTIONS_PER_IP", 20, minimum=1)
COMMENDATION_NOTIFY_DAYS = env_int("COMMENDATION_NOTIFY_DAYS", 7, minimum=0)
# The quotas a new commendation offers per secondary committee (先进基层党组织, 优秀共产党员, 优秀党务工作者); the
# 组织部 edits each commendation's own.
COMMENDATION_UNIT_QUOTA = env_int("COMMENDATION_UNIT_QUOTA", 1, minimum=0)
COMMENDATION_MEMBER_QUOTA = env_int("COMMENDATION_MEMBER_QUOTA", 3, minimum=0)
COMMENDATION_WORKER_QUOTA = env_int("COMMENDATION_WORKER_QUOTA", 1, minimum=0)
# Issue 16: a campaign in server custody keeps its ballot box's private key wrapped with the key in this
# file (64 hex digits; the server's secret store). Unset: a key derived from SECRET_KEY. Either way the
# app servers' operator can open such a campaign: the weaker mode, labelled so on its pages.
RATING_KEY_FILE = env_str("RATING_KEY_FILE", "")
# bench/ratings.py only: mounts /bench/ views (a bare two-row writer). Never on in production.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)

# --- Public disclosure pages, 晾晒 (issue 4, disclosure/middleware.py, disclosure/public_cache.py) --------
# Anonymous visitors' /open/ pages are served from a per-process copy until something is published.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)
PUBLIC_PAGE_CACHE_ENTRIES = env_int("PUBLIC_PAGE_CACHE_ENTRIES", 1000, minimum=10)  # pages per process
# 0: every request checks the publish generation (one cache GET); N: at most every N milliseconds.
PUBLIC_PAGE_CACHE_RECHECK_SECONDS = env_int("PUBLIC_PAGE_CACHE_RECHECK_MS", 0, minimum=0) / 1000
# The benchmark page's comparison, shared by signed-in viewers until the publish generation changes (issue 17;
# disclosure.selectors.benchmark.benchmark_shared); at most this long for what nothing invalidates. 0: off.
BENCHMARK_CACHE_SECONDS = env_int("BENCHMARK_CACHE_SECONDS", 300, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# --- The 组织部 dashboard (issue 9, branches/figures.py, assessments/views/dashboard.py) -----------------------
# Snapshot tables: the beat refreshes every tree this often; a relevant write queues a refresh of its
# university this many seconds later (writes in the meantime are folded into it).
FIGURES_REFRESH_MINUTES = env_int("FIGURES_REFRESH_MINUTES", 15, minimum=1)
FIGURES_DEBOUNCE_SECONDS = env_int("FIGURES_DEBOUNCE_SECONDS", 10, minimum=0)
# Rendered dashboard blocks are kept per unit and snapshot for this long (0: render every time).
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 300, minimum=0)

# --- Notifications (issue 20: the notifications app; README "Notifications") ----------------------------------
# outbox (the default): digests and their deliveries are recorded and shown on the outbox page, nothing is sent
# (and nothing printed). send: the configured channels deliver.
NOTIFY_DELIVERY = env_str("NOTIFY_DELIVERY", "outbox")
if NOTIFY_DELIVERY not in ("outbox", "send"):
    raise ImproperlyConfigured(f"NOTIFY_DELIVERY={NOTIFY_DELIVERY!r}: use outbox or send.")
NOTIFY_ESCALATE_AFTER_DAYS = env_int("NOTIFY_ESCALATE_AFTER_DAYS", 14, minimum=1)  # a source's default
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 60, minimum=1)  # doubled after each failed try
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 6 * 3600, minimum=1)
NOTIFY_HTTP_TIMEOUT = env_int("NOTIFY_HTTP_TIMEOUT", 10, minimum=1)
NOTIFY_SITE_URL = env_str("NOTIFY_SITE_URL", "").rstrip(
    "/"
)  # links in messages: https://dangjian.example.edu.cn
NOTIFY_EMAIL = env_bool("NOTIFY_EMAIL", False)
# The SMTP settings (EMAIL_HOST, EMAIL_PORT, …, DEFAULT_FROM_EMAIL) are those of the "Mail" section above.
WECOM_API_BASE = env_str("WECOM_API_BASE", "https://qyapi.weixin.qq.com").rstrip("/")
WECOM_CORP_ID = env_str("WECOM_CORP_ID", "")
WECOM_AGENT_ID = env_str("WECOM_AGENT_ID", "")
WECOM_SECRET = env_str("WECOM_SECRET", "")  # or WECOM_SECRET_FILE
if WECOM_AGENT_ID and not WECOM_AGENT_ID.isdigit():
    raise ImproperlyConfigured(f"WECOM_AGENT_ID={WECOM_AGENT_ID!r} is not a number.")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_PROVIDER = env_str("SMS_PROVIDER", "json")
SMS_SIGNATURE = env_str("SMS_SIGNATURE", "")
SMS_TEMPLATE_DIGEST = env_str("SMS_TEMPLATE_DIGEST", "")
SMS_ACCESS_KEY_ID = env_str("SMS_ACCESS_KEY_ID", "")
SMS_ACCESS_KEY_SECRET = env_str("SMS_ACCESS_KEY_SECRET", "")  # or SMS_ACCESS_KEY_SECRET_FILE
