"""Actions on a survey cycle: create, open (snapshot and invite), remind, answer, close.

Publishing, which computes results, lives in clinlead.leaderindex.services.

Answering is the one state change that writes no audit event: an event's timestamp, next to
an invitation, would say when a person answered. The cycle's close event records the count.
"""

import hashlib
import json
import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from clinlead.audit import services as audit
from clinlead.org.models import Person, ReportingLine, UnitMembership
from clinlead.surveys.models import (
    COMMENT_MAX_LENGTH,
    Comment,
    Instrument,
    Invitation,
    Response,
    SurveyCycle,
)
from clinlead.surveys.selectors import leader_choices

DEFAULT_INSTRUMENT = Path(__file__).resolve().parent.parent / "analytics" / "instruments" / "clbi-v1.json"


class InvitationUnusable(Exception):
    """The link is unknown, already used, or its cycle is not open."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_link(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("surveys:answer", kwargs={"token": token})


def default_instrument() -> Instrument:
    """The Clinlead Leader Behaviour Index, version 1, stored once as data."""
    definition = json.loads(DEFAULT_INSTRUMENT.read_text())
    instrument, _ = Instrument.objects.get_or_create(
        code=definition["id"], version=definition["version"],
        defaults={"name": definition["name"], "definition": definition},
    )
    return instrument


def create_cycle(*, actor, organisation, name, opens_on, closes_on, instrument=None) -> SurveyCycle:
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The survey must close on or after the day it opens"})
    if SurveyCycle.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError({"name": f"{organisation} already has a cycle called {name}"})
    instrument = instrument or default_instrument()
    with transaction.atomic(durable=True):
        cycle = SurveyCycle.objects.create(
            organisation=organisation, name=name, instrument=instrument, opens_on=opens_on, closes_on=closes_on,
            min_responses=organisation.min_responses, min_comments=organisation.min_comments,
        )
        audit.record(actor=actor, action="surveys.cycle_created", obj=cycle, organisation=organisation,
                     after={"name": name, "opens_on": str(opens_on), "closes_on": str(closes_on),
                            "instrument": str(instrument)})
    return cycle


def _require_status(cycle, *statuses):
    if cycle.status not in statuses:
        raise ValidationError(f"The {cycle} is {cycle.get_status_display().lower()}; this needs it to be "
                              + " or ".join(s.lower() for s in statuses))


def open_cycle(*, actor, cycle, snapshot_date: date | None = None, send=True) -> int:
    """Snapshot who rates whom and invite everyone. Returns how many were invited.

    Links are made by the background task that e-mails them (`issue_link`), so no usable
    link is ever stored: not here, not in the task queue.
    """
    _require_status(cycle, SurveyCycle.Status.DRAFT)
    day = snapshot_date or date.today()
    org = cycle.organisation
    members = dict(
        UnitMembership.objects.on(day).filter(unit__organisation=org, person__active=True)
        .values_list("person_id", "unit_id")
    )
    leaders = dict(ReportingLine.objects.on(day).filter(person_id__in=members).values_list("person_id", "leader_id"))
    professions = dict(Person.objects.filter(id__in=members).values_list("id", "profession"))
    with transaction.atomic(durable=True):
        cycle.status = SurveyCycle.Status.OPEN
        cycle.snapshot_date = day
        cycle.min_responses, cycle.min_comments = org.min_responses, org.min_comments
        cycle.save(update_fields=["status", "snapshot_date", "min_responses", "min_comments"])
        Invitation.objects.bulk_create(
            # Until its link is issued, an invitation's hash matches no token at all.
            [Invitation(cycle=cycle, person_id=pid, unit_id=members[pid], leader_id=leaders.get(pid),
                        profession=professions[pid], token_hash=token_hash(secrets.token_hex(32)))
             for pid in members],
            batch_size=2000,
        )
        audit.record(actor=actor, action="surveys.cycle_opened", obj=cycle, organisation=org,
                     after={"snapshot_date": str(day), "invited": len(members)})
        if send:
            transaction.on_commit(lambda: _enqueue(cycle, reminder=False))
    return len(members)


def issue_link(*, invitation) -> str:
    """A fresh single-use link for an unused invitation; any earlier link stops working."""
    token = secrets.token_urlsafe(24)
    updated = Invitation.objects.filter(pk=invitation.pk, used=False).update(token_hash=token_hash(token))
    if not updated:
        raise InvitationUnusable
    return token


def send_reminders(*, actor, cycle) -> None:
    """New links for everyone who has not answered; nobody is shown who that is."""
    _require_status(cycle, SurveyCycle.Status.OPEN)
    with transaction.atomic(durable=True):
        # No count is recorded or returned: with the invitations it would give the number who
        # had answered at this moment, a figure the progress page shows only a day late.
        audit.record(actor=actor, action="surveys.reminders_sent", obj=cycle, organisation=cycle.organisation)
        transaction.on_commit(lambda: _enqueue(cycle, reminder=True))


def _enqueue(cycle, *, reminder):
    from clinlead.surveys.tasks import send_survey_links

    ids = list(Invitation.objects.filter(cycle=cycle, used=False).values_list("id", flat=True))
    for start in range(0, len(ids), 500):
        send_survey_links.enqueue(cycle_id=cycle.pk, invitation_ids=ids[start:start + 500], reminder=reminder)


def find_invitation(*, token) -> Invitation:
    try:
        # get(), not first(): the hash is unique, and an ORDER BY only costs time on every answer.
        invitation = (Invitation.objects.select_related("cycle", "cycle__instrument", "cycle__organisation")
                      .get(token_hash=token_hash(token)))
    except Invitation.DoesNotExist:
        raise InvitationUnusable from None
    if invitation.used or invitation.cycle.status != SurveyCycle.Status.OPEN:
        raise InvitationUnusable
    return invitation


def submit_response(*, token, answers, burnout, satisfaction, comment="", leader=None, invitation=None) -> None:
    """Store one anonymous response and use up the link, in one transaction.

    `invitation` may be passed when the caller has just looked it up by this token; the
    conditional update below is what guarantees a link is used once.
    """
    with transaction.atomic(durable=True):
        if invitation is None or invitation.token_hash != token_hash(token):
            invitation = find_invitation(token=token)
        instrument = invitation.cycle.instrument.load()
        _check_answers(instrument, answers, burnout, satisfaction)
        rated_id = leader.pk if leader is not None else invitation.leader_id
        if rated_id is None:
            raise ValidationError({"leader": "Choose your immediate leader"})
        if (rated_id != invitation.leader_id
                and not leader_choices(invitation=invitation).filter(pk=rated_id).exists()):
            raise ValidationError({"leader": "Choose a leader from your unit"})
        # Only one of two simultaneous submissions of the same link can flip `used`.
        if not Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True):
            raise InvitationUnusable
        Response.objects.create(
            cycle=invitation.cycle, leader_id=rated_id, unit_id=invitation.unit_id, profession=invitation.profession,
            answers=list(answers), burnout=burnout, satisfaction=satisfaction,
        )
        text = (comment or "").strip()
        if text:
            Comment.objects.create(cycle=invitation.cycle, leader_id=rated_id, text=text[:COMMENT_MAX_LENGTH])


def _check_answers(instrument, answers, burnout, satisfaction):
    if len(answers) != instrument.n_items:
        raise ValidationError(f"Expected {instrument.n_items} answers, got {len(answers)}")
    allowed = set(instrument.scale_values)
    for i, value in enumerate(answers):
        if value is not None and value not in allowed:
            raise ValidationError({instrument.item_ids[i]: "Choose one of the answers"})
    for name, value, item in (("burnout", burnout, instrument.burnout), ("satisfaction", satisfaction, instrument.satisfaction)):
        if value is not None and value not in item.values:
            raise ValidationError({name: "Choose one of the answers"})


def close_cycle(*, actor, cycle) -> SurveyCycle:
    _require_status(cycle, SurveyCycle.Status.OPEN)
    with transaction.atomic(durable=True):
        cycle.status = SurveyCycle.Status.CLOSED
        cycle.save(update_fields=["status"])
        audit.record(actor=actor, action="surveys.cycle_closed", obj=cycle, organisation=cycle.organisation,
                     after={"responses": cycle.responses.count(), "invited": cycle.invitations.count()})
    return cycle


def count_progress(*, cycle, day: date | None = None) -> int:
    """Record today's invited/answered counts per top-level unit (run once a day).

    Pages show progress only from these rows, so nobody watching sees a count move when a
    particular person answers.
    """
    from collections import Counter

    from clinlead.org.models import Unit
    from clinlead.surveys.models import ResponseRateSnapshot

    _require_status(cycle, SurveyCycle.Status.OPEN)
    day = day or date.today()
    tops = {u.path: u.pk for u in Unit.objects.filter(organisation=cycle.organisation, depth=0)}
    invited, answered = Counter(), Counter()
    for path, used in Invitation.objects.filter(cycle=cycle).values_list("unit__path", "used").iterator(chunk_size=5000):
        top = tops.get((path or "").split("/")[0])
        if top is not None:
            invited[top] += 1
            answered[top] += used
    with transaction.atomic(durable=True):
        for unit_id, n in invited.items():
            ResponseRateSnapshot.objects.update_or_create(
                cycle=cycle, day=day, unit_id=unit_id, defaults={"invited": n, "responded": answered[unit_id]})
        audit.record(actor=None, action="surveys.progress_counted", obj=cycle, organisation=cycle.organisation,
                     after={"day": str(day)})
    return len(invited)
