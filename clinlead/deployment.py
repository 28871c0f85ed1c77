"""How a deployment's pieces are chosen from the environment: the shared cache and the web
server's and worker's command lines. Plain Python, read by settings and by `clinlead serve` /
`clinlead worker`, so that what the docs promise (docs/deployment.md) is tested in one place."""

import os
from urllib.parse import urlsplit

CACHE_TABLE = "clinlead_cache"


class DeploymentSettingError(ValueError):
    pass


def cache_from_url(url, *, file_folder):
    """The cache every process of an installation shares.

    - unset or ``file``: the per-machine file cache (one server only: a second machine would
      keep figures of its own);
    - ``redis://host:port/db`` (or ``rediss://``): Redis, for several servers;
    - ``database``: a table in the database (`clinlead createcachetable` makes it), for several
      servers without Redis;
    - ``memory``: each process its own (tests).
    """
    url = (url or "").strip()
    if url in ("", "file"):
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(file_folder),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url == "database":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    if url == "memory":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise DeploymentSettingError(
        f"CLINLEAD_CACHE_URL={url!r}: expected redis://host:port/db, rediss://…, "
        "'database', 'file' or 'memory'"
    )


def _positive_int(name, value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise DeploymentSettingError(f"{name}={value!r}: expected a whole number of at least 1")
    return number


def gunicorn_arguments(*, bind=None, workers=None, threads=None, trusted_proxies=(), environ=None):
    """The command line `clinlead serve` runs.

    Threads rather than more processes: most of a request's time is spent waiting on the
    database, and each process holds its own copy of Django and the analysis libraries.
    No access log: a survey link's path is its secret (clinlead/logging.py redacts it from
    Django's own log; gunicorn's access log would not)."""
    environ = os.environ if environ is None else environ
    bind = bind or environ.get("CLINLEAD_BIND", "127.0.0.1:8000")
    workers = _positive_int(
        "CLINLEAD_WEB_WORKERS", workers or environ.get("CLINLEAD_WEB_WORKERS") or default_workers()
    )
    threads = _positive_int(
        "CLINLEAD_WEB_THREADS", threads or environ.get("CLINLEAD_WEB_THREADS", 4)
    )
    timeout = _positive_int("CLINLEAD_WEB_TIMEOUT", environ.get("CLINLEAD_WEB_TIMEOUT", 120))
    arguments = [
        "clinlead.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "30",
        # The application is loaded once, in the master, and each worker forked from it: a worker
        # replaced by --max-requests starts in milliseconds. Loaded by each new worker, it took
        # about 3 s of CPU: with four workers at 250 survey answers a second, each is replaced
        # every 80 s or so, a core's worth of seconds taken from the answers each time.
        "--preload",
        # A worker process is replaced now and then, so a slow leak cannot grow for ever.
        "--max-requests",
        "5000",
        "--max-requests-jitter",
        "500",
        "--error-logfile",
        "-",
        "--log-level",
        environ.get("CLINLEAD_WEB_LOG_LEVEL", "warning"),
    ]
    if trusted_proxies:
        # X-Forwarded-Proto is believed only from the proxy that ends TLS.
        arguments += ["--forwarded-allow-ips", ",".join(trusted_proxies)]
    return arguments


def default_workers():
    # Two processes per core, at least two (so one slow request never holds the whole site).
    return max(2, 2 * (os.cpu_count() or 1))
