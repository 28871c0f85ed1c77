"""Every e-mail Clinlead sends goes through here: selections, survey links and reminders,
development reminders and 360 invitations, succession term warnings.

- **Django's mail backends** send it: in development the private-files backend
  (`clinlead.mailfiles`), in production SMTP, in tests the in-memory outbox.
- **Bulk sends are tasks** (`send_bulk`, django-tasks). A task names a message builder and the ids
  it needs, nothing more: who receives the mail is worked out when the task runs, so a message
  never goes to someone who left the electorate, the committee or the survey in between, and
  the queue's rows say nothing about anyone.
- **Nothing is dropped silently.** A message the backend refuses is counted, and the count, the
  kind of message and the error's class (never the address or the error's text, which may name
  it) go into the audit trail against the thing the message was about, where the organisation's
  admins see it (`failures`). A survey reminder that fails therefore says nothing about who had
  still not answered.
- **A bulk send that reached nobody is tried again** by the worker (the mail server was down):
  the task is queued again, later each time (`CLINLEAD_MAIL_RETRY_MINUTES`, doubling, at most
  `CLINLEAD_MAIL_RETRIES` times), and works out its recipients afresh. One that reached some
  people is not (it would send them a second copy); its failure is recorded for the admins.
- **Times are in the organisation's time zone** (`Organisation.time_zone`, Europe/London by
  default): a ballot opening at 09:00 BST reads "09:00", not the server's UTC "08:00".
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

DEFAULT_TIME_ZONE = "Europe/London"
WHEN = "%d %B %Y at %H:%M"
FAILED_ACTION = "mail.not_sent"


@dataclass(frozen=True)
class Message:
    to: tuple[str, ...]
    subject: str
    body: str
    cc: tuple[str, ...] = ()


@dataclass(frozen=True)
class Batch:
    """What a builder returns: the messages, and what they are about (for the failure record)."""

    messages: list[Message]
    organisation: object = None
    about: object = None


class NotSent(Exception):
    """Some messages could not be sent (`deliver` tried every one first)."""

    def __init__(self, *, failed, total, error):
        super().__init__(f"{failed} of {total} e-mails could not be sent ({error})")
        self.failed, self.total, self.error = failed, total, error


# ------------------------------------------------------------------ times and links
def zone(organisation) -> ZoneInfo:
    """The organisation's time zone (Europe/London when unset or unknown)."""
    name = getattr(organisation, "time_zone", "") or DEFAULT_TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local_time(moment, organisation, fmt=WHEN) -> str:
    """`moment` as the organisation's clocks show it."""
    return f"{timezone.localtime(moment, zone(organisation)):{fmt}}"


def link(name, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def to_people(people, *, subject, body) -> list[Message]:
    """One message to each person with a work e-mail (each address once, in order)."""
    addresses = sorted({p.work_email for p in people if getattr(p, "work_email", "")})
    return [Message(to=(address,), subject=subject, body=body) for address in addresses]


# ------------------------------------------------------------------ sending
def deliver(messages) -> int:
    """Send every message now, one by one through one connection; raise `NotSent` (after
    trying them all) if any failed. For callers that must roll back when mail fails."""
    messages = list(messages)
    if not messages:
        return 0
    connection = get_connection()
    failed, error = 0, ""
    for message in messages:
        email = EmailMessage(subject=message.subject, body=message.body,
                             from_email=settings.DEFAULT_FROM_EMAIL, to=list(message.to),
                             cc=list(message.cc), connection=connection)
        try:
            email.send()
        except Exception as exc:  # any backend fault: counted and recorded, never lost
            failed, error = failed + 1, type(exc).__name__
            logger.warning("An e-mail could not be sent: %s", error)
    if failed:
        raise NotSent(failed=failed, total=len(messages), error=error)
    return len(messages)


def record_failure(*, kind, organisation, about, failed, total, error, retry_in_minutes=None):
    """Write the failure to the audit trail, in its own transaction: counts and the error's
    class only, never an address."""
    from clinlead.audit import services as audit

    after = {"kind": kind, "failed": failed, "of": total, "error": error}
    if retry_in_minutes is not None:
        after["retry_in_minutes"] = retry_in_minutes
    with transaction.atomic():
        audit.record(actor=None, label="mail", action=FAILED_ACTION, obj=about,
                     organisation=organisation, after=after)


def send(messages, *, kind, organisation=None, about=None, again=None) -> int:
    """Send now; a failure is recorded (`record_failure`), not raised. Returns how many went.

    `again(delay)`, from a task, queues the task again after `delay`: it is called when no
    message went (nothing would be sent twice) and the task has retries left (it returns False
    when it has none, or the task backend cannot wait)."""
    messages = list(messages)
    try:
        return deliver(messages)
    except NotSent as exc:
        retry = None
        if again is not None and exc.failed == exc.total:
            retry = again(timedelta(minutes=settings.CLINLEAD_MAIL_RETRY_MINUTES))
        record_failure(kind=kind, organisation=organisation, about=about, failed=exc.failed,
                       total=exc.total, error=exc.error,
                       retry_in_minutes=retry.total_seconds() / 60 if retry else None)
        return exc.total - exc.failed


def queue_again(task, *, attempt, **arguments):
    """An `again` for `send`: queue `task` with `attempt + 1` after a delay doubling each attempt.
    Returns the delay used, or None when out of retries or when the backend runs tasks at once."""
    def again(first_delay):
        if attempt >= settings.CLINLEAD_MAIL_RETRIES or not task.get_backend().supports_defer:
            return None
        delay = first_delay * 2 ** (attempt - 1)
        task.using(run_after=timezone.now() + delay).enqueue(attempt=attempt + 1, **arguments)
        return delay

    return again


def send_after_commit(messages, *, kind, organisation=None, about=None):
    """Send once the caller's transaction commits (nobody hears of what was rolled back)."""
    messages = list(messages)
    if messages:
        transaction.on_commit(
            lambda: send(messages, kind=kind, organisation=organisation, about=about))


# Message builders by dotted name. A queued task names its builder, and only these can run: a
# builder registers itself (`@message_builder`) when its app loads, so nothing here imports an
# app above it, or a module by a name taken from the task queue.
BUILDERS = {}


def message_builder(function):
    BUILDERS[f"{function.__module__}.{function.__name__}"] = function
    return function


def _builder(path):
    if path not in BUILDERS:
        raise ValueError(f"Not a Clinlead message builder: {path!r}")
    return BUILDERS[path]


@task()
def send_bulk(*, builder: str, kind: str, arguments: dict, attempt: int = 1) -> None:
    """Build the messages now (the recipients as they are when the task runs) and send them."""
    batch = _builder(builder)(**arguments)
    if batch is not None:
        send(batch.messages, kind=kind, organisation=batch.organisation, about=batch.about,
             again=queue_again(send_bulk, attempt=attempt, builder=builder, kind=kind,
                               arguments=arguments))


def enqueue_after_commit(builder, *, kind, **arguments):
    """Queue a bulk send once the caller's transaction commits. `builder` is the dotted path of
    a `@message_builder` function taking `arguments` (ids: plain JSON) and returning a `Batch`
    or None."""
    _builder(builder)  # refuse a wrong path now, not in the worker
    transaction.on_commit(
        lambda: send_bulk.enqueue(builder=builder, kind=kind, arguments=arguments))


# ------------------------------------------------------------------ what the admins see
def failures(*, about):
    """The recorded failures for one thing (a selection, a survey cycle...), newest first."""
    from clinlead.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=FAILED_ACTION, object_type=about._meta.label,
                                          object_id=str(about.pk)).order_by("-id"))
