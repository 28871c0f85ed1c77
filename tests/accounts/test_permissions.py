"""The object rules: Alice may, Bob on her team may see what staff see, Charlie may not."""

import pytest

from clinlead.accounts import permissions
from clinlead.org.models import Organisation, Unit
from tests.factories import user

pytestmark = pytest.mark.django_db


def test_staff_see_only_their_own_organisation(demo):
    northgate, riverside = (
        Organisation.objects.get(slug="northgate"),
        Organisation.objects.get(slug="riverside"),
    )
    assert permissions.can_view_organisation(user("bob"), northgate)
    assert not permissions.can_view_organisation(user("bob"), riverside)
    assert not permissions.can_view_organisation(user("charlie"), northgate)


def test_alice_is_a_leader_and_bob_is_not(demo):
    assert permissions.is_leader(user("alice"))
    assert not permissions.is_leader(user("bob"))


def test_a_director_sees_aggregates_for_their_own_unit_only(demo):
    cardiology = Unit.objects.get(organisation__slug="northgate", path="Medicine/Cardiology")
    team = cardiology.children.first()
    urology = Unit.objects.get(organisation__slug="northgate", path="Surgery/Urology")
    alice = user("alice")
    assert permissions.can_see_unit_aggregates(alice, cardiology)
    assert permissions.can_see_unit_aggregates(alice, team)
    assert not permissions.can_see_unit_aggregates(alice, urology)
    assert not permissions.can_see_unit_aggregates(user("bob"), cardiology)
    assert permissions.can_see_unit_aggregates(user("erin"), urology)


def test_a_talent_admin_acts_for_their_organisation_only(demo):
    tara = user("tara")
    assert permissions.can_import_hr(tara, Organisation.objects.get(slug="northgate"))
    assert not permissions.can_import_hr(tara, Organisation.objects.get(slug="riverside"))


def test_special_category_access_needs_its_own_grant(demo):
    northgate = Organisation.objects.get(slug="northgate")
    assert permissions.can_see_special_category(user("sam"), northgate)
    for name in ("tara", "erin", "aude", "alice", "bob"):
        assert not permissions.can_see_special_category(user(name), northgate), name
