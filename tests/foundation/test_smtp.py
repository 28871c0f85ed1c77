"""Mail through a real SMTP server (aiosmtpd, started by the test on a loopback port): survey
links and selection notices arrive once each, with links on the configured public address; a
send that reached nobody because the server was down is tried again by the worker, and the
admins see it."""

import socket
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinlead import notifications
from clinlead.surveys import services
from clinlead.surveys.models import Invitation, SurveyCycle

PUBLIC = "https://clinlead.example.nhs.uk"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"

    def to(self, address):
        return [m for rcpt, m in self.messages if address in rcpt]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smtp(port):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=5,
        SITE_URL=PUBLIC,
    )


@pytest.fixture
def mail_server():
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    with _smtp(port):
        yield inbox
    controller.stop()


def _body(message):
    return message.get_payload(decode=True).decode()


def test_survey_links_arrive_once_each_and_open_the_survey_at_the_public_address(
    demo, mail_server, client, django_capture_on_commit_callbacks
):
    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    waiting = list(
        Invitation.objects.filter(cycle=cycle, used=False, person__work_email__gt="").values_list(
            "person__work_email", flat=True
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(actor=None, cycle=cycle)
    assert sorted(rcpt[0] for rcpt, _ in mail_server.messages) == sorted(waiting)
    link = next(
        line for line in _body(mail_server.to(waiting[0])[0]).splitlines() if "/survey/s/" in line
    )
    address = link[link.index(PUBLIC) :].strip()
    assert address.startswith(f"{PUBLIC}/survey/s/")
    assert client.get(address.removeprefix(PUBLIC)).status_code == 200  # the link works


def test_a_selection_notice_reaches_the_electorate_with_the_voting_link(demo, mail_server):
    from clinlead.selection.models import Selection

    selection = Selection.objects.filter(
        organisation__slug="northgate", stage=Selection.Stage.BALLOT
    ).first()
    electors = set(
        selection.electors.exclude(person__work_email="").values_list(
            "person__work_email", flat=True
        )
    )
    notifications.send_bulk.enqueue(
        builder="clinlead.selection.messages.ballot_times",
        kind="selection.ballot_times",
        arguments={"selection_id": selection.pk},
    )
    assert {rcpt[0] for rcpt, _ in mail_server.messages} == electors
    assert f"{PUBLIC}/selection/{selection.pk}/vote/" in _body(mail_server.messages[0][1])


# ------------------------------------------------------------------ the server is down
@notifications.message_builder
def ward_round_notice(*, organisation_id):
    from clinlead.org.models import Organisation

    organisation = Organisation.objects.get(pk=organisation_id)
    messages = [
        notifications.Message(
            to=(f"nurse{n}@nhs.example",), subject="Ward round", body=notifications.link("home")
        )
        for n in range(3)
    ]
    return notifications.Batch(messages=messages, organisation=organisation, about=organisation)


@pytest.mark.django_db(transaction=True)
def test_a_send_that_reached_nobody_is_tried_again_by_the_worker_and_the_admins_see_it():
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory()
    port = _free_port()  # nothing listens here yet: the mail server is down
    database_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with _smtp(port), override_settings(TASKS=database_tasks, CLINLEAD_MAIL_RETRY_MINUTES=5):
        notifications.send_bulk.enqueue(
            builder=f"{__name__}.ward_round_notice",
            kind="ward.round",
            arguments={"organisation_id": organisation.pk},
        )
        call_command("worker", worker_id="mail-test", batch=True, verbosity=0)
        (failure,) = notifications.failures(about=organisation)
        assert failure.after == {
            "kind": "ward.round",
            "failed": 3,
            "of": 3,
            "error": "ConnectionRefusedError",
            "retry_in_minutes": 5.0,
        }
        assert "nhs.example" not in str(failure.after)  # never an address
        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        assert waiting.count() == 1 and waiting.get().args_kwargs["kwargs"]["attempt"] == 2
        assert waiting.get().run_after > timezone.now() + timedelta(minutes=4)
        waiting.update(run_after=timezone.now())  # five minutes pass

        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            call_command("worker", worker_id="mail-test", batch=True, verbosity=0)
        finally:
            controller.stop()
    assert sorted(rcpt[0] for rcpt, _ in inbox.messages) == [
        f"nurse{n}@nhs.example" for n in range(3)
    ]
    assert f"{PUBLIC}/" in _body(inbox.messages[0][1])
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_a_send_that_reached_some_is_not_repeated(monkeypatch, settings):
    """Sending again would give the people already reached a second copy: recorded only."""
    calls = []

    def again(delay):
        calls.append(delay)
        return delay

    def half_sent(messages):
        raise notifications.NotSent(failed=1, total=2, error="SMTPRecipientsRefused")

    monkeypatch.setattr(notifications, "deliver", half_sent)
    monkeypatch.setattr(notifications, "record_failure", lambda **kwargs: calls.append(kwargs))
    sent = notifications.send([object(), object()], kind="x", again=again)
    assert sent == 1 and calls == [
        {
            "kind": "x",
            "organisation": None,
            "about": None,
            "failed": 1,
            "total": 2,
            "error": "SMTPRecipientsRefused",
            "retry_in_minutes": None,
        }
    ]
