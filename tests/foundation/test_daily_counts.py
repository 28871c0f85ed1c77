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


@pytest.mark.django_db(transaction=True)
def test_an_answer_in_flight_does_not_hold_up_the_next_answers_count():
    """Two answers at once: the second counts without waiting for the first to commit (one row
    a day made every answer wait for the one before to be flushed to disk), and the day's total
    is still one line on the auditor's page."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one writer at a time")
    from django.db import connections

    org = _org()
    with transaction.atomic():  # the day's first answer, already in
        audit.count_today(action="surveys.answers_received", obj=org, organisation=org)
    counted, release = threading.Event(), threading.Event()

    def first_answer():
        try:
            with transaction.atomic():
                audit.count_today(action="surveys.answers_received", obj=org, organisation=org)
                counted.set()
                release.wait(10)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_answer)
    first.start()
    try:
        assert counted.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            audit.count_today(action="surveys.answers_received", obj=org, organisation=org)
    finally:
        release.set()
        first.join()
    rows = DailyCount.objects.filter(action="surveys.answers_received")
    assert sorted(rows.values_list("count", flat=True)) == [1, 2]
    # Later answers, one at a time, add to the first row that is free.
    with transaction.atomic():
        audit.count_today(action="surveys.answers_received", obj=org, organisation=org)
    assert sorted(rows.values_list("count", flat=True)) == [1, 3]

    from django.test import Client
    from django.urls import reverse

    from clinlead.accounts.models import Role, RoleGrant, User

    auditor = User.objects.create(username="auditor")
    RoleGrant.objects.create(user=auditor, role=Role.AUDITOR, organisation=org)
    client = Client()
    client.force_login(auditor)
    page = client.get(reverse("audit:log", kwargs={"slug": org.slug})).content.decode()
    assert page.count("surveys.answers_received") == 1
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">4</td>' in page
