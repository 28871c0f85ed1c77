"""Answering and voting leave a count per day in the audit trail, never one event per person."""

import pytest
from django.db import transaction

from clinlead.audit import services as audit
from clinlead.audit.models import AuditEvent, DailyCount
from clinlead.org.models import Organisation

pytestmark = pytest.mark.django_db


def _org():
    return Organisation.objects.create(name="Northgate", slug="northgate")


def test_three_answers_in_a_day_are_one_row_counting_three():
    org = _org()
    for _ in range(3):
        with transaction.atomic():
            audit.count_today(action="surveys.answers_received", obj=org, organisation=org)
    row = DailyCount.objects.get()
    assert (row.action, row.count, row.organisation) == ("surveys.answers_received", 3, org)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_count_outside_its_action_is_refused():
    org = _org()
    with pytest.raises(RuntimeError, match="outside its action"):
        audit.count_today(action="selection.ballots_received", obj=org)
