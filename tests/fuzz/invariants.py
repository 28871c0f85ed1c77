"""The fuzz suite's assertion: a response below 500, and nothing half-written."""

from django.apps import apps
from django.db import connection

# Written by logging in and by the login lockout, not by the actions under test.
NOT_ACTIONS = ("django_session", "axes_", "django_tasks", "django_cache")


def row_counts():
    """{table: rows} for every model's table, in one query."""
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models()
            if m._meta.managed and not m._meta.db_table.startswith(NOT_ACTIONS)
        }
    )
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {quote(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def assert_nothing_half_written(before, after, *, what):
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert not changed, f"{what} was refused but changed {changed}"
