"""Backups and restore checks (docs/operations.md).

`take_backup` copies the live database into one file while the servers keep running:
- SQLite: `VACUUM INTO`, a consistent copy made through SQLite itself (never a file copy of a
  live database, which can catch a write half-done or miss what is still in the write-ahead
  log). The copy is written afresh, so it holds no free pages: nothing deleted (answers opened
  and rewritten at a close, boxes destroyed) travels in a backup's unused space.
- PostgreSQL: `pg_dump --format=custom`, one consistent snapshot, compressed; restored with
  `pg_restore`. A logical dump holds live rows only, never a dead row version.
The file is readable by its owner only.

`fingerprint` describes a database so that a restored copy can be compared with its source:
every migration applied, and for each table of a model its row count and a hash of its rows in
key order. Two databases with the same fingerprint hold the same rows.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class BackupError(Exception):
    """The backup could not be made; the message says why (never a password)."""


def take_backup(*, target: Path, alias: str = DEFAULT_DB_ALIAS) -> str:
    """Write a backup of the database to `target` (a new file); returns the command it ran."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already: a backup never overwrites a file")
    settings = connections[alias].settings_dict
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return _sqlite_backup(Path(settings["NAME"]), target)
    if vendor == "postgresql":
        return _pg_dump(settings, target)
    raise BackupError(f"no backup for a {vendor} database")


def _sqlite_backup(source: Path, target: Path) -> str:
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    old_mask = os.umask(0o077)  # the copy is readable by its owner only, also while written
    try:
        database = sqlite3.connect(source, timeout=20)
        try:
            database.execute("VACUUM INTO ?", (str(partial),))
        finally:
            database.close()
        copy = sqlite3.connect(partial)
        try:
            state = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        os.umask(old_mask)
    if state != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed SQLite's integrity check: {state}")
    partial.rename(target)
    return f"VACUUM INTO '{target}' (SQLite {sqlite3.sqlite_version})"


def pg_environment(settings) -> dict:
    """The libpq variables naming the database (the password never goes on a command line)."""
    env = {**os.environ, "PGDATABASE": settings["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def _pg_dump(settings, target: Path) -> str:
    command = ["pg_dump", "--format=custom", f"--file={target}"]
    old_mask = os.umask(0o077)
    try:
        done = subprocess.run(command, env=pg_environment(settings), capture_output=True, text=True)
    finally:
        os.umask(old_mask)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
    # pg_restore reads the whole table of contents: a truncated or damaged dump fails here.
    listed = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise BackupError(f"the dump cannot be read back: {listed.stderr.strip()[-500:]}")
    return " ".join(command)


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _canonical(value):
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, str):
        # A JSON column comes back parsed on PostgreSQL and as text on SQLite: compare its value.
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return parsed if isinstance(parsed, dict | list) else value
    return value


def fingerprint(alias: str = DEFAULT_DB_ALIAS) -> dict:
    """{"migrations": [...unapplied], "tables": {table: {"rows": n, "sha256": ...}}}."""
    connection = connections[alias]
    tables = {}
    models = sorted({m for m in apps.get_models(include_auto_created=True) if m._meta.managed
                     and not m._meta.proxy}, key=lambda m: m._meta.db_table)
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            columns = [f.column for f in model._meta.local_concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)} "
                           f"ORDER BY {connection.ops.quote_name(model._meta.pk.column)}")
            digest, rows = hashlib.sha256(), 0
            for row in cursor.fetchall():
                line = json.dumps([_canonical(v) for v in row], sort_keys=True, default=str)
                digest.update(line.encode())
                digest.update(b"\n")
                rows += 1
            tables[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return {"migrations": unapplied_migrations(alias), "tables": tables}
