"""Answering a survey: finding the invitation behind a single-use link, and sealing one answer
sheet while using the link up, in one transaction (docs/secrecy.md).

This is the busiest request of the year: a whole organisation answers in the days after the
e-mail. On two cores the application, PostgreSQL and everything else share about 8 ms of CPU per
answer at 250 answers a second, so the path is short (benchmarks/survey_post_cpu.py counts it):
the invitation is read with one written-out statement (the ORM's compiling of a three-table
select_related was a third of the request), the parsed instrument is kept per process, and on
PostgreSQL the cycle's lock, the link's conditional use and the box are one statement. Every
promise stays: nothing links a person to an answer (no log, no time), the token hash is cleared
in the answer's transaction, a link is used once, no answer slips in while a close reads the
boxes, and today's count goes up by one.

`clinlead.surveys.services` re-exports these names; the rest of a cycle's life is there.
"""

import hashlib
import unicodedata
import uuid

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.base import DEFERRED

from clinlead import actions, sealing
from clinlead.audit import services as audit
from clinlead.org.models import Organisation
from clinlead.surveys.models import (
    COMMENT_MAX_LENGTH,
    Invitation,
    SealedResponse,
    SurveyCycle,
    parsed_instrument,
)
from clinlead.surveys.selectors import leader_choices

# Every sealed answer is padded to this many bytes, so a box's length says nothing (not even
# whether there is a comment). The longest payload: a comment of COMMENT_MAX_LENGTH characters
# of 4 UTF-8 bytes each (control characters are dropped, so none is escaped to more), plus the
# answers, leader, unit and profession (under 400 bytes).
SEALED_SIZE = 4 + 4 * COMMENT_MAX_LENGTH + 700


class InvitationUnusable(Exception):
    """The link is unknown, already used, or its cycle is not open."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What the form and the answer need, and no more: not the instrument's definition (parsed once
# per process, `parsed_instrument`) nor the cycle's close figures. Other fields load if read.
_INVITATION = ("id", "person_id", "leader_id", "unit_id", "profession", "used", "reminders_sent")
_CYCLE = ("id", "organisation_id", "instrument_id", "name", "status", "opens_on", "closes_on",
          "snapshot_date", "min_responses", "min_comments", "imported", "public_key")
_ORGANISATION = ("id", "name", "slug")


def _columns(model, alias, names):
    return ", ".join(f"{alias}.{model._meta.get_field(n.removesuffix('_id')).column}" for n in names)


def _find_sql():
    return (f"SELECT {_columns(Invitation, 'i', _INVITATION)}, {_columns(SurveyCycle, 'c', _CYCLE)}, "
            f"{_columns(Organisation, 'o', _ORGANISATION)} "
            f"FROM {Invitation._meta.db_table} i "
            f"JOIN {SurveyCycle._meta.db_table} c ON c.id = i.cycle_id "
            f"JOIN {Organisation._meta.db_table} o ON o.id = c.organisation_id "
            "WHERE i.token_hash = %s")


_FIND = _find_sql()


def _instance(model, names, values):
    """A model instance as the ORM would make it from a row of these fields; others are deferred."""
    given = dict(zip(names, values, strict=True))
    return model.from_db(connection.alias, names,
                         [given.get(f.attname, DEFERRED) for f in model._meta.concrete_fields])


def find_invitation(*, token) -> Invitation:
    """The invitation behind a link, with its cycle and organisation, if the link can be used."""
    digest = token_hash(token)
    with connection.cursor() as cursor:
        # No ORDER BY: the hash is unique.
        cursor.execute(_FIND, [digest])
        row = cursor.fetchone()
    if row is None:
        raise InvitationUnusable
    n, m = len(_INVITATION), len(_INVITATION) + len(_CYCLE)
    invitation = _instance(Invitation, [*_INVITATION, "token_hash"], [*row[:n], digest])
    cycle = _instance(SurveyCycle, _CYCLE, row[n:m])
    cycle.organisation = _instance(Organisation, _ORGANISATION, row[m:])
    invitation.cycle = cycle
    if invitation.used or cycle.status != SurveyCycle.Status.OPEN or not cycle.public_key:
        raise InvitationUnusable
    return invitation


def submit_response(*, token, answers, burnout, satisfaction, comment="", leader=None, invitation=None) -> None:
    """Seal one response and use up the link, in one transaction.

    `invitation` may be passed when the caller has just looked it up by this token; the
    conditional update in `seal_response` is what guarantees a link is used once.
    """
    with actions.atomic():
        if invitation is None or invitation.token_hash != token_hash(token):
            invitation = find_invitation(token=token)
        seal_response(invitation=invitation, answers=answers, burnout=burnout, satisfaction=satisfaction,
                      comment=comment, leader=leader)


def seal_response(*, invitation, answers, burnout, satisfaction, comment="", leader=None) -> None:
    """The answering itself, inside the caller's transaction.

    The invitation's update and the box share this transaction (and on PostgreSQL its `xmin`),
    so during the window the database can tell whose box is whose; it cannot tell what is in it.
    At close the boxes are destroyed and the answers written in one other transaction.
    """
    cycle = invitation.cycle
    postgresql = connection.vendor == "postgresql"
    instrument = parsed_instrument(cycle.instrument_id)
    _check_answers(instrument, answers, burnout, satisfaction)
    rated_id = leader.pk if leader is not None else invitation.leader_id
    if rated_id is None:
        raise ValidationError({"leader": "Choose your immediate leader"})
    if (rated_id != invitation.leader_id
            and not leader_choices(invitation=invitation).filter(pk=rated_id).exists()):
        raise ValidationError({"leader": "Choose a leader from your unit"})
    sheet = {"leader": rated_id, "unit": invitation.unit_id, "profession": invitation.profession,
             "answers": list(answers), "burnout": burnout, "satisfaction": satisfaction,
             "comment": clean_comment(comment)}
    box = sealing.seal(public_key=cycle.public_key, payload=sheet, size=SEALED_SIZE)
    if postgresql:
        _hold_open_use_store_and_count(cycle, invitation, box)
    else:
        _use_link(invitation)
        SealedResponse.objects.create(cycle=cycle, box=box)
        audit.count_today(action=_ANSWERS_RECEIVED, obj=cycle, organisation=cycle.organisation)


def _use_link(invitation):
    # Only one of two simultaneous submissions of the same link can flip `used`. The token's hash
    # goes with it: a proxy's log of the link and the database cannot then date the answer. The
    # invitation was read before this transaction: a close committed since then leaves its cycle
    # closed, and the answer is refused (SQLite has no shared lock, and needs none: one writer).
    if not (Invitation.objects.filter(pk=invitation.pk, used=False, cycle__status=SurveyCycle.Status.OPEN)
            .update(used=True, token_hash=None)):
        raise InvitationUnusable


# PostgreSQL: the cycle held open, `_use_link`, the box's insert and today's count as one statement
# (one round trip, one parse). `held` takes the cycle's shared lock, kept until commit, only while
# the cycle is open: a close locks the cycle before it reads the boxes, so it waits for answers
# being stored, and an answer waiting for it then finds the cycle closed; `used` flips the
# link only if unused and only in a cycle held open, clearing its token hash; the box is stored
# only for a link this statement used; `counted` (audit.free_slot_count) adds it to today's count.
# No box stored: the link was used (or the cycle closed) first, and the transaction is undone.
_HOLD_USE_AND_STORE = (
    f"WITH held AS (SELECT id FROM {SurveyCycle._meta.db_table} WHERE id = %s AND status = %s FOR SHARE), "
    f"used AS (UPDATE {Invitation._meta.db_table} SET used = true, token_hash = NULL "
    "WHERE id = %s AND NOT used AND cycle_id IN (SELECT id FROM held) RETURNING cycle_id), "
    f"stored AS (INSERT INTO {SealedResponse._meta.db_table} (id, cycle_id, box) "
    "SELECT %s, cycle_id, %s FROM used RETURNING id), "
)
_ANSWERS_RECEIVED = "surveys.answers_received"


def _hold_open_use_store_and_count(cycle, invitation, box):
    counted, count_params = audit.free_slot_count(action=_ANSWERS_RECEIVED, obj=cycle, after="stored")
    with connection.cursor() as cursor:
        cursor.execute(_HOLD_USE_AND_STORE + counted + " SELECT (SELECT count(*) FROM stored), "
                       "(SELECT count(*) FROM counted)",
                       [cycle.pk, SurveyCycle.Status.OPEN.value, invitation.pk, uuid.uuid4(), box, *count_params])
        stored, added = cursor.fetchone()
    if stored != 1:
        raise InvitationUnusable
    if not added:  # every slot of today's count is held by another answer (or there is none yet)
        audit.count_today(action=_ANSWERS_RECEIVED, obj=cycle, organisation=cycle.organisation)


def clean_comment(text) -> str:
    """The comment as stored: trimmed, at most COMMENT_MAX_LENGTH characters, without control
    characters (other than line breaks and tabs) or unpaired surrogates, so it fits a box."""
    kept = "".join(c for c in (text or "").strip() if c in "\n\r\t"
                   or unicodedata.category(c) not in ("Cc", "Cs"))
    return kept.strip()[:COMMENT_MAX_LENGTH]


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
