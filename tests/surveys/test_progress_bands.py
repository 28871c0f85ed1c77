"""Response-rate bands cannot be differenced over days: the band comes from the published
count ("answered, at least", a multiple of k), so it moves only when that count moves (issue 11:
the band moving from 30-40 % to 40-50 % while "at least 5" stayed put told who answered that day)."""

from datetime import timedelta

import pytest

from clinlead.surveys.models import ResponseRateSnapshot, SurveyCycle
from clinlead.surveys.selectors import progress
from tests.surveys.world import World

pytestmark = pytest.mark.django_db


def day_figures(world, cycle, day, invited, responded):
    ResponseRateSnapshot.objects.create(cycle=cycle, day=day, unit=world.unit("Medicine"), invited=invited,
                                        responded=responded)
    _, rows = progress(cycle=cycle)
    return rows[0]["responded_at_least"], rows[0]["rate_band"]


def test_one_more_answer_moves_no_band_while_the_published_count_stays():
    world = World(k=5)
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    monday = day_figures(world, cycle, cycle.opens_on, invited=15, responded=5)  # 33 %
    tuesday = day_figures(world, cycle, cycle.opens_on + timedelta(days=1), invited=15, responded=6)  # 40 %
    assert monday == tuesday == (5, "30–40%")
    wednesday = day_figures(world, cycle, cycle.opens_on + timedelta(days=2), invited=15, responded=10)
    assert wednesday == (10, "60–70%")


def test_the_band_is_a_function_of_the_published_figures_alone():
    world = World(k=5)
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    seen = {}
    day = cycle.opens_on
    for invited in (5, 12, 23, 40):
        for responded in range(invited + 1):
            day += timedelta(days=1)
            at_least, band = day_figures(world, cycle, day, invited=invited, responded=responded)
            assert seen.setdefault((invited, at_least), band) == band, (invited, responded)
