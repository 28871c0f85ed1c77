"""The one notification module: mail through Django's backends; a failure is recorded where the
admins see it, with counts only (never an address); times in the organisation's zone."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from clinlead import notifications
from clinlead.audit.models import AuditEvent
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message, naming the address as real servers do."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(f"refused {email_messages[0].to[0]}")


def test_messages_go_through_djangos_mail_backend():
    organisation = OrganisationFactory()
    message = notifications.Message(to=("ward@example.nhs.uk",), subject="Hello", body="Body")
    sent = notifications.send([message], kind="test", organisation=organisation, about=organisation)
    assert sent == 1
    assert [m.to for m in mail.outbox] == [["ward@example.nhs.uk"]]


def test_a_failed_send_is_recorded_for_the_admins_without_the_address(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    organisation = OrganisationFactory()
    messages = [notifications.Message(to=(f"nurse{n}@example.nhs.uk",), subject="S", body="B")
                for n in range(3)]
    sent = notifications.send(messages, kind="survey.reminder", organisation=organisation,
                              about=organisation)
    assert sent == 0
    (event,) = notifications.failures(about=organisation)
    assert event.after == {"kind": "survey.reminder", "failed": 3, "of": 3,
                           "error": "ConnectionRefusedError"}
    assert not AuditEvent.objects.filter(after__icontains="example.nhs.uk").exists()
    assert "nurse" not in str(event.after) + event.object_repr


def test_times_are_shown_in_the_organisations_zone_london_by_default():
    nine_bst = datetime(2031, 6, 3, 8, 0, tzinfo=UTC)
    def shown_in(zone=None):
        organisation = OrganisationFactory.build(**({"time_zone": zone} if zone else {}))
        return notifications.local_time(nine_bst, organisation)

    assert shown_in() == "03 June 2031 at 09:00"
    assert shown_in("Asia/Kolkata") == "03 June 2031 at 13:30"
    assert shown_in("Not/AZone") == "03 June 2031 at 09:00"


def test_only_clinlead_builders_can_be_queued():
    with pytest.raises(ValueError, match="Not a Clinlead message builder"):
        notifications.enqueue_after_commit("os.system", kind="x")
