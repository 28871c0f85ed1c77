"""The restore drill of docs/operations.md, for real, with the commands the document gives.

A database is built as an installation's would be (the demo: published survey cycles, counted
ballots, an open survey with sealed answers), backed up with `clinlead backup`, restored into a
fresh database (PostgreSQL: `createdb` and `pg_restore`; SQLite: the file copied into a new data
folder), and checked: every migration applied, every table's rows identical
(`clinlead restore-check --json`), the published figures, the ballot recounts and the pages the
same, and the open survey still closes with its custodian's key file. The backup is then read as
an attacker would read it, for what it must never hold.

The PostgreSQL drill runs in the PostgreSQL pass of `.ci/run`, the SQLite drill in the SQLite pass.
Each step is a separate process with the environment an operator's shell would have.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.migrated_sqlite import migrated_database, migrated_sqlite_fixture  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def run(command, env, *, python=True):
    done = subprocess.run(
        [sys.executable, *command] if python else command,
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=900,
    )
    assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-4000:])
    return done.stdout


def clinlead(env, *arguments):
    return run(["-m", "clinlead", *arguments], env).decode()


def last_json(output):
    return json.loads(output.decode().strip().splitlines()[-1])


def environment(data_dir, database_url=None):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinlead.settings",
        "CLINLEAD_DATA_DIR": str(data_dir),
        "CLINLEAD_CACHE_URL": "file",
        "PYTHONPATH": str(REPO),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def never_in(backup_text, secrets):
    """The secrets found in a backup's bytes (none may be)."""
    return sorted(name for name, value in secrets.items() if value.encode() in backup_text)


def drill(source_env, restored_env, take_backup, restore, read_backup):
    """The steps common to both databases; returns what the checks found."""
    made = last_json(run(["-m", "tests.deployment.drill_setup"], source_env))
    # What people read first (it logs two people in: their sessions are rows too), then the rows.
    figures = last_json(run(["-m", "tests.deployment.drill_check"], source_env))
    before = json.loads(clinlead(source_env, "restore-check", "--json"))
    backup = take_backup()
    assert backup.stat().st_mode & 0o077 == 0, "a backup is readable by its owner only"
    restore(backup)

    assert "No planned migration operations" in clinlead(restored_env, "migrate", "--plan")
    after = json.loads(clinlead(restored_env, "restore-check", "--json"))
    assert after["migrations"] == []
    assert after["tables"] == before["tables"]
    assert before["tables"]["surveys_sealedresponse"]["rows"] > 0
    assert before["tables"]["leaderindex_leaderresult"]["rows"] > 0
    assert before["tables"]["selection_ballot"]["rows"] > 0

    restored = last_json(
        run(["-m", "tests.deployment.drill_check", "--close", made["key_file"]], restored_env)
    )
    closed = restored.pop("closed")
    assert restored == figures
    assert figures["published"] and figures["recounts"]
    assert all(r["published"] == r["recounted"] for r in figures["recounts"].values())
    assert figures["pages"] == {"leader report": 200, "dashboard": 200, "index shown": True}
    # The open survey's sealed answers came back and open with the custodian's key file.
    assert closed["sealed"] > 0 and closed["left sealed"] == 0
    assert closed["opened"] == closed["sealed"]

    assert never_in(read_backup(backup), made["secrets"]) == []
    return made


@pytest.fixture
def folders(tmp_path):
    source, restored = tmp_path / "source", tmp_path / "restored"
    source.mkdir()
    restored.mkdir()
    return tmp_path, source, restored


# Marked `postgresql`: it asks for no test database (it makes its own), so the PostgreSQL pass
# would otherwise skip it as a test that uses none, and it would run in neither pass.
@pytest.mark.postgresql
@pytest.mark.skipif(not ON_POSTGRESQL, reason="the PostgreSQL drill runs in the PostgreSQL pass")
def test_a_postgresql_backup_restores_to_the_same_rows_figures_and_recounts(folders):
    tmp, source_dir, restored_dir = folders
    base = settings.DATABASES["default"]
    server = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}"
    tag = uuid.uuid4().hex[:8]
    source_db, restored_db = f"clinlead_drill_{tag}", f"clinlead_restore_{tag}"
    source_env = environment(source_dir, f"{server}/{source_db}")
    restored_env = environment(restored_dir, f"{server}/{restored_db}")
    # The restored installation keeps the source's secret key (production sets
    # CLINLEAD_SECRET_KEY; here the data folder's file is copied with the rest).
    pg = {
        **os.environ,
        "PGHOST": base["HOST"],
        "PGPORT": str(base["PORT"]),
        "PGUSER": base["USER"],
    }

    def take_backup():
        backup = tmp / "clinlead.dump"
        clinlead(source_env, "backup", str(backup))
        return backup

    def restore(backup):
        run(["createdb", "--template=template0", restored_db], pg, python=False)
        run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_db}", str(backup)],
            pg,
            python=False,
        )
        shutil.copyfile(source_dir / "secret_key", restored_dir / "secret_key")
        shutil.copytree(source_dir / "media", restored_dir / "media", dirs_exist_ok=True)

    def read_backup(backup):
        # The custom format is compressed: read it as SQL text, as anyone holding it can.
        return run(["pg_restore", "--file=-", str(backup)], pg, python=False)

    run(["createdb", "--template=template0", source_db], pg, python=False)
    try:
        drill(source_env, restored_env, take_backup, restore, read_backup)
    finally:
        for name in (source_db, restored_db):
            subprocess.run(["dropdb", "--if-exists", "--force", name], env=pg, capture_output=True)


@pytest.mark.sqlite_only
def test_an_online_sqlite_backup_restores_to_the_same_rows_figures_and_recounts(
    folders, migrated_sqlite
):
    tmp, source_dir, restored_dir = folders
    source_env, restored_env = environment(source_dir), environment(restored_dir)
    database = source_dir / "clinlead.sqlite3"
    # Migrated once for the run (drill_setup's migrate then finds nothing to do): what is drilled
    # is the backup and restore of the data, not the migrations.
    migrated_database(source_dir, migrated_sqlite)

    def take_backup():
        backup = tmp / "clinlead-backup.sqlite3"
        # Online: a writer is in the middle of a transaction while the backup is taken; the
        # backup holds the database as committed, without the half-done write.
        writer = sqlite3.connect(database, timeout=20)
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE surveys_surveycycle SET name = name || ' (half-written)'")
        try:
            clinlead(source_env, "backup", str(backup))
        finally:
            writer.rollback()
            writer.close()
        return backup

    def restore(backup):
        # With the servers stopped: the file in place of the database, the rest of the data
        # folder (secret key, uploaded evidence) from the file backup of the folder.
        shutil.copyfile(backup, restored_dir / "clinlead.sqlite3")
        shutil.copyfile(source_dir / "secret_key", restored_dir / "secret_key")
        shutil.copytree(source_dir / "media", restored_dir / "media", dirs_exist_ok=True)

    def read_backup(backup):
        return backup.read_bytes()  # every byte of the file, free pages included

    drill(source_env, restored_env, take_backup, restore, read_backup)
