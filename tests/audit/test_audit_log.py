"""The audit trail: written inside each action's transaction, searchable, exportable."""

import csv
import io

import pytest
from django.db import transaction
from django.urls import reverse

from clinlead.audit import services as audit
from clinlead.audit.models import AuditEvent
from clinlead.org.models import Organisation

pytestmark = pytest.mark.django_db


def test_an_audit_event_cannot_be_written_outside_a_transaction(demo, django_db_blocker):
    # Tests run inside a transaction, so reach past it with autocommit semantics.
    connection = transaction.get_connection()
    in_block = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="outside its action's transaction"):
            audit.record(actor=None, action="test.nothing")
    finally:
        connection.in_atomic_block = in_block


def test_the_auditor_searches_by_action_and_sees_only_their_organisation(demo, login):
    northgate = Organisation.objects.get(slug="northgate")
    riverside = Organisation.objects.get(slug="riverside")
    with transaction.atomic():
        audit.record(
            actor=None,
            action="positions.title_changed",
            organisation=northgate,
            after={"title": "A"},
        )
        audit.record(
            actor=None,
            action="positions.title_changed",
            organisation=riverside,
            after={"title": "B"},
        )
        audit.record(
            actor=None, action="hr.extract_imported", organisation=northgate, after={"created": 3}
        )
    page = (
        login("aude")
        .get(reverse("audit:log", kwargs={"slug": "northgate"}), {"action": "title"})
        .content.decode()
    )
    assert "positions.title_changed" in page and "Title: A" in page
    assert "Title: B" not in page and "hr.extract_imported" not in page


def test_the_export_holds_the_filtered_events_and_is_itself_audited(demo, login):
    northgate = Organisation.objects.get(slug="northgate")
    with transaction.atomic():
        audit.record(
            actor=None, action="positions.created", organisation=northgate, after={"title": "X"}
        )
    response = login("aude").get(
        reverse("audit:export", kwargs={"slug": "northgate"}), {"action": "positions"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["occurred_at", "actor_label", "action"]
    assert [r[2] for r in rows[1:]] == ["positions.created"]
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor_label == "Aude Novak" and exported.after == {"action": "positions"}
