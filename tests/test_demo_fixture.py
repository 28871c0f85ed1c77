"""The `demo` fixture's promise, now that the demo is built once per test process: every test
that asks for it sees the demo as built, whatever the test before it changed, and a test that
does not ask for it sees an empty database.

The tests in this file run in order, in one process (their xdist_group).
"""

from pathlib import Path

import pytest

from clinlead.accounts.models import User
from clinlead.development.models_programmes import EvidenceFile
from clinlead.org.models import Organisation, Person

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-fixture")]

ALICE = ("Alice", "Morgan")


@pytest.mark.parametrize("turn", ["changes it", "finds it as built"])
def test_each_test_sees_the_demo_as_built(demo, turn):
    alice = Person.objects.get(user__username="alice")
    northgate = demo.organisations["northgate"]
    assert (alice.first_name, alice.last_name) == ALICE
    assert northgate.name == "Northgate Teaching Hospitals NHS Foundation Trust"
    assert User.objects.filter(username="bob").exists()
    if turn == "changes it":
        Person.objects.filter(pk=alice.pk).update(first_name="Changed")
        User.objects.filter(username="bob").delete()
        northgate.name = "Changed in memory"  # the world object is the test's own copy


def test_a_test_without_the_demo_sees_an_empty_database():
    assert not Organisation.objects.exists() and not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_test_that_commits_sees_the_demo_and_leaves_it_as_built(demo):
    alice = Person.objects.get(user__username="alice")
    Person.objects.filter(pk=alice.pk).update(first_name="Committed")


def test_after_a_committing_test_the_next_sees_the_demo_as_built(demo):
    assert Person.objects.get(user__username="alice").first_name == ALICE[0]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_demo_files_are_in_this_tests_media_root(media_root, demo):
    stored = list(EvidenceFile.objects.values_list("stored_name", flat=True))
    assert stored, "the demo stores evidence files"
    assert all((Path(media_root) / name).is_file() for name in stored)
