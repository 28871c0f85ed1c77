"""Demo selections at Northgate: one complete (Clinical Director, Respiratory Medicine: candidates,
interviews, ballots, count, committee decision, appointment), one open ballot Bob can vote in
(Head of Specialty, Cardiology), one whose closing time has passed, for Tara to close and count
(the first other Head of Specialty post), and one taking nominations (Clinical Director,
Gastroenterology).

Written as the actions would write them, through the helpers the actions themselves call (so
the dates can lie in the past and no e-mail is sent); the appointment is made by the public
appointment action (`clinlead.org.appointments.appoint`), which joins the demo's transaction. Deterministic for a given demo seed (receipt codes, keys and
sealed ballots are random, as they must be).

Every ballot is sealed like any other. The key files of the ballots still open are written to
the demo's custody folder (`clinlead.custody.demo_key_folder`), locked with the demo custodians'
passphrase (printed with the demo logins),
so that Tara can close and count them in the browser. Its passphrase is public, so the demo's key
files are made with the cheapest passphrase hashing.
"""

import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import nacl.pwhash
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from clinlead import custody, sealing
from clinlead.org.models import Appointment, Person, Position, Unit
from clinlead.selection import selectors
from clinlead.selection.models import (
    Candidate,
    CommitteeMember,
    InterviewAttendance,
    InterviewSession,
    Selection,
    SelectionPolicy,
    Vacancy,
)
from clinlead.selection.services import take_electorate
from clinlead.selection.services_ballot import (
    make_ballot_keys,
    open_ballot_keys,
    store_ballot,
    tally,
    unseal_and_unlink,
)
from clinlead.selection.services_decision import make_appointment

COMPLETE = "Clinical Director, Respiratory Medicine"
OPEN_BALLOT = "Head of Specialty, Cardiology"
NOMINATING = "Clinical Director, Gastroenterology"
CLINICAL = {"doctor", "nurse", "ahp", "midwife"}
REASONS = [
    "Trusted by the whole department and has a clear plan for the respiratory service.",
    "Listened best at the interviews and the staff's first choice; strong on team wellbeing.",
]
# The custodian's passphrase of the demo's ballots: the demo password, printed with the logins.
DEMO_CUSTODIAN = "Tara (talent admin)"
# The key files the demo made in this process, by public key (tests close the demo's ballot).
KEY_FILES: dict[str, bytes] = {}
DISSENT = ("A close call: the strongest record of improving patient flow, though not the staff's first "
           "choice; I would support either.")


def demo_passphrase():
    return custody.DEMO_PASSPHRASE


def key_file_path(selection):
    return custody.demo_key_folder() / f"{slugify(selection.position.title)}-custody-key.json"


@contextmanager
def _cheap_passphrase_hashing():
    saved = sealing._kdf_cost
    sealing.set_kdf_cost(opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN, memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN)
    try:
        yield
    finally:
        sealing.set_kdf_cost(opslimit=saved[0], memlimit=saved[1])


def add_demo_data(*, world, generator):
    northgate = world.organisations["northgate"]
    rng = random.Random(world.seed * 31 + 7)
    with transaction.atomic():
        SelectionPolicy.objects.create(organisation=northgate, allow_self_nomination=True,
                                       interview_required_to_vote=True, shortlist_size=5, min_committee_votes=3)
        demo = _Demo(world, generator, northgate, rng)
        demo.complete_selection()
        demo.open_ballot()
        demo.awaiting_close()
        demo.taking_nominations()


class _Demo:
    def __init__(self, world, generator, organisation, rng):
        self.world, self.generator, self.org, self.rng = world, generator, organisation, rng
        self.today = world.today
        self.personas = {pid for pid in world.personas.values() if pid}
        self.holders = set(Appointment.objects.filter(position__organisation=organisation)
                           .values_list("person_id", flat=True))
        self.used = set()

    def moment(self, days_ago, hour=10):
        day = self.today - timedelta(days=days_ago)
        return timezone.make_aware(datetime.combine(day, time(hour)))

    def start(self, title, *, days_ago, reason=Vacancy.Reason.TERM_ENDING, shortlist_size=5):
        position = Position.objects.select_related("unit").filter(organisation=self.org, title=title).first()
        if position is None:
            return None
        vacancy = Vacancy.objects.create(organisation=self.org, position=position, reason=reason,
                                         opened_on=self.today - timedelta(days=days_ago))
        return Selection.objects.create(vacancy=vacancy, organisation=self.org, unit=position.unit,
                                        shortlist_size=shortlist_size, interview_required=True,
                                        min_committee_votes=3)

    def candidates(self, selection, n, *, days_ago):
        """Staff who hold no position and are no persona: the unit's own clinicians first, then
        the division's, then anyone's."""
        unit_path = selection.unit.path
        division = unit_path.split("/")[0]
        rows = [r for r in self.generator.rows if r.organisation_id == self.org.id
                and r.id not in self.personas and r.id not in self.holders and r.id not in self.used]
        inside = Unit.path_contains
        rows.sort(key=lambda r: (not inside(unit_path, r.unit_path), not inside(division, r.unit_path),
                                 r.profession not in CLINICAL, r.grade != "Consultant", r.id))
        chosen = []
        for row in rows[:n]:
            self.used.add(row.id)
            chosen.append(Candidate.objects.create(
                selection=selection, person_id=row.id, nominated_on=self.today - timedelta(days=days_ago),
                self_nominated=len(chosen) == 1,
                statement="I want to lead a service where every voice on the team is heard."))
        return chosen

    def interviews(self, selection, candidates, *, days_ago, attend):
        session = InterviewSession.objects.create(selection=selection, starts_at=self.moment(days_ago, 13),
                                                  place="Education Centre, Seminar Room 2")
        session.candidates.set(candidates)
        people = sorted(selection.electors.values_list("person_id", flat=True))
        people = [p for p in people if self.rng.random() < attend]
        InterviewAttendance.objects.bulk_create([
            InterviewAttendance(session=session, person_id=p, recorded_on=session.starts_at.date()) for p in people])
        return set(people)

    def ranking(self, candidates):
        """A preference order that leans towards the first candidates, with some noise."""
        weights = {c.pk: 3.0 / (i + 1) + self.rng.random() for i, c in enumerate(candidates)}
        order = sorted(weights, key=lambda pk: -weights[pk] * self.rng.uniform(0.5, 1.5))
        return order[: self.rng.randint(1, len(order))]

    def ballot(self, selection, candidates, *, cutoff_days, opens_days, closes_days):
        """Fix the electorate and open a sealed ballot; returns its key file."""
        selection.cutoff = self.today - timedelta(days=cutoff_days)
        selection.electorate_size = take_electorate(selection, selection.cutoff)
        Candidate.objects.filter(pk__in=[c.pk for c in candidates]).update(on_ballot=True)
        selection.opens_at, selection.closes_at = self.moment(opens_days, 9), self.moment(closes_days, 17)
        selection.stage = Selection.Stage.BALLOT
        with _cheap_passphrase_hashing():
            keys = make_ballot_keys(selection, passphrases=[demo_passphrase()])
        selection.ballot_public_key, selection.custodians = keys.public_key, [DEMO_CUSTODIAN]
        selection.save()
        KEY_FILES[keys.public_key] = keys.key_files[0]
        return keys.key_files[0]

    def vote(self, selection, candidates, voters):
        for person_id in voters:
            store_ballot(selection=selection, person=Person(pk=person_id, organisation_id=self.org.id),
                         preferences=self.ranking(candidates))

    def complete_selection(self):
        selection = self.start(COMPLETE, days_ago=150, shortlist_size=3)
        if selection is None:
            return
        candidates = self.candidates(selection, 5, days_ago=140)
        if len(candidates) < 2:
            return
        selection.stage = Selection.Stage.INTERVIEWS
        members = self.committee(selection, 3, declared_days=105)  # seated before the ballot opens
        key_file = self.ballot(selection, candidates, cutoff_days=125, opens_days=100, closes_days=86)
        attended = self.interviews(selection, candidates, days_ago=110, attend=0.9)
        voters = [p for p in attended if self.rng.random() < 0.85] or sorted(attended)[:1]
        self.vote(selection, candidates, voters)
        opener = open_ballot_keys(selection, key_files=[key_file], passphrases=[demo_passphrase()])
        unseal_and_unlink(selection, opener)
        selection.stage, selection.closed_at = Selection.Stage.CLOSED, selection.closes_at
        selection.save(update_fields=["stage", "closed_at"])
        tally(selection, seed=self.world.seed)
        Selection.objects.filter(pk=selection.pk).update(counted_at=self.moment(85, 11))
        shortlist = list(Candidate.objects.filter(selection=selection, shortlist_rank__isnull=False)
                         .order_by("shortlist_rank"))
        for i, member in enumerate(members):
            dissent = i == 2 and len(shortlist) > 1
            CommitteeMember.objects.filter(pk=member.pk).update(
                vote_for=shortlist[1] if dissent else shortlist[0],
                rationale=DISSENT if dissent else REASONS[i % len(REASONS)],
                voted_on=self.today - timedelta(days=75))
        if len(members) < selection.min_committee_votes:
            return
        selection.refresh_from_db()
        latest = Appointment.objects.filter(position=selection.vacancy.position).order_by("-start").first()
        start = self.today - timedelta(days=30)
        if latest and latest.start >= start:
            start = latest.start + timedelta(days=1)
        winner, _ = selectors.committee_decision(selection=selection)
        make_appointment(actor=None, selection=selection, candidate=winner, start=start)

    def committee(self, selection, n, *, declared_days, alice=True):
        """Leaders from outside the vacancy's department, seated and declared before the ballot
        opens, Alice (Clinical Director for Cardiology) first where asked; the first chairs."""
        alice = self.world.personas.get("alice") if alice else None
        pool = ([alice] if alice else []) + sorted(self.holders - self.personas)
        people = Person.objects.in_bulk(pool)
        members = []
        for person in (people[pk] for pk in pool if pk in people):
            if not selectors.committee_problems(selection=selection, person=person, day=self.today):
                members.append(CommitteeMember.objects.create(
                    selection=selection, person=person, is_chair=not members, has_conflict=False,
                    interest_declared_on=self.today - timedelta(days=declared_days)))
            if len(members) == n:
                break
        return members

    def open_ballot(self):
        selection = self.start(OPEN_BALLOT, days_ago=40, shortlist_size=2)
        if selection is None:
            return
        candidates = self.candidates(selection, 4, days_ago=35)
        if len(candidates) < 2:
            return
        self.committee(selection, 3, declared_days=3, alice=False)
        key_file = self.ballot(selection, candidates, cutoff_days=20, opens_days=2, closes_days=-12)
        _write_key_file(key_file_path(selection), key_file)
        bob = self.world.personas.get("bob")
        attended = self.interviews(selection, candidates, days_ago=10, attend=0.8)
        if bob and selection.electors.filter(person_id=bob).exists() and bob not in attended:
            InterviewAttendance.objects.create(session=selection.interviews.first(), person_id=bob,
                                               recorded_on=self.today - timedelta(days=10))
        waiting = {bob, self.world.personas.get("alice")}
        voters = [p for p in sorted(attended) if p not in waiting and self.rng.random() < 0.5]
        self.vote(selection, candidates, voters)

    def awaiting_close(self):
        """A ballot whose closing time passed yesterday: Tara closes it with its key file and
        counts it in the browser."""
        position = (Position.objects.filter(organisation=self.org, title__startswith="Head of Specialty, ")
                    .exclude(title=OPEN_BALLOT).order_by("title").first())
        if position is None:
            return
        selection = self.start(position.title, days_ago=30, shortlist_size=2)
        candidates = self.candidates(selection, 3, days_ago=25)
        if len(candidates) < 2:
            return
        self.committee(selection, 3, declared_days=11, alice=False)
        key_file = self.ballot(selection, candidates, cutoff_days=20, opens_days=10, closes_days=1)
        _write_key_file(key_file_path(selection), key_file)
        attended = self.interviews(selection, candidates, days_ago=12, attend=0.8)
        self.vote(selection, candidates, [p for p in sorted(attended) if self.rng.random() < 0.75])

    def taking_nominations(self):
        selection = self.start(NOMINATING, days_ago=5, reason=Vacancy.Reason.DEPARTURE)
        if selection is not None:
            self.candidates(selection, 1, days_ago=3)


def _write_key_file(path, content):
    """Write (or replace) the demo's key file in one step, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{random.SystemRandom().getrandbits(32):08x}")
    partial.write_bytes(content)
    partial.replace(path)
