"""A migrated, empty SQLite database for the tests that start Clinlead in a process of its own
(the console script, `serve`, the restore drill) with a data folder of their own.

Migrating a new SQLite file takes `clinlead migrate` over ten seconds of CPU; these tests check
what happens after it, so the database is migrated once per test run, by the real command, and
each test gets a copy: `migrated_database(data_folder, migrated_sqlite)`. The xdist workers share
the one file (made under a lock in the run's common temporary folder).

Import the fixture into the test module (its name there is `migrated_sqlite`):
`from tests.migrated_sqlite import migrated_database, migrated_sqlite_fixture  # noqa: F401`.
"""

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATABASE_FILE = "clinlead.sqlite3"  # where settings put the database in CLINLEAD_DATA_DIR


@pytest.fixture(scope="session", name="migrated_sqlite")
def migrated_sqlite_fixture(tmp_path_factory):
    """The path of the migrated template; copy it, never open it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # every worker's base folder is in the run's
    template = root / "migrated-clinlead.sqlite3"
    with open(root / "migrated-clinlead.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            data = root / "migrated-clinlead-data"
            data.mkdir(exist_ok=True)
            env = {**os.environ, "CLINLEAD_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
            env.pop("DATABASE_URL", None)
            subprocess.run([sys.executable, "-m", "clinlead", "migrate", "-v", "0"],
                           env=env, cwd=REPO, check=True, timeout=600)
            # The process has ended, so its write-ahead log is folded into the file.
            shutil.copyfile(data / DATABASE_FILE, root / "migrated-clinlead.partial")
            (root / "migrated-clinlead.partial").rename(template)
    return template


def migrated_database(data_folder, template):
    """Put a copy of the migrated database where Clinlead, with CLINLEAD_DATA_DIR=data_folder,
    looks for its SQLite file."""
    Path(data_folder).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, Path(data_folder) / DATABASE_FILE)
