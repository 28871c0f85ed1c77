"""`clinlead demo`: builds the group once, rebuilds on --reset, never touches other data."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinlead.org.models import Organisation, Person, Position, ReportingLine
from tests.factories import OrganisationFactory
from tests.migrated_sqlite import migrated_database, migrated_sqlite_fixture  # noqa: F401

# What the demo command builds does not depend on the database engine: SQLite only.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_only]


@pytest.fixture(autouse=True)
def _own_key_folder(settings, tmp_path):
    """A demo built here leaves its custodians' key files in a folder of its own: in the test
    process's folder they would replace those of the shared demo, whose cycles and ballots other
    tests close with them."""
    settings.DEMO_KEY_DIR = tmp_path / "demo-custody-keys"


# The demo's size does not matter to what these tests check (the default size has its own test):
# they build the smallest demo that holds every persona, as the shared fixture does.
def test_the_demo_loads_once_and_a_second_run_changes_nothing(capsys):
    call_command("demo", "--no-serve", "--staff", "200")
    people = Person.objects.count()
    assert Organisation.objects.count() == 3 and people >= 200
    call_command("demo", "--no-serve", "--staff", "200")
    out = capsys.readouterr().out
    assert "already loaded" in out
    assert Person.objects.count() == people
    for username in ("alice", "bob", "charlie", "tara", "erin", "aude", "sam", "admin"):
        assert f"  {username} " in out


# --reset empties the database as the command does for real: outside any test transaction
# (PostgreSQL refuses TRUNCATE in a transaction that has just inserted rows).
@pytest.mark.django_db(transaction=True)
def test_reset_rebuilds_the_demo(capsys):
    call_command("demo", "--no-serve", "--staff", "200")
    first = Person.objects.count()
    call_command("demo", "--no-serve", "--staff", "250", "--reset")
    # Rebuilt at the new size, and the first demo's people are gone.
    assert 250 <= Person.objects.count() < first + 250


def test_reset_refuses_a_database_with_other_organisations():
    OrganisationFactory(name="A Real Trust", slug="real-trust")
    with pytest.raises(CommandError, match="refuses"):
        call_command("demo", "--no-serve", "--reset")
    assert Organisation.objects.filter(slug="real-trust").exists()


# --reset empties the database as the command does for real: outside any test transaction
# (PostgreSQL refuses TRUNCATE in a transaction that has just inserted rows).
@pytest.mark.django_db(transaction=True)
def test_the_demo_is_the_same_every_time_for_one_seed():
    call_command("demo", "--no-serve", "--staff", "200", "--seed", "9")
    first = list(Person.objects.order_by("staff_number").values_list("staff_number", "last_name", "profession"))
    call_command("demo", "--no-serve", "--staff", "200", "--seed", "9", "--reset")
    second = list(Person.objects.order_by("staff_number").values_list("staff_number", "last_name", "profession"))
    assert first == second


def test_the_demo_group_is_realistic():
    call_command("demo", "--no-serve")
    assert 2900 <= Person.objects.count() <= 3300
    assert 130 <= Position.objects.count() <= 200
    share = Person.objects.filter(profession="nurse").count() / Person.objects.count()
    assert 0.25 < share < 0.45
    # Everyone but the three chief executives has an immediate leader.
    assert Person.objects.count() - ReportingLine.objects.count() == 3


def test_the_console_script_serves_nothing_with_no_serve(tmp_path, installed_frontend,
                                                         migrated_sqlite):
    # The front end installed once for the test run serves this data folder too (no second npm ci),
    # and the database migrated once for the run is copied in (the command's migrate has nothing to do).
    (tmp_path / "frontend").symlink_to(installed_frontend, target_is_directory=True)
    migrated_database(tmp_path, migrated_sqlite)
    env = dict(os.environ, CLINLEAD_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "clinlead", "demo", "--no-serve", "--staff", "200"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "password for every login" in done.stdout
    assert "Fetching front-end packages" not in done.stdout


def test_the_personas_are_who_their_stories_say(demo):
    """Alice leads Bob's team; Charlie is a Band 5 ward nurse at another trust, with no position
    and nobody reporting to him (so he may not manage any succession pool)."""
    from clinlead.org.models import Appointment

    alice, bob, charlie = (Person.objects.get(user__username=u) for u in ("alice", "bob", "charlie"))
    assert ReportingLine.objects.filter(person=bob, end__isnull=True).get().leader == alice
    assert (charlie.profession, charlie.grade, charlie.organisation.slug) == ("nurse", "Band 5", "riverside")
    assert not Appointment.objects.filter(person=charlie).exists()
    assert not ReportingLine.objects.filter(leader=charlie).exists()
