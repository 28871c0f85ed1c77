"""E-mail about a selection, sent after the action's transaction commits (so nobody hears of
something that was then rolled back), through Django's mail API (the console in development).

Sent synchronously once committed, in the request, not through the task queue (which runs tasks
at once in development and the demo, and needs `clinlead worker` in production): a selection's
messages never wait on a worker. No message ever says how anyone voted.
"""

import logging

from django.conf import settings
from django.core.mail import get_connection, send_mass_mail
from django.db import transaction
from django.urls import reverse

logger = logging.getLogger(__name__)


def link(name, **kwargs):
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def notify_after_commit(*, people, subject, body):
    """Queue one message to each person with a work e-mail, sent once the transaction commits."""
    addresses = sorted({p.work_email for p in people if p.work_email})
    if not addresses:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    transaction.on_commit(lambda: _send(messages, subject))


def _send(messages, subject):
    try:
        send_mass_mail(messages, connection=get_connection())
    except Exception:  # the action is done; a mail server fault must not undo or hide it
        logger.exception("Could not send %d selection e-mails (%s)", len(messages), subject)
