"""Reading selections: who may stand, sit on the committee or vote, and — after the close only —
the ballots, the receipts and the count.

Nothing here reads a `Ballot` before the ballot has closed (before then there are only sealed
boxes nobody here can open): every reader of ballots goes through `_closed_ballots`, which
refuses until then, and always reads all of a selection's ballots (there is no way to ask for a
subset). Ballots are handed out shuffled with a secure random generator, never in the order of
their keys or of anything that follows the order of voting. The full ballots are shown to
everyone only where the publication rule (`publication.py`) allows; the recount file always
goes to the talent admins and the committee, whose every download is in the audit trail.
"""

import hashlib
import random
from collections import Counter
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from clinlead.analytics.approval import count_approval
from clinlead.analytics.blt import write_blt
from clinlead.analytics.stv import count_scottish_stv
from clinlead.notifications import local_time
from clinlead.org import appointments
from clinlead.org.models import Appointment, Person, ReportingLine
from clinlead.selection import publication, rules
from clinlead.selection.models import (
    Ballot,
    Candidate,
    CommitteeMember,
    Elector,
    InterviewAttendance,
    Receipt,
    Selection,
    VoterRecord,
)

_secure = random.SystemRandom()


class BallotNotClosed(PermissionDenied):
    """Refused: nothing about the ballots may be read before the close."""

    def __init__(self, selection=None):
        super().__init__("The ballot has not closed: no count or ballot can be seen before the close.")


class BallotsWithheld(PermissionDenied):
    """Refused: too few voted for the full ballots to be published (see `publication`)."""

    def __init__(self, selection=None):
        super().__init__("The full ballots of this selection are not published: too few voted for so many "
                         "possible ballots. The count is published stage by stage; the scrutineers hold the "
                         "recount file.")


# ------------------------------------------------------------------ the organisation chart


def is_leader_on(*, person, day: date):
    """Holds a position on the day, or has people reporting to them."""
    holds = Appointment.objects.held_on(day).filter(person=person).exists()
    return holds or ReportingLine.objects.on(day).filter(leader=person).exists()


# ------------------------------------------------------------------ eligibility
def candidate_problems(*, selection, person, day: date):
    """Why this person may not stand (empty when they may)."""
    problems = []
    if person.organisation_id != selection.organisation_id:
        problems.append(f"{person.full_name} works at another organisation.")
    if not person.active:
        problems.append(f"{person.full_name} is not an active member of staff.")
    if Candidate.objects.filter(selection=selection, person=person).exists():
        problems.append(f"{person.full_name} is already a candidate.")
    if CommitteeMember.objects.filter(selection=selection, person=person).exists():
        problems.append(f"{person.full_name} sits on the decision committee and cannot stand.")
    if rules.runs_the_selection(selection=selection, person=person):
        problems.append(f"{person.full_name} runs this selection as its administrator and cannot stand in it.")
    # The term rule of every appointment (clinlead.org.appointments): would a term starting today
    # be past the limit? Then they may not stand (an exception is for the appointment itself).
    position = selection.vacancy.position
    served = appointments.term_number_for(position=position, person=person, start=day) - 1
    if served >= position.max_consecutive_terms:
        problems.append(
            f"{person.full_name} has held this position for {served} consecutive term{'s' if served != 1 else ''}, "
            f"the most it allows ({position.max_consecutive_terms})."
        )
    return problems


def committee_problems(*, selection, person, day: date):
    """Why this person may not sit on the decision committee (empty when they may): the rule is
    `rules.member_problems` (outside the vacancy's department, by default)."""
    return rules.member_problems(selection=selection, person=person, day=day, is_leader_on=is_leader_on)


def committee_with_units(*, selection, day: date):
    """The committee, each member with the units they work in (shown beside their name)."""
    members = list(CommitteeMember.objects.filter(selection=selection).select_related("person", "vote_for__person"))
    for member in members:
        member.units = [u.path for u in rules.current_units(person=member.person, day=day)]
    return members


def standing_candidates(*, selection):
    return Candidate.objects.filter(selection=selection, withdrawn=False).select_related("person")


def ballot_paper(*, selection):
    """The candidates on the ballot paper, in ballot-paper order, still standing."""
    return list(Candidate.objects.filter(selection=selection, on_ballot=True, withdrawn=False)
                .select_related("person"))


def candidate_labels(*, selection):
    """A distinct name for every candidate on the paper (staff number added to equal names)."""
    paper = list(Candidate.objects.filter(selection=selection, on_ballot=True).select_related("person"))
    names = Counter(c.person.full_name for c in paper)
    return {c.id: c.person.full_name if names[c.person.full_name] == 1
            else f"{c.person.full_name} ({c.person.staff_number})" for c in paper}


def is_elector(*, selection, person):
    return person is not None and Elector.objects.filter(selection=selection, person=person).exists()


def has_voted(*, selection, person):
    return VoterRecord.objects.filter(selection=selection, person=person).exists()


def turnout(*, selection):
    """How many have voted (from the voter records: this says nothing about any choice)."""
    return VoterRecord.objects.filter(selection=selection).count()


def interviews_missed(*, selection, person):
    """Standing candidates the person has not yet seen at an interview."""
    seen = set(InterviewAttendance.objects.filter(session__selection=selection, person=person)
               .values_list("session__candidates", flat=True))
    return [c for c in ballot_paper(selection=selection) if c.id not in seen]


def voting_problems(*, selection, person, now):
    """Why this person may not vote now (empty when they may)."""
    if person is None or not is_elector(selection=selection, person=person):
        return ["You are not in the electorate of this selection."]
    if selection.stage != Selection.Stage.BALLOT:
        return ["The ballot is not open."]
    if now < selection.opens_at:
        return [f"The ballot opens on {local_time(selection.opens_at, selection.organisation)}."]
    if now >= selection.closes_at:
        return ["The ballot has closed."]
    if has_voted(selection=selection, person=person):
        return ["You have already voted in this ballot."]
    if selection.interview_required:
        missed = interviews_missed(selection=selection, person=person)
        if missed:
            return ["To vote you must first take part in the interviews of every candidate; "
                    "you have not recorded taking part in an interview with "
                    + ", ".join(c.person.full_name for c in missed) + "."]
    return []


def ballot_is_open(*, selection, now):
    return (selection.stage == Selection.Stage.BALLOT and selection.opens_at <= now < selection.closes_at)


# ------------------------------------------------------------------ after the close only
def _closed_ballots(selection):
    """Every ballot of the selection, shuffled; refuses before the close."""
    if not selection.ballot_is_closed:
        raise BallotNotClosed(selection)
    ballots = list(Ballot.objects.filter(selection=selection).values_list("preferences", flat=True))
    _secure.shuffle(ballots)
    return ballots


def receipt_hash(*, selection_id, code):
    """SHA-256 of "clinlead-receipt:<selection id>:<code>": anyone can recompute it."""
    normalised = "".join(code.upper().split()).replace("-", "")
    return hashlib.sha256(f"clinlead-receipt:{selection_id}:{normalised}".encode()).hexdigest()


def fingerprint(receipt_hash_hex):
    """The first 16 hex digits, grouped in fours: what the published list shows."""
    return " ".join(receipt_hash_hex[i:i + 4] for i in range(0, 16, 4))


def receipt_fingerprints(*, selection):
    """The fingerprint of every counted ballot's receipt, sorted (hashes are random, so the
    order says nothing about the order of voting); refuses before the close."""
    if not selection.ballot_is_closed:
        raise BallotNotClosed(selection)
    hashes = Receipt.objects.filter(selection=selection).values_list("receipt_hash", flat=True)
    return sorted(fingerprint(h) for h in hashes)


def ballots_cast(*, selection):
    """How many ballots are in the box; refuses before the close."""
    if not selection.ballot_is_closed:
        raise BallotNotClosed(selection)
    return Ballot.objects.filter(selection=selection).count()


def receipt_is_counted(*, selection, code):
    """Was a ballot with this receipt counted? Says nothing about which ballot it was."""
    if not selection.ballot_is_closed:
        raise BallotNotClosed(selection)
    return Receipt.objects.filter(selection=selection,
                                  receipt_hash=receipt_hash(selection_id=selection.pk, code=code)).exists()


def full_ballots_published(*, selection):
    """The publication rule, on public numbers only: candidates on the paper and ballots cast."""
    return publication.full_ballots_may_be_published(
        candidates=Candidate.objects.filter(selection=selection, on_ballot=True).count(),
        ballots=ballots_cast(selection=selection), ranked=selection.method != Selection.Method.APPROVAL)


def ballots_needed_to_publish(*, selection):
    return publication.ballots_needed(
        candidates=Candidate.objects.filter(selection=selection, on_ballot=True).count(),
        ranked=selection.method != Selection.Method.APPROVAL)


def _published(selection):
    if not full_ballots_published(selection=selection):
        raise BallotsWithheld(selection)


def published_ballots(*, selection):
    """Each ballot as candidate names, shuffled afresh; refuses before the close, and where the
    publication rule withholds the full ballots."""
    _published(selection)
    labels = candidate_labels(selection=selection)
    return [[labels[c] for c in prefs] for prefs in _closed_ballots(selection)]


def count_title(selection):
    return f"{selection.vacancy.position.title}: shortlist"


def count_input(*, selection):
    """What a count or a BLT file needs: names in ballot-paper order, withdrawn, ballots, seats."""
    labels = candidate_labels(selection=selection)
    paper = list(Candidate.objects.filter(selection=selection, on_ballot=True).select_related("person"))
    candidates = [labels[c.id] for c in paper]
    withdrawn = [labels[c.id] for c in paper if c.withdrawn]
    seats, _ = rules.seats_for_count(shortlist_size=selection.shortlist_size,
                                     standing=len(candidates) - len(withdrawn))
    ballots = [(1, tuple(labels[c] for c in prefs)) for prefs in _closed_ballots(selection)]
    return {"candidates": candidates, "withdrawn": withdrawn, "ballots": ballots, "seats": seats}


def run_count(*, selection, seed):
    """Count all the ballots with this seed; refuses before the close."""
    data = count_input(selection=selection)
    if selection.method == Selection.Method.APPROVAL:
        return count_approval(ranked=False, seed=seed, **data)
    return count_scottish_stv(seed=seed, **data)


def recount(*, selection):
    """Count again with the recorded seed: the result must equal the published one."""
    if not selection.is_counted:
        raise BallotNotClosed(selection)
    return run_count(selection=selection, seed=selection.count_seed)


def ballots_blt(*, selection):
    """The published BLT file: refuses before the close, and where the publication rule
    withholds the full ballots (the scrutineers then have `recount_file`)."""
    _published(selection)
    return recount_file(selection=selection)


def recount_file(*, selection):
    """Every ballot in BLT format, one line per ballot, shuffled; refuses before the close.
    For the scrutineers, whatever the publication rule says: it always recounts to the result."""
    data = count_input(selection=selection)
    return write_blt(candidates=data["candidates"], seats=data["seats"], ballots=data["ballots"],
                     title=count_title(selection), withdrawn=data["withdrawn"])


def count_report(*, selection):
    """The published count (stages, elected, seed), or None before the count; refuses before
    the close."""
    if not selection.ballot_is_closed:
        raise BallotNotClosed(selection)
    return selection.count_result


def shortlist(*, selection):
    if not selection.is_counted:
        raise BallotNotClosed(selection)
    return list(Candidate.objects.filter(selection=selection, shortlist_rank__isnull=False)
                .select_related("person").order_by("shortlist_rank"))


# ------------------------------------------------------------------ the committee's decision
def committee_decision(*, selection):
    """(winning candidate or None, problems): the committee decides by a majority of the votes
    of every member who declared no conflict of interest, all of whom must have voted; a tie is
    broken by the chair's casting vote (`rules.decide`)."""
    members = list(CommitteeMember.objects.filter(selection=selection).select_related("person", "vote_for__person"))
    problems = rules.undeclared_problems(members, "Not every member has declared their interests: ")
    voters = [m for m in members if m.may_vote]
    if len(voters) < selection.min_committee_votes:
        problems.append(f"The decision needs at least {selection.min_committee_votes} committee members "
                        f"free of conflicts of interest; there are {len(voters)}.")
    winner_id, _, more = rules.decide(members=members, casting_vote_id=selection.casting_vote_id)
    problems += more
    if problems or winner_id is None:
        return None, problems
    return Candidate.objects.select_related("person").get(pk=winner_id), problems


def committee_tie(*, selection):
    """The tied candidates the chair must choose between (empty when there is no tie)."""
    members = list(CommitteeMember.objects.filter(selection=selection).select_related("person"))
    winner_id, tied, _ = rules.decide(members=members, casting_vote_id=None)
    return [] if winner_id else list(Candidate.objects.filter(pk__in=tied).select_related("person"))


# ------------------------------------------------------------------ lists
def selections_of(*, organisation):
    return (Selection.objects.filter(organisation=organisation)
            .select_related("vacancy__position", "unit").order_by("-id"))


def selections_for_person(*, person):
    """Selections this person votes in or decides on, newest first."""
    if person is None:
        return Selection.objects.none()
    return (Selection.objects.filter(Q(electors__person=person) | Q(committee__person=person))
            .distinct().select_related("vacancy__position").order_by("-id"))


def person_from_user(user):
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return None
    return Person.objects.filter(pk=user.person_id).first()
