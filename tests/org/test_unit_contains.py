"""A unit inside another: the unit itself or any unit whose path goes on after a "/"; one rule
(`Unit.contains`, `Unit.path_contains`, `Unit.subtree`) that every check uses."""

import pytest

from clinlead.org.models import Unit
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def unit(organisation, path):
    parent = Unit.objects.get(organisation=organisation, path=path.rsplit("/", 1)[0]) if "/" in path else None
    return Unit.objects.create(organisation=organisation, parent=parent, name=path.rsplit("/", 1)[-1],
                               path=path, depth=path.count("/"))


def test_a_unit_contains_itself_and_every_unit_below_it_and_nothing_else():
    trust = OrganisationFactory()
    medicine = unit(trust, "Medicine")
    cardiology = unit(trust, "Medicine/Cardiology")
    ward = unit(trust, "Medicine/Cardiology/Ward 7")
    lookalike = unit(trust, "Medicine2")
    surgery = unit(trust, "Surgery")
    assert medicine.contains(medicine) and medicine.contains(cardiology) and medicine.contains(ward)
    assert not cardiology.contains(medicine)
    assert not medicine.contains(lookalike) and not medicine.contains(surgery)
    assert set(medicine.subtree()) == {u for u in Unit.objects.all() if medicine.contains(u)}


def test_a_unit_with_the_same_path_at_another_trust_is_not_inside():
    ours, theirs = OrganisationFactory(), OrganisationFactory()
    medicine = unit(ours, "Medicine")
    unit(theirs, "Medicine")
    elsewhere = unit(theirs, "Medicine/Cardiology")
    assert Unit.path_contains(medicine.path, elsewhere.path)
    assert not medicine.contains(elsewhere)
    assert elsewhere not in medicine.subtree()
