"""The ballot is secret: nothing in the tables, the audit trail, the session or the logs links
a voter to a ballot.

The schema is read from the database itself (not only from the models), then the rows.
"""

import logging
import uuid

import pytest
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from clinlead.audit.models import AuditEvent, DailyCount
from clinlead.selection import services
from clinlead.selection.models import Ballot, Receipt, SealedBallot, VoterRecord
from tests.selection import factories as f

pytestmark = pytest.mark.django_db
PERSONAL = ("person", "voter", "user", "session", "elector", "actor", "login", "staff")
TIMES = ("date", "time", "timestamp")  # any column type that records when


def columns(model):
    with connection.cursor() as cursor:
        return {c.name: c for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}


def foreign_keys(model):
    with connection.cursor() as cursor:
        described = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {tuple(c["columns"]): c["foreign_key"] for c in described.values() if c["foreign_key"]}


def column_type(model, name):
    description = columns(model)[name]
    return connection.introspection.get_field_type(description.type_code, description).lower()


def test_the_ballot_table_holds_the_choices_and_nothing_that_leads_to_a_voter_or_a_receipt():
    assert set(columns(Ballot)) == {"id", "selection_id", "preferences"}
    assert set(columns(Receipt)) == {"id", "selection_id", "receipt_hash"}
    assert set(columns(SealedBallot)) == {"id", "selection_id", "box"}
    for model in (Ballot, Receipt, SealedBallot):
        assert list(foreign_keys(model).values()) == [("selection_selection", "id")]
        for name in columns(model):
            assert not any(word in name for word in PERSONAL), name
            assert not any(word in column_type(model, name) for word in TIMES), f"{name} records a time"
        for field in model._meta.get_fields():
            assert not (field.is_relation and field.related_model is not None
                        and field.related_model._meta.model_name != "selection"), field.name


def test_the_voter_record_says_who_only_not_even_the_day():
    assert set(columns(VoterRecord)) == {"id", "selection_id", "person_id"}
    targets = {target for target, _ in foreign_keys(VoterRecord).values()}
    assert not targets & {"selection_ballot", "selection_sealedballot", "selection_receipt"}


@pytest.mark.parametrize("model", [Ballot, VoterRecord, SealedBallot, Receipt])
def test_keys_are_random_uuids_not_counters(model):
    pk = model._meta.pk
    assert isinstance(pk, models.UUIDField) and pk.default is uuid.uuid4


def test_while_the_ballot_is_open_only_sealed_boxes_of_one_size_are_stored(demo):
    selection = f.voting(title=f.MEDICINE, candidates=4)
    paper = f.ranking(selection)
    for i, person in enumerate(f.electors(selection)[:12]):
        services.cast_ballot(actor=None, selection=selection, person=person, preferences=paper[: 1 + i % 4])
    assert not Ballot.objects.filter(selection=selection).exists()
    assert not Receipt.objects.filter(selection=selection).exists()
    boxes = [bytes(b) for b in SealedBallot.objects.filter(selection=selection).values_list("box", flat=True)]
    assert len(boxes) == 12 and len({len(b) for b in boxes}) == 1, "a box's length tells how many were ranked"
    for box in boxes:
        assert b'"p":[' not in box and b'"r":"' not in box, "the choices or the receipt are in the clear"


def test_after_the_close_no_order_or_key_follows_the_order_of_voting(demo):
    selection = f.voting(title=f.MEDICINE, candidates=4)
    paper = f.ranking(selection)
    in_order_of_voting, voters = [], f.electors(selection)
    for i, person in enumerate(voters):
        ranking = [paper[(i + k) % 4] for k in range(1 + i % 4)]
        services.cast_ballot(actor=None, selection=selection, person=person, preferences=ranking)
        in_order_of_voting.append(ranking)
    n = len(in_order_of_voting)
    assert n >= 20, "too few voters to tell an order from chance"
    sealed_ids = set(SealedBallot.objects.filter(selection=selection).values_list("id", flat=True))
    voter_ids = set(VoterRecord.objects.filter(selection=selection).values_list("id", flat=True))

    selection = f.close(f.time_passes(selection))
    assert not SealedBallot.objects.filter(selection=selection).exists(), "the sealed ballots are destroyed"
    stored = list(Ballot.objects.filter(selection=selection).values_list("preferences", flat=True))
    assert sorted(stored) == sorted(in_order_of_voting) and stored != in_order_of_voting
    ids = set(Ballot.objects.filter(selection=selection).values_list("id", flat=True))
    ids |= set(Receipt.objects.filter(selection=selection).values_list("id", flat=True))
    assert not ids & (sealed_ids | voter_ids), "a key survived the close"
    after = list(VoterRecord.objects.filter(selection=selection).values_list("person_id", "id"))
    assert [p for p, _ in after] == sorted(p.pk for p in voters)
    assert not {i for _, i in after} & voter_ids, "voter records keep their keys from the time of voting"


def test_the_audit_trail_counts_votes_per_day_and_names_no_voter(demo):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    for username in ["bob", "alice"]:
        services.cast_ballot(actor=f.user(username), selection=selection, person=f.persona(username),
                             preferences=f.ranking(selection))
    assert not AuditEvent.objects.filter(action="selection.ballot_cast").exists()
    counted = DailyCount.objects.get(action="selection.ballot_cast", object_id=str(selection.pk))
    assert counted.count == 2 and counted.day == timezone.localdate()


def test_voting_writes_nothing_about_the_ballot_to_the_logs_or_the_session(demo, login, caplog):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    ranking = f.ranking(selection)
    client = login("bob")
    with caplog.at_level(logging.DEBUG):
        answer = client.post(reverse("selection:vote", kwargs={"pk": selection.pk}),
                             {f"c{pk}": str(n) for n, pk in enumerate(ranking, 1)})
    page = answer.content.decode()
    code = page.split('id="receipt-code">')[1].split("<")[0]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert code not in logged and "preferences" not in logged
    assert not [r for r in caplog.records if r.name in {"django.request", "django.server"}]
    assert code not in str(dict(client.session.items()))
