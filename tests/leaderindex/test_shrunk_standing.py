"""Publication gives every published leader an index shrunk toward the organisation with its
interval on the scale, a band from it and a percentile ranked on it; the organisation page says
how the association's errors are clustered and what it is not adjusted for."""

import numpy as np
import pytest
from django.urls import reverse

from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.leaderindex.models import CycleResult, LeaderResult
from clinlead.leaderindex.services import publish_cycle
from clinlead.surveys.models import Response
from tests.surveys.world import World

pytestmark = pytest.mark.django_db


def published_world():
    """Twelve leaders of twenty and one of five rated near the top."""
    rng = np.random.default_rng(7)
    world = World(k=5)
    cycle = world.cycle()
    leaders = []
    for number, (size, centre) in enumerate([(20, 3.6 + 0.05 * i) for i in range(12)] + [(5, 4.3)]):
        leader = world.person(f"Div/T{number}")
        leaders.append(leader)
        # Each person rates all twelve behaviours alike, give or take: an index's SD of about 7.
        person = rng.normal(0, 0.6, (size, 1))
        answers = np.clip(np.round(centre + person + rng.normal(0, 0.4, (size, 12))), 1, 5).astype(int)
        Response.objects.bulk_create([
            Response(cycle=cycle, leader=leader, unit=world.unit(f"Div/T{number}"), profession="nurse",
                     answers=[int(a) for a in row], burnout=int(rng.integers(1, 6)),
                     satisfaction=int(rng.integers(1, 6)))
            for row in answers])
    publish_cycle(actor=None, cycle=cycle)
    return world, cycle, leaders


def test_publication_shrinks_each_leader_toward_the_organisation_and_ranks_on_that():
    world, cycle, leaders = published_world()
    rows = {r.leader_id: r for r in LeaderResult.objects.filter(cycle=cycle)}
    small = rows[leaders[-1].pk]
    mean = np.mean([r.index for r in rows.values()])
    assert mean < small.shrunk_index < small.index, "pulled toward the organisation"
    assert all(12 <= r.shrunk_low <= r.shrunk_index <= r.shrunk_high <= 60 for r in rows.values())
    top_of_twenty = max((r for r in rows.values() if r.responses == 20), key=lambda r: r.index)
    # The raw index ranks the leader of five first; the shrunk index does not.
    assert small.index > top_of_twenty.index and small.percentile < top_of_twenty.percentile
    assert all(r.band in (0, 1, 2, 3) and r.band_low <= r.band <= r.band_high for r in rows.values())


def test_the_organisation_page_says_the_errors_are_clustered_and_what_is_not_adjusted_for(client):
    world, cycle, leaders = published_world()
    association = CycleResult.objects.get(cycle=cycle).association
    assert association["burnout"]["leaders"] == 13 and association["burnout"]["unadjusted_for"] == ["age band", "sex"]
    user = User.objects.create(username="exec")
    RoleGrant.objects.create(user=user, role=Role.EXECUTIVE, organisation=world.org)
    client.force_login(user)
    page = client.get(reverse("leaderindex:dashboard", kwargs={"pk": cycle.pk})).content.decode()
    assert "errors clustered by leader, 13 leaders" in page
    assert "Not adjusted for age band or sex" in page and "adjusted for age and sex" in page


def test_the_upgrade_gives_cycles_published_before_the_same_standing_publication_gives():
    from importlib import import_module

    from django.apps import apps

    world, cycle, leaders = published_world()
    fields = ["shrunk_index", "shrunk_low", "shrunk_high", "band", "band_low", "band_high", "percentile"]
    before = {r["leader_id"]: r for r in LeaderResult.objects.filter(cycle=cycle).values("leader_id", *fields)}
    LeaderResult.objects.filter(cycle=cycle).update(**{name: None for name in fields})
    import_module("clinlead.leaderindex.migrations.0004_leaders_shrunk_bands").shrink_published_cycles(apps, None)
    after = {r["leader_id"]: r for r in LeaderResult.objects.filter(cycle=cycle).values("leader_id", *fields)}
    assert after == before
