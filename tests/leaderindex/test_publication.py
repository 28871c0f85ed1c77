"""What publishing a closed cycle stores for each leader and for the organisation."""

import pytest

from clinlead.leaderindex.models import CycleResult, LeaderResult
from clinlead.leaderindex.services import publish_cycle
from clinlead.surveys.models import Invitation, SurveyCycle
from clinlead.surveys.services import token_hash
from tests.surveys.world import World

pytestmark = pytest.mark.django_db


def test_a_leaders_burnout_and_satisfaction_rates_count_only_those_who_answered_them():
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    cycle = world.cycle()
    # Burned out is 3 or more; satisfied is 4 or 5 (the default instrument).
    world.responses(cycle, leader=leader, unit_path="Medicine/Ward", n=4, burnout=3, satisfaction=5)
    world.responses(cycle, leader=leader, unit_path="Medicine/Ward", n=2, burnout=1, satisfaction=2)
    world.responses(cycle, leader=leader, unit_path="Medicine/Ward", n=1, burnout=None, satisfaction=4)
    publish_cycle(actor=None, cycle=cycle)
    result = LeaderResult.objects.get(cycle=cycle, leader=leader)
    assert result.responses == 7
    assert result.burnout_rate == pytest.approx(4 / 6), "the unanswered burnout question is left out"
    assert result.satisfaction_rate == pytest.approx(5 / 7)
    assert SurveyCycle.objects.get(pk=cycle.pk).status == SurveyCycle.Status.PUBLISHED


def test_the_response_rate_compares_stored_answers_with_invitations():
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    team = [world.person("Medicine/Ward", leader=leader) for _ in range(8)]
    cycle = world.cycle()
    Invitation.objects.bulk_create([
        Invitation(cycle=cycle, person=p, leader=leader, unit=world.unit("Medicine/Ward"), profession="nurse",
                   token_hash=token_hash(f"rate-{i}"), used=i < 6) for i, p in enumerate(team)])
    world.responses(cycle, leader=leader, unit_path="Medicine/Ward", n=6)
    publish_cycle(actor=None, cycle=cycle)
    assert CycleResult.objects.get(cycle=cycle).response_rate == {"invited": 8, "responded": 6}
