"""Helpers for the succession tests, built on the shared `demo` fixture (tests/conftest.py)."""

from datetime import date

import pytest

from clinlead.org.models import Appointment, Organisation, Person, Position
from tests.factories import user  # noqa: F401  (the succession tests import it from here)


def current_appointment(position, day=None):
    day = day or date.today()
    return Appointment.objects.held_on(day).get(position=position)


def northgate_people(*, exclude=(), profession=None, count=10):
    """Active Northgate staff who hold no position today and sit in no pool (candidates)."""
    from clinlead.succession.models import PoolCandidate

    holders = Appointment.objects.filter(ended_on__isnull=True, end__gte=date.today()).values("person_id")
    people = Person.objects.filter(organisation__slug="northgate", active=True, user__isnull=True).exclude(
        id__in=holders).exclude(id__in=list(exclude)).exclude(id__in=PoolCandidate.objects.values("person_id"))
    if profession:
        people = people.filter(profession=profession)
    return list(people.order_by("id")[:count])


@pytest.fixture
def northgate(demo):
    return Organisation.objects.get(slug="northgate")


@pytest.fixture
def alices_position(demo):
    return Position.objects.get(organisation__slug="northgate", title="Clinical Director, Cardiology")


@pytest.fixture
def urology(demo):
    return Position.objects.get(organisation__slug="northgate", title="Clinical Director, Urology")


@pytest.fixture
def no_succession_data(demo):
    """The demo group without the succession demo data, for tests that count from nothing."""
    from clinlead.succession.models import (
        IncumbentPlan,
        MonitorSnapshot,
        PoolCandidate,
        SuccessionPool,
    )

    PoolCandidate.objects.all().delete()
    SuccessionPool.objects.all().delete()
    IncumbentPlan.objects.all().delete()
    MonitorSnapshot.objects.all().delete()
    return demo
