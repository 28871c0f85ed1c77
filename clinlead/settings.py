"""Clinlead settings, read from environment variables with safe defaults.

Development default: SQLite under ./var (or CLINLEAD_DATA_DIR). Production: set
DJANGO_SETTINGS_MODULE=clinlead.settings_production and the variables it names.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from clinlead.deployment import cache_from_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CLINLEAD_DATA_DIR", Path.cwd() / "var")).resolve()


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _development_secret_key():
    # A per-installation random key, so no key is ever committed or shared between installs.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("CLINLEAD_DEBUG", False)
SECRET_KEY = os.environ.get("CLINLEAD_SECRET_KEY") or _development_secret_key()
ALLOWED_HOSTS = env_list("CLINLEAD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CLINLEAD_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("CLINLEAD_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "clinlead.accounts",
    "clinlead.audit",
    "clinlead.org",
    "clinlead.surveys",
    "clinlead.leaderindex",
    "clinlead.succession",
    "clinlead.selection",
    "clinlead.development",
    "clinlead.evaluation",
    "clinlead.subjects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "clinlead.validation.RefuseNulInQuery",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinlead.accounts.error_title.ErrorTitleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clinlead.accounts.csp_header.CSPMiddleware",  # django-csp's, the header built once
    "axes.middleware.AxesMiddleware",
    "clinlead.accounts.lockout.LoginRecordsMiddleware",
]

ROOT_URLCONF = "clinlead.urls"
WSGI_APPLICATION = "clinlead.wsgi.application"

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
                "clinlead.accounts.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'clinlead.sqlite3'}",
        conn_max_age=int(os.environ.get("CLINLEAD_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let the demo server and a background worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        # secure_delete overwrites deleted rows (ballots are rewritten at a ballot's close).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;",
        "transaction_mode": "IMMEDIATE",
    }

elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The just-in-time compiler spends tens of milliseconds compiling each of the monitor's and
    # dashboards' aggregates, which then run in less: off, as for most web applications.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# One cache for every server process of the installation (the monitor's figures are worked out
# once, not once per process). It holds nothing the database does not. The file cache serves one
# machine; several servers share Redis or the database (CLINLEAD_CACHE_URL, docs/deployment.md).
CACHES = {
    "default": cache_from_url(
        os.environ.get("CLINLEAD_CACHE_URL"),
        file_folder=os.environ.get("CLINLEAD_CACHE_DIR", str(DATA_DIR / "cache")),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Single sign-on is off unless an identity provider is configured.
OIDC_ENABLED = env_bool("CLINLEAD_OIDC_ENABLED", False)
OIDC_RP_CLIENT_ID = os.environ.get("CLINLEAD_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("CLINLEAD_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("CLINLEAD_OIDC_SIGN_ALGO", "RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("CLINLEAD_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("CLINLEAD_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("CLINLEAD_OIDC_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("CLINLEAD_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SCOPES = "openid email profile"
OIDC_CREATE_USER = True
# Someone the provider vouches for but who matches no active person sees why (accounts/oidc.py).
LOGIN_REDIRECT_URL_FAILURE = "/accounts/sso-refused/"
# Logging out of Clinlead also ends the provider's session (RP-initiated logout) when its
# end_session_endpoint is given; the ID token is kept in the session as the logout's hint.
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("CLINLEAD_OIDC_END_SESSION_ENDPOINT", "")
OIDC_OP_LOGOUT_URL_METHOD = "clinlead.accounts.oidc.provider_logout_url" if OIDC_OP_LOGOUT_ENDPOINT else ""
OIDC_STORE_ID_TOKEN = bool(OIDC_OP_LOGOUT_ENDPOINT)

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("clinlead.accounts.oidc.PersonOIDCBackend")
AUTHENTICATION_BACKENDS.append("clinlead.accounts.backends.ActiveStaffBackend")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock a username from one client address after repeated failures (clinlead/accounts/lockout.py).
# Behind a proxy, list it in
# CLINLEAD_TRUSTED_PROXIES (addresses or networks, comma-separated) so the client's own address
# is used; otherwise everyone shares the proxy's address and could lock each other out.
AXES_FAILURE_LIMIT = int(os.environ.get("CLINLEAD_LOGIN_FAILURE_LIMIT", "5"))
# The cool-off doubles with each failure past the limit, up to the maximum (accounts/lockout.py).
CLINLEAD_LOGIN_COOLOFF = timedelta(minutes=int(os.environ.get("CLINLEAD_LOGIN_COOLOFF_MINUTES", "30")))
CLINLEAD_LOGIN_COOLOFF_MAX = timedelta(hours=int(os.environ.get("CLINLEAD_LOGIN_COOLOFF_MAX_HOURS", "24")))
AXES_COOLOFF_TIME = "clinlead.accounts.lockout.cool_off"
AXES_USE_ATTEMPT_EXPIRATION = True  # each bucket's rows expire with their own cool-off
CLINLEAD_TRUSTED_PROXIES = [p for p in os.environ.get("CLINLEAD_TRUSTED_PROXIES", "").split(",") if p.strip()]
AXES_CLIENT_IP_CALLABLE = "clinlead.accounts.lockout.client_ip"
# "user_agent" holds only "known device" or nothing (accounts/lockout.py), never the browser's.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address", "user_agent"]]
AXES_DISABLE_ACCESS_LOG = True  # no record of each successful login (docs/secrecy.md)
SESSION_ENGINE = "clinlead.accounts.sessions"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The logout form's answer redirects to the provider's logout page (see OIDC above).
        "form-action": ["'self'", *(["{0.scheme}://{0.netloc}".format(urlsplit(OIDC_OP_LOGOUT_ENDPOINT))] if OIDC_OP_LOGOUT_ENDPOINT else [])],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("CLINLEAD_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("CLINLEAD_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FRONTEND_STATIC_DIR = DATA_DIR / "frontend" / "static"  # filled from npm by clinlead.frontend
FRONTEND_STATIC_DIR.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static", FRONTEND_STATIC_DIR]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True
# Uploads above this are streamed to disk, never kept whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CLINLEAD_HR_UPLOAD_MAX_BYTES = int(os.environ.get("CLINLEAD_HR_UPLOAD_MAX_BYTES", 50 * 1024 * 1024))
# An HR file checked but not applied is deleted after this many hours (clinlead/org/hr_uploads.py).
CLINLEAD_HR_UPLOAD_KEEP_HOURS = int(os.environ.get("CLINLEAD_HR_UPLOAD_KEEP_HOURS", "24"))
# Days after a published survey's closing day that its answers are kept (`clinlead
# survey-retention`, docs/operations.md); unset or empty: kept until someone chooses a period.
CLINLEAD_SURVEY_RETENTION_DAYS = (
    int(os.environ["CLINLEAD_SURVEY_RETENTION_DAYS"])
    if os.environ.get("CLINLEAD_SURVEY_RETENTION_DAYS", "").strip() else None
)
# A full extract that would mark more than this share (per cent) of an organisation's staff in post
# as having left needs its count confirmed (clinlead/org/hr_guard.py); so do key-position holders.
CLINLEAD_HR_LEAVER_CONFIRM_PERCENT = float(os.environ.get("CLINLEAD_HR_LEAVER_CONFIRM_PERCENT", "5"))
# An applied HR import can be reversed for this many days (clinlead/org/hr_reversal.py).
CLINLEAD_HR_IMPORT_REVERSIBLE_DAYS = int(os.environ.get("CLINLEAD_HR_IMPORT_REVERSIBLE_DAYS", "30"))

EMAIL_BACKEND = os.environ.get("CLINLEAD_EMAIL_BACKEND", "clinlead.mailfiles.EmailBackend")
EMAIL_HOST = os.environ.get("CLINLEAD_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CLINLEAD_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CLINLEAD_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CLINLEAD_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CLINLEAD_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("CLINLEAD_FROM_EMAIL", "Clinlead <clinlead@localhost>")
# A bulk send that reached nobody (the mail server was down) is queued again this many minutes
# later, doubling each time, at most this many times (clinlead/notifications.py).
CLINLEAD_MAIL_RETRY_MINUTES = float(os.environ.get("CLINLEAD_MAIL_RETRY_MINUTES", "5"))
CLINLEAD_MAIL_RETRIES = int(os.environ.get("CLINLEAD_MAIL_RETRIES", "6"))

TASKS = {
    "default": {
        # Development runs tasks at once; production settings default to the database queue.
        "BACKEND": os.environ.get("CLINLEAD_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

# Forms refuse dates outside [1 January of this year, today + this many years] and text longer
# than this (a model field's own max_length applies as well); see clinlead/validation.py.
CLINLEAD_EARLIEST_YEAR = int(os.environ.get("CLINLEAD_EARLIEST_YEAR", "1900"))
CLINLEAD_YEARS_AHEAD = int(os.environ.get("CLINLEAD_YEARS_AHEAD", "50"))
CLINLEAD_FORM_TEXT_MAX_CHARS = int(os.environ.get("CLINLEAD_FORM_TEXT_MAX_CHARS", "20000"))

# The anonymity threshold used where an organisation has not set its own.
CLINLEAD_DEFAULT_MIN_RESPONSES = 5
CLINLEAD_DEFAULT_MIN_COMMENTS = 10

# Request bodies, survey answers and ballot choices are never logged: no handler here
# records request data, and django.request only logs the path and status of errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secret_links": {"()": "clinlead.logging.RedactSecretLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact_secret_links"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("CLINLEAD_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.server": {"level": "WARNING"},
    },
}

# A published leader gets a leader-index band (talent search) only from this many responses
# (clinlead.analytics.shrinkage); below it: "too few responses for a band".
CLINLEAD_BAND_MIN_RESPONSES = int(os.environ.get("CLINLEAD_BAND_MIN_RESPONSES", "10"))
