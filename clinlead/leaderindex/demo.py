"""Demo leader-index data: two published cycles for every demo trust, and this year's cycle open.

Answers are simulated: each leader has a steady quality, each answer scatters around it, and a
higher rating goes with lower odds of burnout (about 7 % a point) and higher odds of being
satisfied (about 11 % a point), as reported for all staff in the published Mayo work.
"""

import math
import random
from datetime import date, timedelta

from clinlead.leaderindex.services import publish_cycle
from clinlead.org.models import ReportingLine, UnitMembership
from clinlead.surveys.demo_cycle import open_demo_cycle
from clinlead.surveys.models import Comment, Invitation, Response, SurveyCycle
from clinlead.surveys.services import default_instrument

RESPONSE_RATE = 0.72


def _logistic(x):
    return 1 / (1 + math.exp(-x))


def add_demo_data(*, world, generator):
    rng = random.Random(world.seed + 101)
    instrument = default_instrument()
    today = world.today
    quality = {}
    for org in world.organisations.values():
        members = dict(UnitMembership.objects.filter(unit__organisation=org, end__isnull=True).values_list("person_id", "unit_id"))
        lines = dict(ReportingLine.objects.filter(person__organisation=org, end__isnull=True).values_list("person_id", "leader_id"))
        professions = {r.id: r.profession for r in generator.rows if r.organisation_id == org.id}
        for leader in set(lines.values()):
            quality.setdefault(leader, rng.gauss(3.7, 0.45))
        for years_ago in (2, 1):
            opens = date(today.year - years_ago, 9, 15)
            cycle = SurveyCycle.objects.create(
                organisation=org, name=str(opens.year), instrument=instrument, status=SurveyCycle.Status.CLOSED,
                opens_on=opens, closes_on=opens + timedelta(days=42), snapshot_date=opens,
                min_responses=org.min_responses, min_comments=org.min_comments)
            _simulate(rng, cycle, members, lines, professions, quality, drift=0.08 * (2 - years_ago),
                      alice=world.personas.get("alice"))
            _comments(rng, cycle, world.personas.get("alice") if org.slug == "northgate" else None)
            publish_cycle(actor=None, cycle=cycle)
        # A week in, about half have answered (not the demo personas, so they can try it), each
        # answer sealed as the survey form seals it; the progress page shows yesterday's count.
        opens = today - timedelta(days=7)
        for _ in members:
            rng.random()  # the draws the demo's links once took: later trusts' data stays as it was
        others = {p: u for p, u in members.items() if p not in set(world.personas.values())}
        sheets = {person: (r.answers, r.burnout, r.satisfaction)
                  for person, r in _sheets(rng, None, others, lines, professions, quality, drift=0.2, rate=0.5)}
        current = open_demo_cycle(organisation=org, name=str(today.year), opens_on=opens,
                                  closes_on=opens + timedelta(days=42), sheets=sheets)
        _count_yesterday(current, today)


DEMO_COMMENTS = [
    "Thank you for making time for the team during a very hard winter.",
    "Handovers have improved a lot since you changed the huddle.",
    "I would like more notice of rota changes.",
    "You always explain why, which helps.",
    "Please keep the monthly one-to-ones going.",
    "It would help to hear more about the plans for the new unit.",
    "You make it safe to speak up.",
    "Sometimes decisions arrive without the reasons.",
    "The teaching sessions are really valued.",
    "Recognition of the night team would mean a lot.",
    "Approachable and fair.",
    "More time for development would be welcome.",
]


def _comments(rng, cycle, leader_id):
    if leader_id is None:
        return
    Comment.objects.bulk_create([Comment(cycle=cycle, leader_id=leader_id, text=text)
                                 for text in rng.sample(DEMO_COMMENTS, 11)])


def _count_yesterday(cycle, today):
    from collections import Counter

    from clinlead.org.models import Unit
    from clinlead.surveys.models import ResponseRateSnapshot

    tops = {u.path: u.pk for u in Unit.objects.filter(organisation=cycle.organisation, depth=0)}
    invited, answered = Counter(), Counter()
    for path, used in Invitation.objects.filter(cycle=cycle).values_list("unit__path", "used"):
        top = tops[path.split("/")[0]]
        invited[top] += 1
        answered[top] += used
    ResponseRateSnapshot.objects.bulk_create([
        ResponseRateSnapshot(cycle=cycle, day=today - timedelta(days=1), unit_id=u, invited=n, responded=answered[u])
        for u, n in invited.items()])


def _simulate(rng, cycle, members, lines, professions, quality, drift, rate=RESPONSE_RATE, alice=None):
    sheets = _sheets(rng, cycle, members, lines, professions, quality, drift, rate, alice)
    Response.objects.bulk_create([response for _, response in sheets], batch_size=2000)


def _sheets(rng, cycle, members, lines, professions, quality, drift, rate=RESPONSE_RATE, alice=None):
    """[(person, unsaved Response)] for the people who answer."""
    sheets = []
    for person, leader in lines.items():
        # Alice's team always answers, so the demo leader always has a report to open.
        if person not in members or (rng.random() > rate and leader != alice):
            continue
        q = quality[leader] + drift
        answers = [min(5, max(1, round(rng.gauss(q, 0.7)))) for _ in range(12)]
        if rng.random() < 0.05:
            answers[rng.randrange(12)] = None
        index = sum(a for a in answers if a is not None) / sum(1 for a in answers if a is not None) * 12
        burnout = 3 if rng.random() < _logistic(-0.3 - 0.0725 * (index - 36)) else rng.choice([1, 2])
        if burnout == 3:
            burnout = rng.choice([3, 3, 3, 4, 5])
        satisfied = rng.random() < _logistic(-0.2 + 0.104 * (index - 36))
        satisfaction = rng.choice([4, 5]) if satisfied else rng.choice([1, 2, 3])
        sheets.append((person, Response(cycle=cycle, leader_id=leader, unit_id=members[person],
                                        profession=professions.get(person, "other"), answers=answers,
                                        burnout=burnout, satisfaction=satisfaction)))
    return sheets
