"""The test databases are made from the models, not by the migrations (tests/tables_from_models.py).
That is only sound while both give the same database: the same tables, columns (type,
nullability, default), indexes and constraints, and the same rows (what data migrations seed, the
record of applied migrations). A migration that seeds rows in a new RunPython, or makes an index
in RunSQL, makes this test fail until tables_from_models.py does the same.

The reference is made by `clinlead migrate` itself: on SQLite the run's migrated database
(tests/migrated_sqlite.py), on PostgreSQL a database of its own, migrated for this module."""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import connection

from tests.migrated_sqlite import REPO, migrated_sqlite_fixture  # noqa: F401
from tests.tables_from_models import describe

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def migrated(request, tmp_path_factory, django_db_blocker):
    """What `clinlead migrate` makes of an empty database of the test database's engine."""
    if connection.vendor == "sqlite":
        template = request.getfixturevalue("migrated_sqlite")
        # Django's converters (dates, booleans), as the test database's cursor applies them.
        kept = sqlite3.connect(f"file:{template}?mode=ro&immutable=1", uri=True,
                               detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
        try:
            return describe(kept.cursor(), "sqlite")
        finally:
            kept.close()
    return _migrated_postgresql(tmp_path_factory.mktemp("migrated-postgresql"))


def _migrated_postgresql(data_folder):
    import psycopg

    ours = connection.settings_dict
    name = f"{ours['NAME']}_migrated"[:63]
    where = {"host": ours["HOST"] or None, "port": ours["PORT"] or None, "user": ours["USER"],
             "password": ours["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        login = ours["USER"] + (f":{ours['PASSWORD']}" if ours["PASSWORD"] else "")
        url = f"postgres://{login}@{ours['HOST'] or 'localhost'}:{ours['PORT'] or 5432}/{name}"
        env = {**os.environ, "DATABASE_URL": url, "CLINLEAD_DATA_DIR": str(data_folder),
               "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "clinlead", "migrate", "-v", "0"], env=env, cwd=REPO,
                       check=True, timeout=600)
        with psycopg.connect(dbname=name, **where) as migrated:
            # JSON as text, as Django's connection reads it (it parses JSON in the field).
            for kind in ("json", "jsonb"):
                migrated.adapters.register_loader(kind, psycopg.types.string.TextLoader)
            return describe(migrated.cursor(), "postgresql")
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **where) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _test_database():
    with connection.cursor() as cursor:
        return describe(cursor, connection.vendor)


def _differences(made, migrated):
    """Each table whose description differs, with both descriptions, part by part."""
    return {
        table: {part: (made.get(table, {}).get(part), migrated.get(table, {}).get(part))
                for part in ("columns", "indexes", "constraints", "rows")
                if made.get(table, {}).get(part) != migrated.get(table, {}).get(part)}
        for table in sorted(set(made) | set(migrated))
        if made.get(table) != migrated.get(table)
    }


def test_the_test_database_is_what_the_migrations_make(migrated):
    made = _test_database()
    assert "development_framework" in made and made["development_framework"]["rows"]
    assert _differences(made, migrated) == {}


def test_a_seeded_row_missing_or_an_index_of_its_own_would_be_seen(migrated):
    # Rolled back with the test's transaction (DDL is transactional on both engines).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM development_frameworklevel")
        cursor.execute("CREATE INDEX made_by_runsql ON development_framework (name)")
    differing = _differences(_test_database(), migrated)
    assert set(differing) == {"development_frameworklevel", "development_framework"}
    assert set(differing["development_frameworklevel"]) == {"rows"}
    assert set(differing["development_framework"]) == {"indexes"}


@pytest.mark.django_db(transaction=True)
def test_the_seeded_rows_loaded_again_after_a_flush_are_the_migrated_ones(migrated):
    """A test that commits ends with a flush, and the next test on the empty database gets the
    seeded rows loaded again (conftest's `_reload_seed_data`, on PostgreSQL): with the ids a
    migrated database gives them, not the next ids of the flushed tables' sequences. (Which
    test ran before decided whether the first test above passed in the PostgreSQL pass.)"""
    from django.core.management import call_command

    from tests.conftest import _reload_seed_data

    # As a committing test ends (TransactionTestCase keeps the sequences going).
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    _reload_seed_data()
    assert _differences(_test_database(), migrated) == {}
