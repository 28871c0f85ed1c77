"""Health for load balancers and process managers.

`/health/` (alive): the process answers; it touches nothing. `/health/ready/` (ready): the
database answers and holds every migration this code needs, and the shared cache answers. Both
say only "ok" or which component is not; never why in detail (an error's text can hold a
connection string)."""

import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

_migrated = False  # once all migrations are seen applied, a process need not look again


def alive(request):
    return HttpResponse("ok", content_type="text/plain")


def _database():
    global _migrated
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if not _migrated:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "migrations not applied"
        _migrated = True
    return "ok"


def _cache():
    key, value = f"clinlead:ready:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    found = cache.get(key)
    cache.delete(key)
    return "ok" if found == value else "not keeping values"


@never_cache
def ready(request):
    checks = {}
    for name, check in (("database", _database), ("cache", _cache)):
        try:
            checks[name] = check()
        except Exception as error:  # a readiness probe reports; it must not fail itself
            checks[name] = f"unavailable ({type(error).__name__})"
    status = 200 if all(state == "ok" for state in checks.values()) else 503
    return JsonResponse({"ready": status == 200, **checks}, status=status)
