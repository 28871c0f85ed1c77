"""Who holds a position on a day: one definition, `Appointment.objects.held_on(day)`.

A holder who leaves early serves to `ended_on`, not to the term's end, and is the holder on
every day up to it, including the days between a successor being appointed and starting.
"""

from datetime import date, timedelta

import pytest

from clinlead.accounts.permissions import holds_position, led_units
from clinlead.org import appointments
from clinlead.org.models import Appointment, Position
from clinlead.org.selectors import positions_with_holders
from tests.factories import user
from tests.succession.conftest import northgate_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def handover(demo):
    """Alice's successor as Clinical Director for Cardiology is appointed today to start in 30 days."""
    post = Position.objects.get(organisation__slug="northgate", title="Clinical Director, Cardiology")
    alice = user("alice").person
    successor = northgate_people(count=1)[0]
    today = date.today()
    appointments.appoint(actor=user("tara"), position=post, person=successor, start=today + timedelta(days=30),
                  management_sessions=2, clinical_sessions=8)
    outgoing = Appointment.objects.get(position=post, person=alice, start__lte=today)
    return post, alice, successor, outgoing


def test_an_early_leaver_holds_the_position_up_to_and_including_their_last_day(handover):
    post, alice, successor, outgoing = handover
    last = outgoing.ended_on
    assert last == date.today() + timedelta(days=29) and last < outgoing.end

    def holders(day):
        return set(Appointment.objects.held_on(day).filter(position=post).values_list("person_id", flat=True))

    assert holders(date.today()) == {alice.pk}
    assert holders(last) == {alice.pk}
    assert holders(last + timedelta(days=1)) == {successor.pk}
    assert holders(outgoing.start - timedelta(days=1)).isdisjoint({alice.pk, successor.pk})
    assert all(a.in_force_on(day) for day in (date.today(), last)
               for a in Appointment.objects.held_on(day).filter(position=post))


def test_the_outgoing_holder_keeps_her_rights_and_her_place_on_the_register_until_she_leaves(handover):
    post, alice, _, _ = handover
    alices = user("alice")
    assert post.unit in led_units(alices)
    assert holds_position(alices, post)
    shown = positions_with_holders(queryset=Position.objects.filter(pk=post.pk), day=date.today()).get()
    assert [a.person_id for a in shown.current_appointments] == [alice.pk]


def test_a_post_whose_successor_is_appointed_is_neither_vacant_nor_at_risk_on_the_monitor(handover):
    from clinlead.succession.models import SuccessionPool
    from clinlead.succession.monitor import Scope, leaving_within, vacant_without_successor

    post, _, _, outgoing = handover
    post.is_key = True
    post.save(update_fields=["is_key"])
    SuccessionPool.objects.filter(position=post).delete()  # nobody ready now
    scope, today = Scope(organisation=post.organisation), date.today()
    # Without the handover the post would be on the risk list: its term ends in the window.
    assert Appointment.objects.filter(pk=outgoing.pk, ended_on__isnull=False).exists()
    assert post not in vacant_without_successor(scope=scope, day=today)
    assert outgoing not in leaving_within(scope=scope, day=today, window_end=outgoing.end)
