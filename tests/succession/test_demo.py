"""The demo's succession data: a believable spread of risk, and Alice's own pool."""

from datetime import date

import pytest
from django.db.models import Count

from clinlead.accounts import permissions
from clinlead.org.models import Organisation
from clinlead.succession.models import MonitorSnapshot, PoolCandidate, SuccessionPool
from clinlead.succession.monitor import Scope, monitor_figures
from tests.succession.conftest import user

pytestmark = pytest.mark.django_db


def test_alice_owns_her_pool_with_two_or_three_candidates(alices_position):
    pool = SuccessionPool.objects.get(position=alices_position)
    assert 2 <= pool.candidates.count() <= 3 == pool.candidate_count
    assert permissions.can_manage_pool(user("alice"), alices_position)


def test_every_trust_has_empty_pools_ready_successors_and_positions_at_risk(demo):
    for organisation in Organisation.objects.all():
        figures = monitor_figures(scope=Scope(organisation=organisation), day=date.today())
        bench = figures["bench"]
        assert bench["empty_pools"] >= 1, organisation
        assert 1 <= bench["ready_now_1"] < bench["key_positions"], organisation
        assert figures["risk_count"] >= 1, organisation
        assert MonitorSnapshot.objects.filter(organisation=organisation).count() == 12


def test_some_people_are_put_forward_for_several_posts(demo):
    several = PoolCandidate.objects.values("person").annotate(n=Count("id")).filter(n__gte=2)
    assert several.exists()
