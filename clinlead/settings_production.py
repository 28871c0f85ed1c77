"""Production settings: everything that `clinlead check --deploy` asks for.

Required: CLINLEAD_SECRET_KEY, CLINLEAD_ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and a mail
backend that sends mail (CLINLEAD_EMAIL_BACKEND, e.g. SMTP); without them the server refuses to
start rather than fall back to SQLite or to mail that nobody receives.
TLS is assumed to end at this server or at a proxy that sets X-Forwarded-Proto; list that proxy
in CLINLEAD_TRUSTED_PROXIES so login lockouts count each client's own address.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from clinlead.deployment import cache_from_url
from clinlead.settings import *  # noqa: F403
from clinlead.settings import env_bool

# Development backends: they print, keep or drop mail instead of sending it.
NOT_SENDING_MAIL = {
    "console.EmailBackend", "locmem.EmailBackend", "dummy.EmailBackend", "filebased.EmailBackend",
    "mailfiles.EmailBackend",
}

if not os.environ.get("CLINLEAD_SECRET_KEY"):
    raise ImproperlyConfigured("Set CLINLEAD_SECRET_KEY for production.")
if not os.environ.get("CLINLEAD_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Set CLINLEAD_ALLOWED_HOSTS for production.")
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("Set DATABASE_URL (PostgreSQL) for production; it will not fall back to SQLite.")
if ".".join(EMAIL_BACKEND.rsplit(".", 2)[-2:]) in NOT_SENDING_MAIL:  # noqa: F405
    raise ImproperlyConfigured(f"Set CLINLEAD_EMAIL_BACKEND to a backend that sends mail, not {EMAIL_BACKEND}.")  # noqa: F405

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("CLINLEAD_SSL_REDIRECT", True)
if env_bool("CLINLEAD_BEHIND_TLS_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("CLINLEAD_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CLINLEAD_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CLINLEAD_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedManifestStaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = False
TASKS["default"]["BACKEND"] = os.environ.get("CLINLEAD_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")  # noqa: F405

# Several servers must share one cache: the database's, unless Redis is named. The per-machine
# file cache is chosen only on purpose (CLINLEAD_CACHE_URL=file), for a single server.
CACHES = {
    "default": cache_from_url(
        os.environ.get("CLINLEAD_CACHE_URL", "database"),
        file_folder=os.environ.get("CLINLEAD_CACHE_DIR", str(DATA_DIR / "cache")),  # noqa: F405
    )
}
