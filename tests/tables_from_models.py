"""The test databases are made from the models, not by replaying the migrations.

Replaying 51 migration files cost every test process 9-11 s of CPU, most of it Django rendering
each migration's model state. The tables are made as `migrate --run-syncdb` makes an app without
migrations (migrations switched off only while the test databases are created, so a test that
runs real migrations still finds them), then everything the migrations leave behind besides the
tables is added: the record of every migration as applied, the database cache table and the rows
the data migrations seed. The other RunPython operations rewrite existing rows only, a no-op on an
empty database.

tests/test_tables_from_models.py holds the guard: a database made by the real migrations and the
test database must have the same schema and the same rows.
"""

import importlib
import json
import re
from datetime import datetime

from django.apps import apps
from django.db import connections
from django.test.utils import override_settings

# Each (migration, function) that leaves something in an empty database besides its models'
# tables. Called again after a flush on PostgreSQL (a no-op for what is still there).
SEEDING_OPERATIONS = (
    ("clinlead.accounts.migrations.0004_shared_cache_table", "create_cache_table"),
    ("clinlead.development.migrations.0002_national_frameworks", "load"),
    ("clinlead.evaluation.migrations.0002_metric_catalogue", "load"),
)


class _NoMigrations:
    """MIGRATION_MODULES saying that no app has migrations (as pytest-django's --nomigrations)."""

    def __contains__(self, app_label):
        return True

    def __getitem__(self, app_label):
        return None


MIGRATIONS_OFF = override_settings(MIGRATION_MODULES=_NoMigrations())


def complete(real_names):
    """After the tables are made from the models: what the migrations would have left too.
    real_names: each database's name before the test databases were made."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    for alias, real_name in real_names.items():
        connection = connections[alias]
        if connection.settings_dict["NAME"] == real_name:
            continue  # not set up: no test of this run uses it (never write to the real one)
        loader = MigrationLoader(connection)
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        plan = loader.graph.forwards_plan  # in the order `migrate` applies them
        every = dict.fromkeys(key for leaf in loader.graph.leaf_nodes() for key in plan(leaf))
        recorded = recorder.applied_migrations()  # none, unless the database was kept (--reuse-db)
        recorder.migration_qs.bulk_create(
            [recorder.Migration(app=app, name=name) for app, name in every if (app, name)
             not in recorded]
        )
        with connection.cursor() as cursor:
            for statement in AS_MIGRATED.get(connection.vendor, ()):
                cursor.execute(statement)
        load_seed_data(alias)


# Where the migrations make a column other than the models do. Group.permissions' table: the
# models give it auth's AutoField (integer), auth's migration state the project's DEFAULT_AUTO_FIELD
# (bigint). One type on SQLite.
AS_MIGRATED = {
    "postgresql": ['ALTER TABLE "auth_group_permissions" ALTER COLUMN "id" TYPE bigint'],
}


def load_seed_data(alias="default"):
    """What the data migrations load (national frameworks, the metric catalogue, the cache
    table), with their own functions, so nothing else (no audit event) is written."""
    with connections[alias].schema_editor(atomic=False) as editor:
        for module, function in SEEDING_OPERATIONS:
            getattr(importlib.import_module(module), function)(apps, editor)


# ---------------------------------------------------------------------------- the comparison
def describe(cursor, vendor):
    """The schema and rows of a database, by content: {table: {"columns", "indexes",
    "constraints", "rows"}}. Names Django derives from a table's history (indexes, foreign keys)
    are left out; column order is ignored (SQLite appends added columns)."""
    tables = _sqlite_schema(cursor) if vendor == "sqlite" else _postgresql_schema(cursor)
    for table, described in tables.items():
        cursor.execute(ROWS.get(table) or 'SELECT {} FROM "{}"'.format(
            ", ".join(f'"{column}"' for column in sorted(described["columns"])), table))
        described["rows"] = sorted(tuple(_canonical(value) for value in row)
                                   for row in cursor.fetchall())
    return tables


# Rows compared without what differs by nature. Migrations record when each was applied;
# content types are made in another order (the migrations' model state against the app
# registry), so they and the permissions pointing at them are compared by natural key.
ROWS = {
    "django_migrations": 'SELECT "app", "name" FROM "django_migrations"',
    "django_content_type": 'SELECT "app_label", "model" FROM "django_content_type"',
    "auth_permission": 'SELECT p."codename", p."name", t."app_label", t."model"'
    ' FROM "auth_permission" p JOIN "django_content_type" t ON t."id" = p."content_type_id"',
}


def _canonical(value):
    if isinstance(value, datetime):
        return "a time"  # of writing the row (auto_now_add): differs by nature
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, dict | list):  # JSON: parsed on PostgreSQL, text on SQLite
        return json.dumps(value, sort_keys=True)
    return repr(value)


def _sqlite_schema(cursor):
    # sqlite_sequence (the next id of each table) is SQLite's own, and migrations that remake a
    # table leave an entry in it.
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name != 'sqlite_sequence'"
    )
    tables = {}
    for name, sql in cursor.fetchall():
        body = sql[sql.index("(") + 1 : sql.rindex(")")]
        parts = [" ".join(part.split()) for part in _top_level(body)]
        columns = {part.split()[0].strip('"'): part for part in parts if part.startswith('"')}
        tables[name] = {
            "columns": columns,
            "constraints": sorted(part for part in parts if not part.startswith('"')),
            "indexes": [],
        }
    cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql NOT NULL")
    for table, sql in cursor.fetchall():
        unnamed = re.sub(r'INDEX (?:"[^"]+"|\S+) ON', "INDEX ON", " ".join(sql.split()))
        tables[table]["indexes"].append(unnamed)
    for described in tables.values():
        described["indexes"].sort()
    return tables


def _top_level(body):
    """A CREATE TABLE body split at the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for position, character in enumerate(body):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == "," and depth == 0:
            parts.append(body[start:position])
            start = position + 1
    parts.append(body[start:])
    return parts


def _postgresql_schema(cursor):
    cursor.execute(
        "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision,"
        " numeric_scale, is_nullable, column_default, is_identity, identity_generation"
        " FROM information_schema.columns WHERE table_schema = 'public'"
    )
    tables = {}
    for table, column, *definition in cursor.fetchall():
        described = tables.setdefault(table, {"columns": {}, "constraints": [], "indexes": []})
        described["columns"][column] = tuple(definition)
    cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'")
    for table, definition in cursor.fetchall():
        tables[table]["indexes"].append(re.sub(r"INDEX \S+ ON", "INDEX ON", definition))
    cursor.execute(
        "SELECT c.relname, con.contype, pg_get_constraintdef(con.oid) FROM pg_constraint con"
        " JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public'"
    )
    for table, kind, definition in cursor.fetchall():
        tables[table]["constraints"].append(f"{kind} {definition}")
    for described in tables.values():
        described["indexes"].sort()
        described["constraints"].sort()
    return tables
