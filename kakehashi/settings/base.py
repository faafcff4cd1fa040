"""Settings shared by every environment. Each value comes from the environment or a safe default.

Development and production modules only add to this: production hardens, it never relaxes.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from dj_database_url import DBConfig
from django.utils.translation import gettext_lazy as _

from kakehashi.settings.env import env_bool, env_int, env_list, env_str

# Lets admin and queryset classes be subscripted at run time, as their type stubs allow.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    xdg = env_str("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "kakehashi"


DATA_DIR = Path(env_str("KAKEHASHI_DATA_DIR") or _default_data_dir()).expanduser().resolve()

DEBUG = env_bool("KAKEHASHI_DEBUG", default=False)
SECRET_KEY = env_str("KAKEHASHI_SECRET_KEY")
ALLOWED_HOSTS = env_list("KAKEHASHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("KAKEHASHI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "kakehashi.core",
    "kakehashi.accounts",
    "kakehashi.ctf",
    "kakehashi.audit",
    "kakehashi.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kakehashi.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kakehashi.audit.middleware.OriginMiddleware",
    "kakehashi.core.middleware.LanguageMiddleware",
    "kakehashi.core.middleware.TimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that its process_exception runs first: a lost database answers 503, not 500.
    "kakehashi.core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "kakehashi.urls"
WSGI_APPLICATION = "kakehashi.wsgi.application"
ASGI_APPLICATION = "kakehashi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kakehashi.core.context_processors.display",
            ],
        },
    },
]

# --- Database: SQLite in the data directory unless a URL is given --------------------------
_database_url = env_str("KAKEHASHI_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'kakehashi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers of one process take turns without SQLite's sleeping busy handler (kakehashi/core/sqlite).
    DATABASES["default"]["ENGINE"] = "kakehashi.core.sqlite"
    # Requests run in a fixed pool of threads (kakehashi/asgi.py), each keeping its connection.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer commits; IMMEDIATE avoids lock upgrades.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }


def allow_prepared_statements(database: DBConfig) -> None:
    """On PostgreSQL, let the flag-submission statements be prepared on each connection
    (kakehashi/ctf/services/attempt_sql.py); Django's own queries bind on the client and are never
    prepared. A pooler in transaction mode without support for prepared statements (PgBouncer
    before 1.21) needs ``KAKEHASHI_DB_PREPARED_STATEMENTS=0``."""
    if database["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "KAKEHASHI_DB_PREPARED_STATEMENTS", default=True
    ):
        database.setdefault("OPTIONS", {})["prepare_threshold"] = 5


allow_prepared_statements(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when configured, otherwise process-local ------------------------------------
# While Redis is unreachable the cache serves from process memory and retries every few seconds.
REDIS_URL = env_str("KAKEHASHI_REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "kakehashi.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kakehashi",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kakehashi",
            # Versions are kept per account (kakehashi.ctf.shortcut): thousands of small keys,
            # and a culled version only costs a request through Django, but a culled standings
            # stamp costs a rebuild; Django's default of 300 entries is far too few for an event.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- Accounts ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Passwords of accounts imported from CTFd; re-hashed with argon2 at their first sign-in.
    "kakehashi.accounts.hashers.CTFdBcryptSHA256PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"

# Login throttling (django-axes): failures are counted per user name, in the database, so the
# limit holds across every server process. Not per user name and address: guesses spread over
# many addresses (a botnet) would each start afresh. Guesses against one account take turns
# (kakehashi.accounts.services.signin.authenticate), so parallel ones cannot outrun the count.
AXES_ENABLED = env_bool("KAKEHASHI_LOGIN_THROTTLE", default=True)
AXES_FAILURE_LIMIT = env_int("KAKEHASHI_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KAKEHASHI_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address among the parameters, against lockouts keyed on what an attacker can
# rotate (user agent, cookies). The user name cannot be rotated against one account; a lockout per
# address would lock a whole CTF venue behind one NAT out after five typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# One count per account whatever the case typed; guesses while locked out are refused unchecked and
# do not extend the lock (that would let anyone keep an account locked for ever).
AXES_USERNAME_CALLABLE = "kakehashi.accounts.services.signin.throttle_key"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "kakehashi.accounts.views.lockout"
AXES_VERBOSE = False
API_TOKEN_DEFAULT_DAYS = env_int("KAKEHASHI_API_TOKEN_DAYS", default=30)
# Tokens' "last used" times are collected in each process and written together at most this often.
TOKEN_USE_WRITE_SECONDS = env_int("KAKEHASHI_TOKEN_USE_WRITE_SECONDS", default=10)

# Standings are recomputed after each scoring change in a background thread of the process that
# made the change, so the request answers at once; off, they are recomputed before it answers.
STANDINGS_IN_BACKGROUND = env_bool("KAKEHASHI_STANDINGS_IN_BACKGROUND", default=True)
# After a refresh, further changes wait at least this long (milliseconds) and share the next refresh: a
# burst of solves costs a few refreshes a second, and a solve is public well within a second.
STANDINGS_MIN_INTERVAL = env_int("KAKEHASHI_STANDINGS_MIN_INTERVAL_MS", default=200) / 1000

# --- Languages and time ------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "kakehashi_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
EVENT_TIME_ZONES = ["Europe/London", "Asia/Tokyo"]

# --- Static and uploaded files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = Path(env_str("KAKEHASHI_MEDIA_DIR") or DATA_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The largest challenge file (upload, CTFd /api/v1/files, archive member); larger ones are refused with 422.
KAKEHASHI_MAX_ATTACHMENT_BYTES = env_int("KAKEHASHI_MAX_ATTACHMENT_MB", default=100) * 1024 * 1024

# --- E-mail: SMTP when a host is given, otherwise one file a mail in <data dir>/mail/ -------------
EMAIL_HOST = env_str("KAKEHASHI_EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_PORT = env_int("KAKEHASHI_EMAIL_PORT", default=587)
EMAIL_HOST_USER = env_str("KAKEHASHI_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("KAKEHASHI_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("KAKEHASHI_EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("KAKEHASHI_EMAIL_FROM", "Kakehashi <noreply@localhost>")

# --- Sign-up: confirm-first (accounts.services.signup) --------------------------------------------
# How long a confirmation link works, and how many sign-up mails one address gets in an hour.
KAKEHASHI_SIGNUP_CONFIRMATION_HOURS = env_int("KAKEHASHI_SIGNUP_CONFIRMATION_HOURS", default=48)
KAKEHASHI_SIGNUP_MAILS_PER_HOUR = env_int("KAKEHASHI_SIGNUP_MAILS_PER_HOUR", default=3)
# Password-reset mails one account gets per clock hour; more requests get the same answer and no mail.
KAKEHASHI_RESET_MAILS_PER_HOUR = env_int("KAKEHASHI_RESET_MAILS_PER_HOUR", default=3)

# --- Security defaults that hold everywhere ------------------------------------------------------
SESSION_COOKIE_NAME = "kakehashi_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "kakehashi_csrftoken"
CSRF_FAILURE_VIEW = "kakehashi.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy of every HTML page (django-csp): scripts and styles only from our own
# static files, no inline script or style attribute, no plugins, never framed. Images may also
# come from https: (authored Markdown links them) and data: (the API docs' icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "worker-src": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Every other answer (JSON, live streams, files): nothing may load, run or frame it.
CONTENT_SECURITY_POLICY_NON_HTML = {
    "DIRECTIVES": {"default-src": [NONE], "base-uri": [NONE], "form-action": [NONE], "frame-ancestors": [NONE]}
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Passwords, tokens, flags and reset links are masked in every record before it is written.
    "filters": {"redact_secrets": {"()": "kakehashi.core.redaction.RedactSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("KAKEHASHI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

PAGE_TITLE = _("Kakehashi")
