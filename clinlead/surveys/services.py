"""Actions on a survey cycle: create, open (snapshot, invite, make the custodians' keys), remind,
answer (sealed), close (open the boxes, unlink, write the answers) and abandon.

Publishing, which computes results, lives in clinlead.leaderindex.services.

What is stored, and when, is the promise of docs/secrecy.md: while the cycle is open an answer
is only a sealed box; at close the boxes become plaintext rows in a fresh random order, in the
transaction that destroys the boxes and every invitation's unit, leader, profession and token
hash. Answering writes no audit event, only today's count (`audit.count_today`): an event's
timestamp, next to an invitation, would say when a person answered.
"""

import json
import logging
import secrets
import time
import uuid
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Mod
from django.urls import reverse

from clinlead import actions, sealing, unsealing
from clinlead.audit import services as audit
from clinlead.audit.models import DailyCount
from clinlead.org.models import Person, ReportingLine, Unit, UnitMembership
from clinlead.surveys import coarsening, reopened
from clinlead.surveys.answering import (  # noqa: F401  answering has its own module; its names stay here too
    SEALED_SIZE,
    InvitationUnusable,
    clean_comment,
    find_invitation,
    seal_response,
    submit_response,
    token_hash,
)
from clinlead.surveys.models import (
    Comment,
    Instrument,
    Invitation,
    Response,
    SealedResponse,
    SurveyCycle,
)

logger = logging.getLogger(__name__)
DEFAULT_INSTRUMENT = Path(__file__).resolve().parent.parent / "analytics" / "instruments" / "clbi-v1.json"


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
    with actions.atomic():
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


# Links are e-mailed in shards of about this many invitations, chosen by key when the task runs.
LINKS_PER_TASK = 500


def open_cycle(*, actor, cycle, passphrases, snapshot_date: date | None = None, send=True):
    """Snapshot who rates whom, make the custodians' keys and invite everyone.

    Returns (how many were invited, the custody keys). The key files in it are the only copy of
    the private key: the caller hands them to the custodians at once and keeps nothing. Links are
    made by the background task that e-mails them (`issue_link`), so no usable link is ever
    stored: not here, not in the task queue.
    """
    keys = _custody_keys(cycle, passphrases)
    with actions.atomic():
        invited = _open(actor=actor, cycle=cycle, keys=keys, snapshot_date=snapshot_date)
        if send:
            transaction.on_commit(lambda: _enqueue(cycle, reminder=False))
    return invited, keys


def _custody_keys(cycle, passphrases):
    _require_status(cycle, SurveyCycle.Status.DRAFT)
    try:
        return sealing.make_custody_keys(passphrases=passphrases, label=f"{cycle.organisation} {cycle}")
    except sealing.CustodyError as exc:
        raise ValidationError(str(exc)) from exc


def _open(*, actor, cycle, keys, snapshot_date):
    """The opening itself, inside the caller's transaction (the demo runs it inside its own)."""
    day = snapshot_date or date.today()
    org = cycle.organisation
    members = dict(
        UnitMembership.objects.on(day).filter(unit__organisation=org, person__active=True)
        .values_list("person_id", "unit_id")
    )
    leaders = dict(ReportingLine.objects.on(day).filter(person_id__in=members).values_list("person_id", "leader_id"))
    professions = dict(Person.objects.filter(id__in=members).values_list("id", "profession"))
    cycle.status = SurveyCycle.Status.OPEN
    cycle.snapshot_date = day
    cycle.public_key = keys.public_key
    cycle.min_responses, cycle.min_comments = org.min_responses, org.min_comments
    cycle.save(update_fields=["status", "snapshot_date", "public_key", "min_responses", "min_comments"])
    Invitation.objects.bulk_create(
        # No link is usable until the e-mail task issues one (token_hash stays empty).
        [Invitation(cycle=cycle, person_id=pid, unit_id=members[pid], leader_id=leaders.get(pid),
                    profession=professions[pid]) for pid in members],
        batch_size=2000,
    )
    audit.record(actor=actor, action="surveys.cycle_opened", obj=cycle, organisation=org,
                 after={"snapshot_date": str(day), "invited": len(members), "custodians": len(keys.key_files)})
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
    with actions.atomic():
        # No count is recorded or returned: with the invitations it would give the number who
        # had answered at this moment, a figure the progress page shows only a day late.
        audit.record(actor=actor, action="surveys.reminders_sent", obj=cycle, organisation=cycle.organisation)
        transaction.on_commit(lambda: _enqueue(cycle, reminder=True))


def _enqueue(cycle, *, reminder):
    """Queue the e-mails. A task names its cycle and a shard of invitation keys, never a person:
    who still needs a link is worked out when the task runs, so the queue's rows (kept with their
    times) cannot say who had answered by when."""
    from clinlead.surveys.tasks import send_survey_links

    shards = max(1, -(-Invitation.objects.filter(cycle=cycle).count() // LINKS_PER_TASK))
    for shard in range(shards):
        send_survey_links.enqueue(cycle_id=cycle.pk, shard=shard, shards=shards, reminder=reminder)


def invitations_needing_a_link(*, cycle, shard=0, shards=1):
    """This shard's unused invitations, as the e-mail task finds them when it runs."""
    return (Invitation.objects.filter(cycle=cycle, used=False).annotate(shard=Mod(F("pk"), shards))
            .filter(shard=shard).select_related("person").order_by("pk"))


def close_cycle(*, actor, cycle, key_files, passphrases) -> SurveyCycle:
    """Open the sealed answers with the custodians' key files and write them, unlinked
    (`clinlead.unsealing`: one transaction, fresh random order, boxes destroyed).

    A wrong passphrase, a file of another cycle or a missing custodian raises ValidationError
    with the reason, and changes nothing. The private key is rebuilt for this call only.
    """
    _require_status(cycle, SurveyCycle.Status.OPEN)

    def lock():
        _lock_open(cycle)
        return cycle

    def finish(cycle, responses):
        _unlink(actor=actor, cycle=cycle, action="surveys.cycle_closed",
                after={"responses": responses, "invited": cycle.invitations.count()})

    unsealing.close_and_unlink(
        public_key=cycle.public_key, key_files=key_files, passphrases=passphrases, require_key=True,
        domain=unsealing.Domain(
            lock=lock, sealed=lambda cycle: SealedResponse.objects.filter(cycle=cycle), write=_write_answers,
            finish=finish, missing_key=lambda cycle: "Give every custodian's key file and passphrase.",
            # `_unlink` queues the VACUUM FULL itself, with the close's transaction id to wait for.
            reclaim=lambda: None))
    return cycle


def abandon_cycle(*, actor, cycle) -> SurveyCycle:
    """Close a cycle whose key is lost: its sealed answers are deleted unread, and it has no results."""
    _require_status(cycle, SurveyCycle.Status.OPEN)
    with actions.atomic():
        _lock_open(cycle)
        _unlink(actor=actor, cycle=cycle, action="surveys.cycle_abandoned",
                after={"invited": cycle.invitations.count(), "answers_deleted_unread": cycle.sealed_responses.count()})
    return cycle


def _lock_open(cycle):
    """Wait for answers being stored to commit and keep new ones out (see `answering._HOLD_USE_AND_STORE`)."""
    if not list(SurveyCycle.objects.select_for_update().filter(pk=cycle.pk, status=SurveyCycle.Status.OPEN)
                .values_list("pk", flat=True)):
        raise ValidationError(f"The {cycle} is no longer open")


def _write_answers(cycle, sheets) -> int:
    """The opened sheets as rows, each coarsened to its disclosure block (`coarsening`); a
    comment is kept only for a leader whose figure is published and who has enough comments for
    them to be shown, in an order of its own."""
    # A reopened cycle: the answers opened at the earlier close join these (services_reopen).
    earlier, earlier_comments = reopened.take_earlier_answers(cycle=cycle)
    sheets = store_coarsened(cycle=cycle, sheets=[*sheets, *earlier])
    published = coarsening.published_leaders(sheets)
    comments = unsealing.shuffled([
        *((s["leader"], s["comment"]) for s in sheets if s["comment"] and s["leader"] in published),
        *((leader, text) for leader, text in earlier_comments if leader in published)])
    Comment.objects.bulk_create([Comment(id=uuid.uuid4(), cycle=cycle, leader_id=leader, text=text)
                                 for leader, text in comments], batch_size=2000)
    return len(sheets)


def store_coarsened(*, cycle, sheets):
    """Write opened sheets as responses, coarsened and shuffled; returns the coarsened sheets."""
    units = dict(Unit.objects.filter(organisation=cycle.organisation).values_list("id", "path"))
    staff = dict(Person.objects.filter(pk__in={s["leader"] for s in sheets}).values_list("id", "staff_number"))
    sheets, cycle.close_figures = coarsening.coarsen_sheets(
        sheets=sheets, instrument=cycle.instrument.load(), k=cycle.min_responses, unit_paths=units,
        root=cycle.organisation.name, cycle_name=cycle.name, leader_labels=staff)
    cycle.save(update_fields=["close_figures"])
    sheets = unsealing.shuffled(sheets)
    Response.objects.bulk_create([
        Response(id=uuid.uuid4(), cycle=cycle, leader_id=s["leader"], unit_id=s["unit"], profession=s["profession"],
                 answers=s["answers"], burnout=s["burnout"], satisfaction=s["satisfaction"]) for s in sheets],
        batch_size=2000)
    return sheets


def _unlink(*, actor, cycle, action, after):
    """Destroy the boxes and everything that tied an invitation to a cell, then reclaim the space
    once committed. Every invitation is rewritten here, so none keeps the transaction id of its
    answer."""
    SealedResponse.objects.filter(cycle=cycle).delete()
    Invitation.objects.filter(cycle=cycle).update(unit=None, leader=None, profession="", token_hash=None)
    cycle.status = SurveyCycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    # Today's answer count was last written by the day's last answer; rewrite it here.
    DailyCount.objects.filter(object_type=cycle._meta.label, object_id=str(cycle.pk)).update(count=F("count"))
    audit.record(actor=actor, action=action, obj=cycle, organisation=cycle.organisation, after=after)
    close_xid = _transaction_id()
    transaction.on_commit(lambda: _enqueue_reclaim(close_xid))


def _enqueue_reclaim(close_xid):
    from clinlead.surveys.tasks import reclaim_survey_space

    reclaim_survey_space.enqueue(after_transaction=close_xid)


def _transaction_id():
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        return cursor.fetchone()[0]


RECLAIM_WAIT_SECONDS = 60
# Tables whose deleted or old row versions could still tie a person to an answer: the boxes, the
# invitations (used flags, token hashes, units), the rows written at close, the daily counts.
RECLAIMED_TABLES = [SealedResponse, Invitation, Response, Comment]


def reclaim_deleted_rows(*, after_transaction=None, wait_seconds=RECLAIM_WAIT_SECONDS) -> bool:
    """Remove the old row versions the close left behind; runs after the close has committed, as
    a background task (`reclaim_survey_space`).
    Returns False when an older transaction may have kept some (run `clinlead survey-reclaim`).

    PostgreSQL: VACUUM FULL, not plain VACUUM. Plain VACUUM only marks a dead row's space free;
    its bytes stay in the table file until reused, and a file-level backup would still carry
    them. VACUUM FULL writes each table anew with its live rows only (a short exclusive lock).
    Neither can drop a row version deleted after the oldest transaction still running on the
    server began (a long report, a running pg_dump, autovacuum's ANALYZE, another database's
    work), so it first waits for the transactions older than the close to end.
    SQLite: `secure_delete` (set on every connection) has zeroed deleted content already; a
    checkpoint moves the write-ahead log into the database file and empties it.
    """
    tables = [m._meta.db_table for m in [*RECLAIMED_TABLES, DailyCount]]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return True
        if connection.vendor != "postgresql":
            return True
        if after_transaction is None:
            cursor.execute("SELECT txid_current()")
            after_transaction = cursor.fetchone()[0]
        clear = _wait_for_older_snapshots(cursor, after_transaction, wait_seconds)
        for table in tables:
            cursor.execute(f"VACUUM FULL {connection.ops.quote_name(table)}")
    if not clear:
        logger.warning("Survey close: a transaction older than the close was still running, so old row "
                       "versions may remain; the clean-up is tried again later (or run `clinlead survey-reclaim`)")
    return clear


def _wait_for_older_snapshots(cursor, xid, wait_seconds) -> bool:
    deadline = time.monotonic() + wait_seconds
    while True:
        # Every database of the server counts: VACUUM's own snapshot starts at the oldest
        # transaction running anywhere, and it keeps every row version deleted after that.
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND (age(backend_xmin) >= age((%s %% 4294967296)::text::xid) "
            "OR age(backend_xid) >= age((%s %% 4294967296)::text::xid))", [xid, xid])
        if cursor.fetchone()[0] == 0:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


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
    with actions.atomic():
        for unit_id, n in invited.items():
            ResponseRateSnapshot.objects.update_or_create(
                cycle=cycle, day=day, unit_id=unit_id, defaults={"invited": n, "responded": answered[unit_id]})
        audit.record(actor=None, action="surveys.progress_counted", obj=cycle, organisation=cycle.organisation,
                     after={"day": str(day)})
    return len(invited)
