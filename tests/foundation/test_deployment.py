"""Serving Clinlead on several machines: one shared cache, readiness, `serve` and `worker`."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from clinlead.deployment import (
    CACHE_TABLE,
    DeploymentSettingError,
    cache_from_url,
    gunicorn_arguments,
)
from tests.migrated_sqlite import migrated_database, migrated_sqlite_fixture  # noqa: F401

REPO = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------ the cache
def test_no_cache_url_means_the_file_cache_of_one_machine(tmp_path):
    assert cache_from_url("", file_folder=tmp_path)["BACKEND"].endswith("FileBasedCache")
    assert cache_from_url(None, file_folder=tmp_path)["LOCATION"] == str(tmp_path)


def test_several_servers_share_redis_or_the_database(tmp_path):
    redis = cache_from_url("redis://10.0.0.5:6379/2", file_folder=tmp_path)
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://10.0.0.5:6379/2",
    }
    database = cache_from_url("database", file_folder=tmp_path)
    assert database["BACKEND"].endswith("DatabaseCache") and database["LOCATION"] == CACHE_TABLE


def test_a_cache_url_that_names_nothing_is_refused_with_what_would_do(tmp_path):
    with pytest.raises(
        DeploymentSettingError, match=r"CLINLEAD_CACHE_URL='memcached://x'.*redis://"
    ):
        cache_from_url("memcached://x", file_folder=tmp_path)


def _settings_in_a_fresh_process(module, **environ):
    code = (
        "import json; from django.conf import settings; import django; django.setup(); "
        "print(json.dumps(settings.CACHES['default']))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": module, **environ}
    env.pop("CLINLEAD_CACHE_URL", None) if "CLINLEAD_CACHE_URL" not in environ else None
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_production_shares_the_database_cache_unless_told_otherwise(tmp_path):
    production = {
        "CLINLEAD_SECRET_KEY": "x" * 50,
        "CLINLEAD_ALLOWED_HOSTS": "clinlead.example.nhs.uk",
        "DATABASE_URL": "postgres://u@127.0.0.1:1/none",
        "CLINLEAD_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "CLINLEAD_DATA_DIR": str(tmp_path),
    }
    assert "DatabaseCache" in _settings_in_a_fresh_process(
        "clinlead.settings_production", **production
    )
    assert "RedisCache" in _settings_in_a_fresh_process(
        "clinlead.settings_production", CLINLEAD_CACHE_URL="redis://127.0.0.1:6379/0", **production
    )


def test_database_connections_are_kept_between_requests_and_checked_before_reuse(tmp_path):
    """A new PostgreSQL connection per request costs a process start on the database server for
    every answer; kept ones are checked first, so a restarted database costs no error page."""
    code = (
        "import json; from django.conf import settings; "
        "d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "CLINLEAD_DB_CONN_MAX_AGE"}
    env |= {"DJANGO_SETTINGS_MODULE": "clinlead.settings", "CLINLEAD_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["60", "True"]


@pytest.mark.django_db
def test_migrate_makes_the_database_cache_table_and_the_cache_uses_it():
    assert CACHE_TABLE in connection.introspection.table_names()
    with override_settings(CACHES={"default": cache_from_url("database", file_folder="unused")}):
        from django.core.cache import cache

        cache.set("monitor:figures", {"bench": 3}, 60)
        assert cache.get("monitor:figures") == {"bench": 3}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {CACHE_TABLE}")
            assert cursor.fetchone()[0] == 1


def _redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(
    not _redis_answers() and not os.environ.get("CI"),
    reason="no Redis on 127.0.0.1:6379 (.ci/run starts one)",
)
def test_redis_cache_is_shared_between_two_processes():
    """What one server keeps, another reads: the monitor's figures are worked out once."""
    url = "redis://127.0.0.1:6379/15"
    code = (
        "import sys; from django.conf import settings; import django; django.setup(); "
        "from django.core.cache import cache; "
        "cache.set('shared', sys.argv[1], 30) if sys.argv[1] != 'read' "
        "else print(cache.get('shared'))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinlead.settings", "CLINLEAD_CACHE_URL": url}
    subprocess.run(
        [sys.executable, "-c", code, "figures of server one"], env=env, check=True, timeout=60
    )
    read = subprocess.run(
        [sys.executable, "-c", code, "read"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert read.stdout.strip() == "figures of server one"


# ------------------------------------------------------------------------------ readiness
@pytest.mark.django_db
def test_ready_when_the_database_is_migrated_and_the_cache_keeps_values(client):
    answer = client.get("/health/ready/")
    assert answer.status_code == 200
    assert answer.json() == {"ready": True, "database": "ok", "cache": "ok"}
    assert "no-cache" in answer["Cache-Control"]


@pytest.mark.django_db
def test_not_ready_names_the_component_and_never_the_error_text(client):
    unreachable = {"default": cache_from_url("redis://127.0.0.1:9/0", file_folder="unused")}
    with override_settings(CACHES=unreachable):
        answer = client.get("/health/ready/")
    assert answer.status_code == 503
    body = answer.json()
    assert body["ready"] is False and body["database"] == "ok"
    assert body["cache"].startswith("unavailable (") and "127.0.0.1" not in answer.content.decode()


# ------------------------------------------------------------------------------ serve
def test_serve_runs_gunicorn_with_threads_and_no_access_log():
    arguments = gunicorn_arguments(bind="0.0.0.0:8000", workers=3, threads=8, environ={})
    assert arguments[:1] == ["clinlead.wsgi:application"]
    assert arguments[arguments.index("--workers") + 1] == "3"
    assert arguments[arguments.index("--threads") + 1] == "8"
    assert arguments[arguments.index("--worker-class") + 1] == "gthread"
    assert not any(a.startswith("--access-log") for a in arguments)  # survey links are secrets


def test_serve_replaces_a_worker_by_forking_the_loaded_application():
    arguments = gunicorn_arguments(environ={})
    assert "--preload" in arguments and "--max-requests" in arguments


def test_loading_the_application_opens_no_database_connection_a_forked_worker_would_share():
    # With --preload the master loads the application and forks the workers: a connection opened
    # while loading would be one socket used by every worker at once.
    loaded = subprocess.run(
        [sys.executable, "-c", "import clinlead.wsgi; from django.db import connections; "
         "print(sum(connections[a].connection is not None for a in connections))"],
        capture_output=True, text=True, check=True, env=os.environ,
    )
    assert loaded.stdout.strip() == "0"


def test_serve_believes_forwarded_headers_only_from_the_trusted_proxy():
    assert "--forwarded-allow-ips" not in gunicorn_arguments(environ={})
    arguments = gunicorn_arguments(environ={}, trusted_proxies=["10.1.0.4"])
    assert arguments[arguments.index("--forwarded-allow-ips") + 1] == "10.1.0.4"


def test_serve_refuses_a_worker_count_that_is_not_a_number(monkeypatch, capsys):
    monkeypatch.setenv("CLINLEAD_WEB_WORKERS", "lots")
    with pytest.raises(CommandError, match=r"CLINLEAD_WEB_WORKERS='lots': expected a whole number"):
        call_command("serve", print_only=True)
    monkeypatch.setenv("CLINLEAD_WEB_WORKERS", "2")
    call_command("serve", print_only=True, bind="127.0.0.1:9999")
    assert (
        "-m gunicorn clinlead.wsgi:application --bind 127.0.0.1:9999 --workers 2"
        in capsys.readouterr().out
    )


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.sqlite_only
def test_clinlead_serve_answers_ready_on_a_migrated_database(tmp_path, migrated_sqlite):
    env = {
        **os.environ,
        "CLINLEAD_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "clinlead.settings",
    }
    env.pop("DATABASE_URL", None)
    migrated_database(tmp_path, migrated_sqlite)  # migrated by `clinlead migrate`, once per run
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clinlead",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        cwd=REPO,
    )
    try:
        for _ in range(600):  # polled often: the answer is read as soon as gunicorn is up
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/health/ready/", timeout=2
                ) as answer:
                    assert answer.status == 200
                    assert b'"ready": true' in answer.read()
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("clinlead serve did not answer in 30 s")
    finally:
        server.terminate()
        server.wait(timeout=30)
