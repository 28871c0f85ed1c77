"""Selections at each stage, built on the demo world through the real actions."""

from datetime import timedelta

from django.utils import timezone

from clinlead.accounts.models import User
from clinlead.org.models import Organisation, Person, Position
from clinlead.selection import services
from clinlead.selection.models import Selection, Vacancy
from tests.factories import user

# The demo has selections for these (see clinlead/selection/demo.py) ...
DEMO_OPEN_BALLOT = "Head of Specialty, Cardiology"
DEMO_COMPLETE = "Clinical Director, Respiratory Medicine"
DEMO_NOMINATING = "Clinical Director, Gastroenterology"
# ... so the tests run their own on other positions. Medicine includes Alice's and Bob's units.
MEDICINE = "Divisional Director, Medicine"
PASSPHRASE = "custodian passphrase one"
# The key files of every ballot scheduled here, by public key (the demo keeps its own).
KEY_FILES: dict[str, list[bytes]] = {}


def persona(username):
    return user(username).person


def northgate():
    return Organisation.objects.get(slug="northgate")


def position(title):
    return Position.objects.get(organisation=northgate(), title=title)


def some_people(*, exclude=(), n=3):
    """Active Northgate clinicians who hold no position and are not personas."""
    personas = User.objects.filter(person__isnull=False).values("person_id")
    people = (Person.objects.filter(organisation=northgate(), active=True, appointments__isnull=True,
                                    profession__in=["doctor", "nurse", "ahp", "midwife"])
              .exclude(pk__in=[p.pk for p in exclude]).exclude(pk__in=personas).order_by("id"))
    return list(people[:n])


def demo_selection(title):
    return Selection.objects.select_related("vacancy__position").get(vacancy__position=position(title))


def nominating(*, title=MEDICINE, method=Selection.Method.STV, candidates=3, shortlist_size=None):
    vacancy = services.open_vacancy(actor=user("tara"), position=position(title),
                                    reason=Vacancy.Reason.TERM_ENDING, method=method,
                                    shortlist_size=shortlist_size)
    selection = vacancy.selection
    for person in some_people(n=candidates):
        services.nominate_candidate(actor=user("tara"), selection=selection, person=person)
    return selection


def interviewing(**kwargs):
    selection = nominating(**kwargs)
    services.close_nominations(actor=user("tara"), selection=selection, cutoff=timezone.localdate())
    services.schedule_interview(actor=user("tara"), selection=selection,
                                starts_at=timezone.now() - timedelta(hours=2), place="Cardiology seminar room",
                                candidates=list(selection.candidates.all()))
    return Selection.objects.get(pk=selection.pk)


def electors(selection):
    return list(Person.objects.filter(id__in=selection.electors.values("person_id")).order_by("id"))


def attend_all(selection, people=None):
    session = selection.interviews.first()
    for person in people if people is not None else electors(selection):
        services.record_interview_attendance(actor=user("tara"), session=session, person=person)


def seat_committee(selection, n=3, *, chair=False, conflicts=0):
    """Seat `n` leaders from outside the vacancy's department, each declaring their interests
    (the first `conflicts` of them a conflict); the first is chair when asked."""
    members = []
    for i, person in enumerate(committee_people(selection, n)):
        member = services.add_committee_member(actor=user("tara"), selection=selection, person=person,
                                               is_chair=chair and i == 0)
        services.declare_interest(actor=user("tara"), member=member, has_conflict=i < conflicts,
                                  details="Worked closely with a candidate for years." if i < conflicts else "")
        members.append(member)
    return members


def voting(*, attend=True, committee=3, chair=False, **kwargs):
    """A selection whose ballot is open now, everyone having taken part in the interview, with
    a committee of `committee` declared members seated before it opened."""
    selection = interviewing(**kwargs)
    if attend:
        attend_all(selection)
    seat_committee(selection, committee, chair=chair)
    return open_ballot(selection)


def open_ballot(selection, *, opens_at=None, closes_at=None):
    """Schedule the ballot (a shortlist one smaller than the field, at most the selection's)."""
    now = timezone.now()
    standing = selection.candidates.filter(withdrawn=False).count()
    keys = services.schedule_ballot(actor=user("tara"), selection=selection, method=selection.method,
                                    shortlist_size=min(selection.shortlist_size, standing - 1), passphrases=[PASSPHRASE],
                                    opens_at=opens_at or now - timedelta(minutes=1),
                                    closes_at=closes_at or now + timedelta(days=7))
    KEY_FILES[keys.public_key] = keys.key_files
    return Selection.objects.get(pk=selection.pk)


def custody(selection):
    """The key files and passphrases that open this selection's ballots (a test's, or the demo's)."""
    from clinlead.selection import demo

    if selection.ballot_public_key in demo.KEY_FILES:
        return [demo.KEY_FILES[selection.ballot_public_key]], [demo.demo_passphrase()]
    files = KEY_FILES[selection.ballot_public_key]
    return files, [PASSPHRASE] * len(files)


def close(selection, actor=None):
    """The talent admin closes the ballot with the custodians' key files."""
    key_files, passphrases = custody(selection)
    return services.close_ballot(actor=actor or user("tara"), selection=selection, key_files=key_files,
                                 passphrases=passphrases)


def ranking(selection):
    return [c.pk for c in selection.candidates.filter(on_ballot=True).order_by("id")]


def vote_all(selection, rankings=None):
    """Every elector votes; rankings cycle through the given ones (candidate ids)."""
    rankings = rankings or [ranking(selection)]
    codes = []
    for i, person in enumerate(electors(selection)):
        codes.append(services.cast_ballot(actor=None, selection=selection, person=person,
                                          preferences=rankings[i % len(rankings)]))
    return codes


def time_passes(selection):
    """The closing time arrives."""
    Selection.objects.filter(pk=selection.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    return Selection.objects.get(pk=selection.pk)


def closed(**kwargs):
    selection = voting(**kwargs)
    codes = vote_all(selection)
    close(selection)
    selection = Selection.objects.get(pk=selection.pk)
    selection.receipt_codes = codes
    return selection


def counted(*, seed=7, **kwargs):
    selection = closed(**kwargs)
    codes = selection.receipt_codes
    services.count_ballots(actor=user("tara"), selection=selection, seed=seed)
    selection = Selection.objects.get(pk=selection.pk)
    selection.receipt_codes = codes
    return selection


def committee_people(selection, n=3):
    """Leaders from outside the vacancy's unit: holders of positions elsewhere in Northgate."""
    from clinlead.selection import selectors

    today = timezone.localdate()
    chosen = []
    holders = (Person.objects.filter(organisation=northgate(), active=True, appointments__isnull=False)
               .distinct().order_by("id"))
    for person in holders:
        if not selectors.committee_problems(selection=selection, person=person, day=today):
            chosen.append(person)
        if len(chosen) == n:
            break
    return chosen


def decided(**kwargs):
    """Counted, with a committee of three that has voted for the top of the shortlist."""
    selection = counted(**kwargs)
    top = selection.candidates.get(shortlist_rank=1)
    for member in selection.committee.all():
        services.record_committee_vote(actor=user("tara"), member=member, candidate=top,
                                       rationale="Strongest vision for the service and trusted by the team.")
    return Selection.objects.get(pk=selection.pk)


def make_login(person):
    """A login for a member of staff who has none in the demo."""
    existing = User.objects.filter(person=person).first()
    if existing:
        return existing
    from clinlead.org.demo_data import DEMO_PASSWORD

    login = User(username=person.staff_number.lower(), person=person)
    login.set_password(DEMO_PASSWORD)
    login.save()
    return login


def electors_of_unit(path):
    """Active Northgate staff working today in the unit at `path` or below it."""
    from clinlead.org.models import UnitMembership

    today = timezone.localdate()
    ids = (UnitMembership.objects.on(today)
           .filter(unit__organisation=northgate(), unit__path__startswith=path, person__active=True)
           .values("person_id"))
    return list(Person.objects.filter(id__in=ids).order_by("id"))
