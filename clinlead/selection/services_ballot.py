"""The secret ballot: cast, close, count.

Casting writes two rows in one transaction: a `VoterRecord` (who) and a `SealedBallot` (the
choices and a fresh receipt code, sealed to the ballot's public key, padded to one size). The
database's unique constraint on (selection, person) refuses a second vote even when both arrive
at once; the sealed ballot goes in the same transaction, so a refused voter record takes it
with it. The two rows share a transaction and neighbouring places in the tables: that links a
voter to a box nobody can open without every custodian's key file and passphrase.

Closing takes those key files: the boxes are opened, and one transaction destroys them and
writes the choices (`Ballot`) and the receipt hashes (`Receipt`) apart, each in its own fresh
random order with new random keys, and the voter records again in order of person. On
PostgreSQL the tables are vacuumed once that has committed, so the old row versions go too.

The audit trail counts votes per day (`audit.count_today`): one event per vote would date each
voter's participation.
"""

import secrets
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection
from django.utils import timezone

from clinlead import actions, sealing, unsealing
from clinlead import notifications as notify
from clinlead.audit import services as audit
from clinlead.selection import rules, selectors
from clinlead.selection.messages import HERE as MESSAGES
from clinlead.selection.models import (
    Ballot,
    Candidate,
    Receipt,
    SealedBallot,
    Selection,
    VoterRecord,
)

S = Selection.Stage
# Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand stays right.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 12  # 60 random bits
LOCKED_RETRIES = 200
# The tables a close rewrites; vacuumed after it on PostgreSQL so no old row version survives.
REWRITTEN_TABLES = [SealedBallot, VoterRecord, Ballot, Receipt]


def new_receipt_code():
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def clean_preferences(*, selection, preferences):
    """The ballot's candidate ids, checked against the paper: a ranking (STV) or an approval set
    (kept in ballot-paper order, so the order in which boxes were ticked is not stored)."""
    paper = [c.pk for c in selectors.ballot_paper(selection=selection)]
    try:
        chosen = [int(p) for p in preferences]
    except (TypeError, ValueError):
        raise ValidationError("The ballot names something that is not a candidate.") from None
    if not chosen:
        raise ValidationError("Choose at least one candidate." if selection.method == Selection.Method.APPROVAL
                              else "Give your first preference (1) to a candidate.")
    if len(set(chosen)) != len(chosen):
        raise ValidationError("A candidate is chosen more than once.")
    if any(c not in paper for c in chosen):
        raise ValidationError("The ballot names someone who is not standing in this ballot.")
    if selection.method == Selection.Method.APPROVAL:
        chosen = [c for c in paper if c in set(chosen)]
    return chosen


# ------------------------------------------------------------------ the key, at scheduling
def make_ballot_keys(selection, *, passphrases):
    """A new key pair for the ballot: the key files to hand out once (the public key goes on the
    selection when the ballot is scheduled). Made before the scheduling transaction: the
    passphrase hashing is deliberately slow."""
    try:
        return sealing.make_custody_keys(passphrases=passphrases, label=f"Ballot: {selection.position}")
    except sealing.CustodyError as exc:
        raise ValidationError(str(exc)) from exc


# ------------------------------------------------------------------ casting
def box_size(selection):
    """One plaintext size for every box of a selection, whatever the voter ranked: room for
    every candidate on the paper (withdrawn ones included) and the receipt code."""
    on_paper = Candidate.objects.filter(selection=selection, on_ballot=True).count()
    return 64 + 24 * max(on_paper, 1)


def _lock_selection_for_voting(selection_id):
    """Hold the selection against a concurrent close while this vote is written: votes share the
    lock with each other, the close takes it alone (PostgreSQL FOR SHARE / FOR UPDATE; SQLite
    writes one transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Selection._meta.db_table} WHERE id = %s FOR SHARE", [selection_id])
    return Selection.objects.select_related("vacancy__position").get(pk=selection_id)


def store_ballot(*, selection, person, preferences):
    """Write the voter record and the sealed ballot; runs inside the caller's transaction.
    Returns the receipt code, which is stored nowhere in the clear (it is inside the box)."""
    if not selection.ballot_public_key:
        raise ValidationError("This ballot has no sealing key: it cannot take votes.")
    code = new_receipt_code()
    box = sealing.seal(public_key=selection.ballot_public_key, payload={"p": preferences, "r": code},
                       size=box_size(selection))
    VoterRecord.objects.create(selection=selection, person=person)
    SealedBallot.objects.create(selection=selection, box=box)
    return code


def cast_ballot(*, actor, selection, person, preferences):
    """Vote, once. Returns the receipt code, to be shown to the voter once and never kept."""
    for attempt in range(1, LOCKED_RETRIES + 1):
        try:
            return _cast(selection=selection, person=person, preferences=preferences)
        except OperationalError as exc:
            # SQLite answers "locked" at once, instead of waiting, when connections share one
            # cache (as its in-memory test database does) and another holds the write lock.
            # Nothing was written: wait a moment and try again. PostgreSQL waits by itself.
            if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == LOCKED_RETRIES:
                raise
            time.sleep((5 + secrets.randbelow(45)) / 1000)


def _cast(*, selection, person, preferences):
    now = timezone.now()
    problems = selectors.voting_problems(selection=selection, person=person, now=now)
    if problems:
        raise ValidationError(problems[0])
    preferences = clean_preferences(selection=selection, preferences=preferences)
    try:
        with actions.atomic():
            selection = _lock_selection_for_voting(selection.pk)
            if not selectors.ballot_is_open(selection=selection, now=timezone.now()):
                raise ValidationError("The ballot has closed.")
            code = store_ballot(selection=selection, person=person, preferences=preferences)
            audit.count_today(action="selection.ballot_cast", obj=selection)
    except IntegrityError as exc:
        raise ValidationError("You have already voted in this ballot: each voter votes once.") from exc
    return code


# ------------------------------------------------------------------ the close
def open_ballot_keys(selection, *, key_files, passphrases):
    """The custodians' key files and passphrases, checked against this ballot's public key.
    A wrong file or passphrase is a ValidationError naming it; nothing is changed."""
    return unsealing.open_keys(public_key=selection.ballot_public_key, key_files=key_files, passphrases=passphrases)


def unseal_and_unlink(selection, opener):
    """Open every sealed ballot and write it unlinked, inside the caller's transaction (the demo's
    close; `close_ballot` runs the same steps through `clinlead.unsealing.close_and_unlink`)."""
    return unsealing.unseal(sealed=SealedBallot.objects.filter(selection=selection), opener=opener,
                            write=lambda opened: write_opened_ballots(selection, opened))


def write_opened_ballots(selection, opened):
    """Write opened ballots ({"p": preferences, "r": receipt code}) as choices (`Ballot`) and
    receipt hashes (`Receipt`) apart; runs inside the close's transaction. Returns (ballots,
    voter records).

    Nothing written here can be joined to a voter: the ballots and the receipts each come in
    their own fresh random order with new random keys, all in one transaction (so they share its
    transaction id with every voter record, not with any one of them). The voter records are
    written again in order of person, so their order no longer follows the order of voting.
    """
    preferences = unsealing.shuffled([int(c) for c in content["p"]] for content in opened)
    receipts = unsealing.shuffled(selectors.receipt_hash(selection_id=selection.pk, code=content["r"])
                                  for content in opened)
    voters = list(VoterRecord.objects.filter(selection=selection).order_by("person_id")
                  .values_list("person_id", flat=True))
    VoterRecord.objects.filter(selection=selection).delete()
    Ballot.objects.bulk_create([Ballot(selection=selection, preferences=p) for p in preferences])
    Receipt.objects.bulk_create([Receipt(selection=selection, receipt_hash=r) for r in receipts])
    VoterRecord.objects.bulk_create([VoterRecord(selection=selection, person_id=p) for p in voters])
    return len(preferences), len(voters)


def _reorder_unsealed(selection):
    """A ballot opened before ballots were sealed (stored in the clear at casting): write its
    ballots, receipts and voter records again in fresh orders with new keys."""
    preferences = list(Ballot.objects.filter(selection=selection).values_list("preferences", flat=True))
    receipts = list(Receipt.objects.filter(selection=selection).values_list("receipt_hash", flat=True))
    voters = list(VoterRecord.objects.filter(selection=selection).order_by("person_id")
                  .values_list("person_id", flat=True))
    selectors._secure.shuffle(preferences)
    selectors._secure.shuffle(receipts)
    for model in (Ballot, Receipt, VoterRecord):
        model.objects.filter(selection=selection).delete()
    Ballot.objects.bulk_create([Ballot(selection=selection, preferences=p) for p in preferences])
    Receipt.objects.bulk_create([Receipt(selection=selection, receipt_hash=r) for r in receipts])
    VoterRecord.objects.bulk_create([VoterRecord(selection=selection, person_id=p) for p in voters])
    return len(preferences), len(voters)


def close_ballot(*, actor, selection, key_files=(), passphrases=()):
    """Close the ballot at or after its closing time (or earlier once the whole electorate has
    voted) with every custodian's key file and passphrase, and publish the receipts (and the
    ballots, where the publication rule allows). The opening and unlinking is
    `clinlead.unsealing`'s; what is the ballot's own is below."""
    now = timezone.now()
    if selection.ballot_public_key and not key_files:
        raise ValidationError("Give every custodian's key file and passphrase: without them the sealed "
                              "ballots cannot be opened.")

    def lock():
        locked = Selection.objects.select_for_update().select_related("vacancy__position").get(pk=selection.pk)
        if locked.stage != S.BALLOT:
            raise ValidationError(f"Cannot close the ballot now: the selection is at the stage "
                                  f"“{locked.get_stage_display()}”.")
        voted = VoterRecord.objects.filter(selection=locked).count()
        if now < locked.closes_at and voted < locked.electorate_size:
            raise ValidationError(
                f"The ballot closes on {timezone.localtime(locked.closes_at):%d %B %Y at %H:%M}; it can close "
                "earlier only once the whole electorate has voted.")
        return locked

    def write(locked, opened):
        return write_opened_ballots(locked, opened) if locked.ballot_public_key else _reorder_unsealed(locked)

    def finish(locked, written):
        ballots, voters = written
        if ballots != voters:  # one transaction writes both: they can only differ by tampering
            raise RuntimeError(f"{ballots} ballots but {voters} voter records: the ballot box is not sound")
        locked.stage, locked.closed_at = S.CLOSED, now
        locked.save(update_fields=["stage", "closed_at"])
        audit.record(actor=actor, action="selection.ballot_closed", obj=locked,
                     after={"ballots": ballots, "electorate": locked.electorate_size,
                            "full_ballots_published": selectors.full_ballots_published(selection=locked)})

    unsealing.close_and_unlink(
        public_key=selection.ballot_public_key, key_files=key_files, passphrases=passphrases, require_key=True,
        domain=unsealing.Domain(
            lock=lock, sealed=lambda locked: SealedBallot.objects.filter(selection=locked), write=write,
            finish=finish, missing_key=lambda locked: "Give every custodian's key file and passphrase.",
            tables=REWRITTEN_TABLES))
    return Selection.objects.select_related("vacancy__position").get(pk=selection.pk)


def hand_out_recount_file(*, actor, selection):
    """The recount file for a scrutineer (talent admin or committee member), recorded in the
    audit trail with who took it: below the publication threshold it is the only copy of the
    full ballots that leaves Clinlead."""
    with actions.atomic():
        content = selectors.recount_file(selection=selection)
        audit.record(actor=actor, action="selection.recount_file_downloaded", obj=selection,
                     after={"ballots": selectors.ballots_cast(selection=selection)})
    return content


def tally(selection, seed):
    """Count every ballot with this seed and store the result and shortlist; runs inside the
    caller's transaction, after the close."""
    result = selectors.run_count(selection=selection, seed=seed)
    selection.count_seed = result.seed if result.seed is not None else seed
    _, note = rules.seats_for_count(shortlist_size=selection.shortlist_size,
                                    standing=len(selectors.ballot_paper(selection=selection)))
    selection.count_result = {"title": selectors.count_title(selection), **result.as_dict(),
                              **({"note": note} if note else {})}
    selection.counted_at = timezone.now()
    selection.stage = S.COUNTED
    selection.save(update_fields=["count_seed", "count_result", "counted_at", "stage"])
    labels = selectors.candidate_labels(selection=selection)
    by_label = {label: pk for pk, label in labels.items()}
    for rank, name in enumerate(result.elected, 1):
        Candidate.objects.filter(pk=by_label[name]).update(shortlist_rank=rank)
    return result


def count_ballots(*, actor, selection, seed=None):
    """Count all the ballots once the ballot has closed; the seed for any lot is chosen now (or
    given) and recorded, so a recount gives the same result. Below the quorum
    (`rules.quorum_problem`) nothing is counted: the ballot fails and says so."""
    with actions.atomic():
        selection = Selection.objects.select_for_update().select_related("vacancy__position", "unit").get(pk=selection.pk)
        if selection.stage != S.CLOSED:
            if not selection.ballot_is_closed:
                raise selectors.BallotNotClosed(selection)
            raise ValidationError("The ballots have already been counted.")
        ballots = selectors.ballots_cast(selection=selection)
        failure = rules.quorum_problem(selection, ballots=ballots)
        if failure:
            selection.stage, selection.ended_reason, selection.counted_at = S.FAILED, failure, timezone.now()
            selection.save(update_fields=["stage", "ended_reason", "counted_at"])
            audit.record(actor=actor, action="selection.ballot_failed", obj=selection,
                         after={"ballots": ballots, "electorate": selection.electorate_size,
                                "quorum_percent": selection.quorum_percent,
                                "needed": rules.quorum_needed(selection)})
            result = None
        else:
            result = tally(selection, secrets.randbelow(2**32) if seed is None else seed)
            audit.record(actor=actor, action="selection.ballots_counted", obj=selection,
                         after={"method": result.method, "seed": selection.count_seed,
                                "valid_votes": result.valid_votes, "shortlist": result.elected})
        notify.enqueue_after_commit(MESSAGES + "results", kind="selection.results", selection_id=selection.pk)
    return result
