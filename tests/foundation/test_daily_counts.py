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


def test_the_auditor_sees_the_counts_per_day_beside_the_events(client):
    from django.urls import reverse

    from clinlead.accounts.models import Role, RoleGrant, User

    org = _org()
    with transaction.atomic():
        for _ in range(4):
            audit.count_today(action="surveys.answers_received", obj=org, organisation=org)
    auditor = User.objects.create(username="auditor")
    RoleGrant.objects.create(user=auditor, role=Role.AUDITOR, organisation=org)
    client.force_login(auditor)
    page = client.get(reverse("audit:log", kwargs={"slug": org.slug})).content.decode()
    assert "Counted per day" in page and "surveys.answers_received" in page
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">4</td>' in page
    other = client.get(
        reverse("audit:log", kwargs={"slug": org.slug}), {"action": "selection"}
    ).content.decode()
    assert "surveys.answers_received" not in other
