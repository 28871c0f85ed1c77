"""`clinlead demo`: builds the group once, rebuilds on --reset, never touches other data.

The console script builds the demo once for this module, at its default size, as a user runs it
(`demo_folder`); the tests that only read what it built share it, and a test that runs the
command again does so on a copy of its data folder."""

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinlead.org.models import Organisation, Person, Position, ReportingLine
from tests.conftest import DEMO_SEED, DEMO_STAFF
from tests.factories import OrganisationFactory
from tests.migrated_sqlite import DATABASE_FILE, migrated_database, migrated_sqlite_fixture  # noqa: F401

# What the demo command builds does not depend on the database engine: SQLite only.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture(autouse=True)
def _own_key_folder(settings, tmp_path):
    """A demo built here leaves its custodians' key files in a folder of its own: in the test
    process's folder they would replace those of the shared demo, whose cycles and ballots other
    tests close with them."""
    settings.DEMO_KEY_DIR = tmp_path / "demo-custody-keys"


def clinlead(folder, *arguments):
    """Run the console script (`python -m clinlead`) on the data folder; its completed process."""
    env = dict(os.environ, CLINLEAD_DATA_DIR=str(folder))
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "clinlead", *arguments], env=env,
                          capture_output=True, text=True, timeout=600)


def copy_of(folder, tmp_path):
    """A data folder of the test's own, holding a copy of the folder's database."""
    copy = tmp_path / "data"
    copy.mkdir()
    (copy / "frontend").symlink_to((folder / "frontend").resolve(), target_is_directory=True)
    shutil.copyfile(folder / DATABASE_FILE, copy / DATABASE_FILE)
    return copy


def query(folder, sql):
    """The rows of a query on the folder's database (read only)."""
    with sqlite3.connect(f"file:{folder / DATABASE_FILE}?mode=ro", uri=True) as database:
        return database.execute(sql).fetchall()


def count(folder, model, where="1 = 1"):
    return query(folder, f"SELECT COUNT(*) FROM {model._meta.db_table} WHERE {where}")[0][0]


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory, installed_frontend, migrated_sqlite):
    """A data folder in which `clinlead demo --no-serve` has run, and the command's run. The
    front end installed once for the test run serves it too (no second npm ci), and the database
    migrated once for the run is copied in (the command's migrate has nothing to do)."""
    folder = tmp_path_factory.mktemp("demo-command")
    (folder / "frontend").symlink_to(installed_frontend, target_is_directory=True)
    migrated_database(folder, migrated_sqlite)
    return folder, clinlead(folder, "demo", "--no-serve")


@pytest.fixture(scope="module")
def rebuilt(demo_folder, tmp_path_factory):
    """A copy of the demo rebuilt by `--reset` at the shared demo fixture's size and seed."""
    folder, _ = demo_folder
    copy = copy_of(folder, tmp_path_factory.mktemp("demo-reset"))
    done = clinlead(copy, "demo", "--no-serve", "--reset", "--staff", str(DEMO_STAFF),
                    "--seed", str(DEMO_SEED))
    assert done.returncode == 0, done.stderr
    return copy


def test_the_console_script_builds_the_demo_and_serves_nothing_with_no_serve(demo_folder):
    folder, done = demo_folder
    assert done.returncode == 0, done.stderr
    assert "password for every login" in done.stdout
    assert "Fetching front-end packages" not in done.stdout
    assert count(folder, Organisation) == 3


def test_the_demo_group_is_realistic(demo_folder):
    folder, _ = demo_folder
    people = count(folder, Person)
    assert 2900 <= people <= 3300
    assert 130 <= count(folder, Position) <= 200
    assert 0.25 < count(folder, Person, "profession = 'nurse'") / people < 0.45
    # Everyone but the three chief executives has an immediate leader.
    assert people - count(folder, ReportingLine) == 3


def test_the_demo_loads_once_and_a_second_run_changes_nothing(demo_folder, tmp_path):
    folder, _ = demo_folder
    copy = copy_of(folder, tmp_path)
    again = clinlead(copy, "demo", "--no-serve", "--staff", "200")
    assert again.returncode == 0, again.stderr
    assert "already loaded" in again.stdout
    assert count(copy, Person) == count(folder, Person)
    for username in ("alice", "bob", "charlie", "tara", "erin", "aude", "sam", "admin"):
        assert f"  {username} " in again.stdout


def test_reset_rebuilds_the_demo(demo_folder, rebuilt):
    folder, _ = demo_folder
    first = count(folder, Person)
    # Rebuilt at the new size, and the first demo's people are gone.
    assert DEMO_STAFF <= count(rebuilt, Person) < first + DEMO_STAFF


@pytest.mark.django_db
def test_the_demo_is_the_same_every_time_for_one_seed(rebuilt, demo):
    # Two builds with one seed: the console script's, after --reset, in a process of its own,
    # and this test process's shared demo (built as the command builds it).
    people = f"SELECT staff_number, last_name, profession FROM {Person._meta.db_table} ORDER BY staff_number"
    here = list(Person.objects.order_by("staff_number").values_list("staff_number", "last_name", "profession"))
    assert query(rebuilt, people) == here


@pytest.mark.django_db
def test_reset_refuses_a_database_with_other_organisations():
    OrganisationFactory(name="A Real Trust", slug="real-trust")
    with pytest.raises(CommandError, match="refuses"):
        call_command("demo", "--no-serve", "--reset")
    assert Organisation.objects.filter(slug="real-trust").exists()


@pytest.mark.django_db
def test_the_personas_are_who_their_stories_say(demo):
    """Alice leads Bob's team; Charlie is a Band 5 ward nurse at another trust, with no position
    and nobody reporting to him (so he may not manage any succession pool)."""
    from clinlead.org.models import Appointment

    alice, bob, charlie = (Person.objects.get(user__username=u) for u in ("alice", "bob", "charlie"))
    assert ReportingLine.objects.filter(person=bob, end__isnull=True).get().leader == alice
    assert (charlie.profession, charlie.grade, charlie.organisation.slug) == ("nurse", "Band 5", "riverside")
    assert not Appointment.objects.filter(person=charlie).exists()
    assert not ReportingLine.objects.filter(leader=charlie).exists()
