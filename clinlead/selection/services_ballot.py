"""The secret ballot: cast, close, count.

Casting writes two rows in one transaction — a `VoterRecord` (who, which day) and a `Ballot`
(choices, receipt hash, random UUID) — with nothing linking them. The database's unique
constraint on (selection, person) refuses a second vote even when both arrive at once; the
ballot goes in the same transaction, so a refused voter record takes its ballot with it.

The audit event of a vote names no voter: the voter record already says who voted on which
day, and the audit trail's timestamps must not say more.
"""

import secrets
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from clinlead.audit import services as audit
from clinlead.org.models import Person
from clinlead.selection import notifications, selectors
from clinlead.selection.models import Ballot, Candidate, Selection, VoterRecord

S = Selection.Stage
# Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand stays right.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 12  # 60 random bits
SECRET_VOTER = "a voter (the ballot is secret)"
LOCKED_RETRIES = 200


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


def _lock_selection_for_voting(selection_id):
    """Hold the selection against a concurrent close while this vote is written: votes share the
    lock with each other, the close takes it alone (PostgreSQL FOR SHARE / FOR UPDATE; SQLite
    writes one transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Selection._meta.db_table} WHERE id = %s FOR SHARE", [selection_id])
    return Selection.objects.select_related("vacancy__position").get(pk=selection_id)


def store_ballot(*, selection, person, preferences, day):
    """Write the voter record and the ballot; runs inside the caller's transaction. Returns the
    receipt code, which is stored nowhere (only its hash, on the ballot)."""
    code = new_receipt_code()
    VoterRecord.objects.create(selection=selection, person=person, voted_on=day)
    Ballot.objects.create(selection=selection, preferences=preferences,
                          receipt_hash=selectors.receipt_hash(selection_id=selection.pk, code=code))
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
        with transaction.atomic(durable=True):
            selection = _lock_selection_for_voting(selection.pk)
            if not selectors.ballot_is_open(selection=selection, now=timezone.now()):
                raise ValidationError("The ballot has closed.")
            code = store_ballot(selection=selection, person=person, preferences=preferences,
                                day=timezone.localdate(now))
            audit.record(actor=None, label=SECRET_VOTER, action="selection.ballot_cast", obj=selection)
    except IntegrityError as exc:
        raise ValidationError("You have already voted in this ballot: each voter votes once.") from exc
    return code


def _reshuffle(selection):
    """Write the ballots again in a random order, and the voter records in person order, so the
    tables' physical order (and PostgreSQL's row versions) no longer follow the order of voting."""
    ballots = list(Ballot.objects.filter(selection=selection).values("id", "preferences", "receipt_hash"))
    selectors._secure.shuffle(ballots)
    voters = list(VoterRecord.objects.filter(selection=selection).order_by("person_id")
                  .values("id", "person_id", "voted_on"))
    Ballot.objects.filter(selection=selection).delete()
    VoterRecord.objects.filter(selection=selection).delete()
    Ballot.objects.bulk_create([Ballot(selection=selection, **b) for b in ballots])
    VoterRecord.objects.bulk_create([VoterRecord(selection=selection, **v) for v in voters])
    return len(ballots), len(voters)


def close_ballot(*, actor, selection):
    """Close the ballot at or after its closing time (or earlier once the whole electorate has
    voted) and publish the receipts and the ballots to the electorate."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        selection = Selection.objects.select_for_update().get(pk=selection.pk)
        if selection.stage != S.BALLOT:
            raise ValidationError(f"Cannot close the ballot now: the selection is at the stage "
                                  f"“{selection.get_stage_display()}”.")
        voted = VoterRecord.objects.filter(selection=selection).count()
        if now < selection.closes_at and voted < selection.electorate_size:
            raise ValidationError(
                f"The ballot closes on {timezone.localtime(selection.closes_at):%d %B %Y at %H:%M}; it can close "
                "earlier only once the whole electorate has voted.")
        ballots, voters = _reshuffle(selection)
        if ballots != voters:  # one transaction writes both: they can only differ by tampering
            raise RuntimeError(f"{ballots} ballots but {voters} voter records: the ballot box is not sound")
        selection.stage, selection.closed_at = S.CLOSED, now
        selection.save(update_fields=["stage", "closed_at"])
        audit.record(actor=actor, action="selection.ballot_closed", obj=selection,
                     after={"ballots": ballots, "electorate": selection.electorate_size})
    return selection


def tally(selection, seed):
    """Count every ballot with this seed and store the result and shortlist; runs inside the
    caller's transaction, after the close."""
    result = selectors.run_count(selection=selection, seed=seed)
    selection.count_seed = result.seed if result.seed is not None else seed
    selection.count_result = {"title": selectors.count_title(selection), **result.as_dict()}
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
    given) and recorded, so a recount gives the same result."""
    with transaction.atomic(durable=True):
        selection = Selection.objects.select_for_update().select_related("vacancy__position", "unit").get(pk=selection.pk)
        if selection.stage != S.CLOSED:
            if not selection.ballot_is_closed:
                raise selectors.BallotNotClosed(selection)
            raise ValidationError("The ballots have already been counted.")
        result = tally(selection, secrets.randbelow(2**32) if seed is None else seed)
        audit.record(actor=actor, action="selection.ballots_counted", obj=selection,
                     after={"method": result.method, "seed": selection.count_seed,
                            "valid_votes": result.valid_votes, "shortlist": result.elected})
        people = list(Person.objects.filter(id__in=selection.electors.values("person_id")))
        people += [c.person for c in Candidate.objects.filter(selection=selection).select_related("person")]
        notifications.notify_after_commit(
            people=people, subject=f"Shortlist published: {selection.position}",
            body=(f"The ballot for {selection.position} has been counted and the shortlist published, "
                  "with every stage of the count, the receipt codes and the ballots, so that you can "
                  f"check your vote was counted and recount it yourself.\n\n"
                  f"{notifications.link('selection:results', pk=selection.pk)}\n"),
        )
    return result
