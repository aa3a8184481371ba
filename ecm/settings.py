"""Settings for the ECM case management service.

One module, driven by environment variables (see `.env.example` for every variable with a
comment). Defaults are the safe production ones; `ECM_DEMO=true` relaxes only what a laptop
demonstration needs, and the service says so on every page. A bad value stops start-up with
a message naming the variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


def _typed(reader, name, **kwargs):
    """Read one variable, turning a malformed value into a message that names it."""
    try:
        return reader(name, **kwargs)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"{name}: invalid value ({error})") from error


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _flag(name: str, *, default: bool) -> bool:
    """A yes/no variable. Anything but a recognised word stops start-up (no silent False)."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {raw!r}")


ECM_DEMO = _flag("ECM_DEMO", default=False)
DEBUG = _flag("DJANGO_DEBUG", default=False)

_DEMO_SECRET_KEY = "demo-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not ECM_DEMO:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY: must be set (at least 50 random characters) unless ECM_DEMO=true"
        )
    SECRET_KEY = _DEMO_SECRET_KEY

ALLOWED_HOSTS = _typed(
    env.list, "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if ECM_DEMO else []
)
CSRF_TRUSTED_ORIGINS = _typed(env.list, "DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "ecm.apps.ECMConfig",
    "accounts",
    "cases",
    "eligibility",
    "formulation",
    "supervision",
    "reports",
    "work",
    "governance",
    "partners",
    "seed",
    "ecm.apps.ECMAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ecm.middleware.NoStoreForSignedInMiddleware",
    "governance.middleware.AnonymisedRecordMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ecm.urls"
WSGI_APPLICATION = "ecm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ecm.context_processors.service",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------

DATABASES = {
    "default": _typed(env.db_url, "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured(
        "DATABASE_URL: use postgres://user:password@host:port/name or sqlite:///path"
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (runserver's threads, an eager task) share the file: make them queue
    # instead of failing with "database is locked". A transaction that reads and then writes
    # ("deferred", SQLite's default) cannot wait: if another connection took the write lock
    # meanwhile, SQLite refuses at once, whatever the timeout. "IMMEDIATE" takes the write
    # lock at BEGIN, so every writer waits its turn (up to `timeout` seconds) from the start.
    # Not WAL: it would let pages be read during a write, but writers still go one at a time,
    # and it keeps recent changes in db.sqlite3-wal and -shm beside the file, so copying or
    # deleting db.sqlite3 alone (how the demo is backed up or reset) can lose or mix data.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _typed(env.int, "DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's default random_page_cost (4) prices an index probe for spinning disks: for
    # one team's young people it hashed every stored case summary in the country instead of
    # probing the team's by key (docs/benchmarks.md). 1.1 is the usual value for SSDs
    # and a database that fits in memory; set ECM_PG_RANDOM_PAGE_COST="" to keep the server's.
    random_page_cost = env.str("ECM_PG_RANDOM_PAGE_COST", default="1.1").strip()
    if random_page_cost:
        try:
            if float(random_page_cost) <= 0:
                raise ValueError
        except ValueError:
            raise ImproperlyConfigured(
                "ECM_PG_RANDOM_PAGE_COST: must be a positive number, e.g. 1.1, or empty"
            ) from None
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c random_page_cost={random_page_cost}"
    # JIT compilation pays off for long analytical queries, not for a page's: at 100,000
    # young people it spent 0.76 s compiling a partner's 0.1 s list (docs/benchmarks.md).
    # The reports turn it off for their own transactions too. "on" or "" (the server's) to
    # change it.
    jit = env.str("ECM_PG_JIT", default="off").strip().lower()
    if jit not in ("on", "off", ""):
        raise ImproperlyConfigured("ECM_PG_JIT: must be on, off or empty")
    if jit:
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit={jit}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs ----------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker (the embedded default) tasks run in-process, through the same code path.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
# With acks_late, a message whose worker died unacknowledged goes back to the queue after
# this many seconds (Redis). Keep it longer than the longest report. Workers look for such
# messages every 10 seconds (by default kombu looks only every tenth time).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _typed(env.int, "CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= 0:
    raise ImproperlyConfigured("CELERY_BROKER_VISIBILITY_TIMEOUT: must be a positive number")
# `celery -A ecm beat` runs these; without beat, `manage.py requeue_stuck_reports` does the same.
CELERY_BEAT_SCHEDULE = {
    "reports-housekeeping": {
        "task": "reports.tasks.report_housekeeping_task",
        "schedule": timedelta(minutes=5),
    },
    # The day's reminders, once each morning before the working day starts.
    "daily-reminders": {
        "task": "work.tasks.send_reminders_task",
        "schedule": crontab(hour=6, minute=30),
    },
    "drafts-housekeeping": {
        "task": "accounts.tasks.delete_old_drafts_task",
        "schedule": timedelta(days=1),
    },
    # Who is due under the retention schedules, each night; an administrator approves it.
    "retention-review": {
        "task": "governance.tasks.build_retention_review_task",
        "schedule": crontab(hour=2, minute=15),
    },
}

# --- Email: the reminders' "you have N new reminders" (work.reminders) ---------------------
# The demonstration prints emails to the console; a deployment sets its mail server.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if ECM_DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = _typed(env.int, "EMAIL_PORT", default=25)
EMAIL_USE_TLS = _flag("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="ECM case management <noreply@localhost>"
)
# The address people sign in at, for links in emails.
ECM_SITE_URL = env.str("ECM_SITE_URL", default="http://127.0.0.1:8000")

# --- Authentication and sessions ----------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's sign-in; loads the user with the facts every page shows (accounts.backends).
    "accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

ECM_REQUIRE_2FA = _flag("ECM_REQUIRE_2FA", default=not ECM_DEMO)
OTP_TOTP_ISSUER = "ECM case management"
# Administrators never see anyone's TOTP secret (the key field, its QR code).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

ECM_SESSION_IDLE_SECONDS = _typed(env.int, "ECM_SESSION_IDLE_SECONDS", default=30 * 60)
if ECM_SESSION_IDLE_SECONDS <= 0:
    raise ImproperlyConfigured("ECM_SESSION_IDLE_SECONDS: must be a positive number of seconds")
# The idle limit is enforced by accounts.middleware.IdleTimeoutMiddleware, which tells the user
# why they were signed out; the stored session outlives it so that message can be given.
SESSION_COOKIE_AGE = ECM_SESSION_IDLE_SECONDS + 12 * 60 * 60
# Pages warn this long before the idle sign-out, offering "Stay signed in" (never more than
# half the idle limit: accounts.drafts.warning_seconds).
ECM_SESSION_WARNING_SECONDS = _typed(env.int, "ECM_SESSION_WARNING_SECONDS", default=2 * 60)
# Unsaved text kept from long forms (accounts.models.Draft) is deleted after this many days.
ECM_DRAFT_KEEP_DAYS = _typed(env.int, "ECM_DRAFT_KEEP_DAYS", default=30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = _typed(env.int, "ECM_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=_typed(env.int, "ECM_LOCKOUT_MINUTES", default=30))
# Lock the username, wherever the attempts come from: rotating addresses, browsers or cookies
# does not reset it, and an unknown username locks exactly like a real one. Not by IP address
# alone: a whole YOT office shares one address, and one person's typos must not lock out the
# team. axes.W006 asks for an IP parameter for set-ups that lock by neither; it is silenced
# for that reason, not to hide a gap.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- Transport security -------------------------------------------------------------------

_secure_default = not ECM_DEMO
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", default=_secure_default)
SESSION_COOKIE_SECURE = _flag("DJANGO_SECURE_COOKIES", default=_secure_default)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = _typed(
    env.int, "DJANGO_SECURE_HSTS_SECONDS", default=31536000 if _secure_default else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _flag("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "Europe/London"
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves fingerprinted, compressed files gathered by `collectstatic`; the demo
# and the tests serve the source files directly.
_STATIC_MANIFEST = _flag("DJANGO_STATIC_MANIFEST", default=not (DEBUG or ECM_DEMO))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not _STATIC_MANIFEST
MEDIA_ROOT = _typed(env.path, "ECM_FILES_ROOT", default=BASE_DIR / "var" / "files")

# Key for the evaluation dataset's pseudonyms (keyed hash of each young person's id). Keep it
# secret and stable: the same key gives the same pseudonyms across exports; evaluators never
# hold it. Required outside the demo.
ECM_STUDY_KEY = env.str("ECM_STUDY_KEY", default="")
if not ECM_STUDY_KEY:
    if not ECM_DEMO:
        raise ImproperlyConfigured(
            "ECM_STUDY_KEY: must be set (32+ random characters) unless ECM_DEMO=true"
        )
    ECM_STUDY_KEY = "demo-only-study-key"

# A PDF report covering more teams than this shows the all-teams figures only; the per-team
# figures are always in the CSV and XLSX (keeps the report worker's memory bounded).
ECM_REPORT_PDF_MAX_TEAMS = _typed(env.int, "ECM_REPORT_PDF_MAX_TEAMS", default=30)

# Limits on exchange-format imports (bytes): an uploaded .zip, one CSV file, all CSV data.
ECM_EXCHANGE_MAX_UPLOAD_BYTES = _typed(
    env.int, "ECM_EXCHANGE_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024
)
ECM_EXCHANGE_MAX_FILE_BYTES = _typed(
    env.int, "ECM_EXCHANGE_MAX_FILE_BYTES", default=256 * 1024 * 1024
)
ECM_EXCHANGE_MAX_TOTAL_BYTES = _typed(
    env.int, "ECM_EXCHANGE_MAX_TOTAL_BYTES", default=1024 * 1024 * 1024
)

# The initial formulation should be held within this many days of the ECM start (fidelity).
ECM_FORMULATION_WINDOW_DAYS = _typed(env.int, "ECM_FORMULATION_WINDOW_DAYS", default=56)

# Report runs: a run "running" with no progress for this many minutes (fractions allowed) is
# taken to have lost its worker and is queued again; output files are deleted this many days
# after the run finished.
ECM_REPORT_STUCK_MINUTES = _typed(env.float, "ECM_REPORT_STUCK_MINUTES", default=15.0)
if ECM_REPORT_STUCK_MINUTES <= 0:
    raise ImproperlyConfigured("ECM_REPORT_STUCK_MINUTES: must be a positive number of minutes")
ECM_REPORT_RETENTION_DAYS = _typed(env.int, "ECM_REPORT_RETENTION_DAYS", default=7)
if ECM_REPORT_RETENTION_DAYS <= 0:
    raise ImproperlyConfigured("ECM_REPORT_RETENTION_DAYS: must be a positive number of days")
# Test only: seconds a report run sleeps after each step, so a test can kill its worker mid-run.
ECM_REPORT_TEST_DELAY_SECONDS = _typed(env.float, "ECM_REPORT_TEST_DELAY_SECONDS", default=0.0)
if ECM_REPORT_TEST_DELAY_SECONDS < 0:
    raise ImproperlyConfigured("ECM_REPORT_TEST_DELAY_SECONDS: must not be negative")

CRISPY_ALLOWED_TEMPLATE_PACKS = ["govuk"]
CRISPY_TEMPLATE_PACK = "govuk"

# --- Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools report every page and font at INFO: keep the log readable.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}
