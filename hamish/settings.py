"""Settings for Hamish, read from the environment.

Every knob is an environment variable (see README, "Configuration"). The helpers
below fail loudly on a malformed value instead of guessing, and production
(DEBUG off) refuses to start without a real SECRET_KEY.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off (got {raw!r}).")


def env_int(name, default, *, minimum=1):
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None
    if value < minimum:
        raise ImproperlyConfigured(
            f"{name} must be positive (got {raw!r})." if minimum == 1 else f"{name} must be at least {minimum} (got {raw!r})."
        )
    return value


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# Only ever used when DEBUG is on; production must bring its own key.
DEVELOPMENT_SECRET_KEY = "django-insecure-hamish-development-only-never-use-in-production"
SECRET_KEY = (os.environ.get("SECRET_KEY") or "").strip() or DEVELOPMENT_SECRET_KEY


def weak_secret_key(key):
    """The rule of Django's `check --deploy` (security.W009): 50+ characters, 5+ distinct ones, and not
    one of the "django-insecure-" keys startproject writes. 40 spaces or "aaaa..." are no secret."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


if not DEBUG and weak_secret_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "Refusing to start without a real SECRET_KEY while DEBUG is off. Set SECRET_KEY to a random "
        "string of 50 characters or more (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or set DEBUG=1 on a development machine."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "hamish",
    "accounts",
    "corpus",
    "annotations",
    "projects",
    "compare",
    "django_tasks_db",  # the queue of background tasks, in the database every web process and worker shares
    "jobs",
    "ninja",  # listed so that its API docs page is rendered from its own static files, never from a CDN
    "api",
    "recommenders",  # predictions as suggestions, and the built-in CRF labeller
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Sees every answer within: a busy or unreachable database becomes 503 and a message, an htmx error
    # a short text/plain message (never a page, never the debug page), and it tells whether a write committed.
    "hamish.failures.FailureMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body (CSRF reads request.POST).
    "corpus.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A logged-in analyst's own interface language (stored on the account) overrides LocaleMiddleware's.
    "accounts.middleware.UserLanguageMiddleware",
    # Every view needs a login unless it is explicitly marked @login_not_required (Django's middleware;
    # htmx calls without a session get 401 and a message instead of a redirect to the login page).
    "hamish.failures.LoginRequiredMiddleware",
    # Signed-in analysts on /admin/... get 403 and why, not the admin's login page (anonymous users still do).
    "hamish.admin_gate.StaffOnlyAdminMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# An htmx call from a page with a stale token is told to reload, not shown Django's page.
CSRF_FAILURE_VIEW = "hamish.failures.csrf_failure"

ROOT_URLCONF = "hamish.urls"
WSGI_APPLICATION = "hamish.wsgi.application"

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
                "django.template.context_processors.csp",
                "projects.context_processors.project_switch",
            ],
        },
    },
]

# SQLite is the embedded default; PostgreSQL via DATABASE_URL is the scale path.
# An empty DATABASE_URL counts as unset (dj_database_url.config() would return {}).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# How long a write waits for the database's write lock (SQLite: another writer holds it) before the
# analyst is told "the database is busy; nothing was saved" (503): a few seconds, not a hung page.
HAMISH_DB_BUSY_TIMEOUT_SECONDS = env_int("HAMISH_DB_BUSY_TIMEOUT_SECONDS", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock when their transaction starts and wait for each
        # other (busy timeout) instead of failing at once with "database is locked";
        # WAL lets readers go on while one writer writes (reads open no transaction).
        "transaction_mode": "IMMEDIATE",
        "timeout": HAMISH_DB_BUSY_TIMEOUT_SECONDS,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            f"PRAGMA busy_timeout={HAMISH_DB_BUSY_TIMEOUT_SECONDS * 1000};"
            "PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests run on a file too (not Django's shared in-memory database), so concurrent writers
    # meet the same WAL locking as in production; one file per test process, never shared.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"hamish-test-{os.getpid()}.sqlite3")}

# Background tasks (django.tasks): queued in the database and run by `manage.py db_worker`, on this machine or
# on others against the same PostgreSQL (README, "Background jobs"). The tests switch to the ImmediateBackend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "corpus:article_list"
LOGOUT_REDIRECT_URL = "login"

# Arabic first: analysts read and think in Arabic. English is one click away (a per-user preference);
# before login, LocaleMiddleware follows the browser's Accept-Language.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date and number formats per interface language (hamish/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["hamish.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Login rate limit --------------------------------------------------------
# Failed logins allowed per window from one address, and for one user name, before further tries get 429.
HAMISH_LOGIN_WINDOW_SECONDS = env_int("HAMISH_LOGIN_WINDOW_SECONDS", 15 * 60)
HAMISH_LOGIN_MAX_FAILURES_PER_IP = env_int("HAMISH_LOGIN_MAX_FAILURES_PER_IP", 20)
HAMISH_LOGIN_MAX_FAILURES_PER_USER = env_int("HAMISH_LOGIN_MAX_FAILURES_PER_USER", 5)
# Behind a reverse proxy: the request header holding the client's address, e.g. HTTP_X_FORWARDED_FOR.
HAMISH_TRUSTED_PROXY_HEADER = os.environ.get("HAMISH_TRUSTED_PROXY_HEADER", "")

# --- API rate limit ----------------------------------------------------------
# Calls per token in each minute (reads and writes alike) before the API answers 429 (api/auth.py).
HAMISH_API_CALLS_PER_MINUTE = env_int("HAMISH_API_CALLS_PER_MINUTE", 600)
# The built-in recommender (recommenders/): retrained after this many new spans in a project, and a prediction
# file larger than this many bytes sent to the API is imported by the worker (202 and a batch to poll).
HAMISH_RECOMMENDER_RETRAIN_EVERY = env_int("HAMISH_RECOMMENDER_RETRAIN_EVERY", 50)
HAMISH_PREDICTIONS_SYNC_BYTES = env_int("HAMISH_PREDICTIONS_SYNC_BYTES", 1024 * 1024)
# Articles of a project the built-in recommender proposes spans in after each training (the newest ones).
HAMISH_RECOMMENDER_MAX_ARTICLES = env_int("HAMISH_RECOMMENDER_MAX_ARTICLES", 5000)

# --- Import limits -----------------------------------------------------------
# One article file (plain text, HTML or JSON), in bytes.
HAMISH_IMPORT_MAX_FILE_BYTES = env_int("HAMISH_IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024)
# A .zip archive: the sum of its members' uncompressed sizes, and how many members it may hold.
HAMISH_IMPORT_MAX_ARCHIVE_BYTES = env_int("HAMISH_IMPORT_MAX_ARCHIVE_BYTES", 200 * 1024 * 1024)
# Archives are read member by member with bounded memory (one member at a time), so the count only bounds
# the report; the uncompressed total (HAMISH_IMPORT_MAX_ARCHIVE_BYTES) bounds the work.
HAMISH_IMPORT_MAX_ARCHIVE_MEMBERS = env_int("HAMISH_IMPORT_MAX_ARCHIVE_MEMBERS", 20000)
# One upload request through the import page (all files together).
HAMISH_UPLOAD_MAX_BYTES = env_int("HAMISH_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
# One annotation file imported through the admin (the whole document is read into memory to be checked);
# manage.py import_annotations has no limit of its own.
HAMISH_ANNOTATION_IMPORT_MAX_BYTES = env_int("HAMISH_ANNOTATION_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# Uploads above this size are spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("HAMISH_UPLOAD_MAX_FILES", 1000)

# --- Security ----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx reads the token from the page, never from the cookie.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
# 0 switches HSTS off (a site not yet sure of its TLS); then no subdomain or preload claim either.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0) if not DEBUG else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0) and SECURE_HSTS_SECONDS > 0
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline scripts or styles anywhere: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
