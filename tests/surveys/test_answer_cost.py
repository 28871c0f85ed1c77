"""What one answer costs the database, and the guards the short path keeps: counted statements,
never timings (benchmarks/survey_post_cpu.py measures the CPU)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinlead.audit.models import DailyCount
from clinlead.surveys import services
from clinlead.surveys.models import Invitation, SealedResponse, SurveyCycle
from tests.surveys.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    for name in ("first", "second"):
        Invitation.objects.create(cycle=cycle, person=world.person("Medicine/Ward", leader=leader), leader=leader,
                                  unit=world.unit("Medicine/Ward"), profession="nurse",
                                  token_hash=services.token_hash(name))
    return {"world": world, "cycle": cycle, "leader": leader}


def answers(leader):
    return {f"q{i}": "4" for i in range(1, 13)} | {"burnout": "2", "satisfaction": "4", "leader": str(leader.pk)}


def url(token):
    return reverse("surveys:answer", kwargs={"token": token})


def test_an_answer_takes_four_statements_on_postgresql(client, ward):
    # The day's count row exists after the first answer; the second shows the usual cost.
    assert client.post(url("first"), answers(ward["leader"])).status_code == 302
    with CaptureQueriesContext(connection) as statements:
        assert client.post(url("second"), answers(ward["leader"])).status_code == 302
    # Find the link; open the transaction; hold the cycle open, use the link, store the box and
    # count it (one statement on PostgreSQL; three on SQLite, which needs no lock); commit.
    assert len(statements) <= (4 if connection.vendor == "postgresql" else 6), [q["sql"] for q in statements]
    assert SealedResponse.objects.filter(cycle=ward["cycle"]).count() == 2
    assert sum(DailyCount.objects.values_list("count", flat=True)) == 2


def test_an_answer_reads_neither_the_instrument_definition_nor_the_close_figures(client, ward):
    client.get(url("first"))  # the instrument is parsed once per process, when first needed
    with CaptureQueriesContext(connection) as statements:
        assert client.post(url("first"), answers(ward["leader"])).status_code == 302
    read = " ".join(q["sql"] for q in statements)
    assert "definition" not in read and "close_figures" not in read


def test_an_answer_to_a_cycle_closed_since_its_link_was_read_is_refused_and_stores_nothing(ward):
    invitation = services.find_invitation(token="first")
    SurveyCycle.objects.filter(pk=ward["cycle"].pk).update(status=SurveyCycle.Status.CLOSED)
    with pytest.raises(services.InvitationUnusable):
        services.submit_response(token="first", answers=[4] * 12, burnout=2, satisfaction=4, invitation=invitation)
    assert not SealedResponse.objects.exists()
    assert not Invitation.objects.filter(used=True).exists()


def test_an_answer_without_the_forms_csrf_token_is_refused_and_the_link_still_works(ward):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(url("first"), answers(ward["leader"])).status_code == 403
    assert not SealedResponse.objects.exists()
    assert browser.get(url("first")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_an_answer_counts_in_a_new_slot_while_another_answer_holds_todays_count(ward):
    if connection.vendor != "postgresql":
        pytest.skip("slots taken with SKIP LOCKED are PostgreSQL's; SQLite counts on one row")
    import psycopg

    cycle = ward["cycle"]
    services.submit_response(token="first", answers=[4] * 12, burnout=2, satisfaction=4)
    (slot,) = DailyCount.objects.filter(object_id=str(cycle.pk))
    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"] or None) as other:
        # Another answer, not yet committed, holds the day's only count row.
        other.execute(f"SELECT id FROM {DailyCount._meta.db_table} WHERE id = %s FOR UPDATE", [slot.pk])
        services.submit_response(token="second", answers=[4] * 12, burnout=2, satisfaction=4)
        other.rollback()
    counts = dict(DailyCount.objects.filter(object_id=str(cycle.pk)).values_list("slot", "count"))
    assert counts == {0: 1, 1: 1}
    assert SealedResponse.objects.filter(cycle=cycle).count() == 2
