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

from clinlead.audit.models import AuditEvent
from clinlead.selection import selectors, services
from clinlead.selection.models import Ballot, VoterRecord
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


def test_the_ballot_table_holds_the_choices_the_receipt_hash_and_nothing_that_leads_to_a_voter():
    assert set(columns(Ballot)) == {"id", "selection_id", "preferences", "receipt_hash"}
    assert list(foreign_keys(Ballot).values()) == [("selection_selection", "id")]
    for name in columns(Ballot):
        assert not any(word in name for word in PERSONAL), name
        assert not any(word in column_type(Ballot, name) for word in TIMES), f"{name} records a time"
    for field in Ballot._meta.get_fields():
        assert not (field.is_relation and field.related_model is not None
                    and field.related_model._meta.model_name != "selection"), field.name


def test_the_voter_record_says_who_and_which_day_only():
    assert set(columns(VoterRecord)) == {"id", "selection_id", "person_id", "voted_on"}
    assert "date" in column_type(VoterRecord, "voted_on") and "time" not in column_type(VoterRecord, "voted_on")
    assert not any(isinstance(field, (models.DateTimeField, models.TimeField))
                   for field in VoterRecord._meta.get_fields())
    targets = {target for target, _ in foreign_keys(VoterRecord).values()}
    assert "selection_ballot" not in targets


@pytest.mark.parametrize("model", [Ballot, VoterRecord])
def test_keys_are_random_uuids_not_counters(model):
    pk = model._meta.pk
    assert isinstance(pk, models.UUIDField) and pk.default is uuid.uuid4


def test_ballot_keys_and_stored_order_do_not_follow_the_order_of_voting(demo):
    selection = f.voting(title=f.MEDICINE)
    in_order_of_voting = []
    for i, person in enumerate(f.electors(selection)):
        code = services.cast_ballot(actor=None, selection=selection, person=person,
                                    preferences=f.ranking(selection)[: 1 + i % 3])
        digest = selectors.receipt_hash(selection_id=selection.pk, code=code)
        in_order_of_voting.append(Ballot.objects.get(receipt_hash=digest).pk)
    n = len(in_order_of_voting)
    assert n >= 20, "too few voters to tell an order from chance"
    assert all(pk.version == 4 for pk in in_order_of_voting)
    assert sorted(in_order_of_voting) != in_order_of_voting
    assert sorted(in_order_of_voting, reverse=True) != in_order_of_voting

    selection = services.close_ballot(actor=f.user("tara"), selection=f.time_passes(selection))
    # After the close both tables are written again: ballots in a random order, voter records
    # in order of person, so not even the database's own row order follows the voting.
    stored = list(Ballot.objects.filter(selection=selection).values_list("id", flat=True))
    assert sorted(stored) == sorted(in_order_of_voting) and stored != in_order_of_voting
    voters = list(VoterRecord.objects.filter(selection=selection).values_list("person_id", flat=True))
    assert voters == sorted(voters)
    assert set(VoterRecord.objects.filter(selection=selection).values_list("voted_on", flat=True)) == {
        timezone.localdate()}
    # Published lists: shuffled afresh each time, so two readings differ.
    readings = [tuple(map(tuple, selectors.published_ballots(selection=selection))) for _ in range(3)]
    assert len(set(readings)) > 1


def test_the_audit_trail_of_a_vote_names_no_voter_and_no_choice(demo):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    bob = f.persona("bob")
    services.cast_ballot(actor=f.user("bob"), selection=selection, person=bob, preferences=f.ranking(selection))
    event = AuditEvent.objects.get(action="selection.ballot_cast")
    assert event.actor is None and "Okafor" not in event.actor_label and event.after == {} and event.before == {}
    assert event.object_type == "selection.Selection"


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
