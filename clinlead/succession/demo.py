"""Demo succession data: pools for the demo's key positions with a believable spread of risk.

Per organisation, about one key position in five has no pool (or an empty one), about two in
five have someone ready now, and the rest have candidates none of whom is ready now. Holders
whose term ends within a year are left with nobody ready now more often, and two holders plan an
early departure, so the risk list is never empty. Alice (Clinical Director, Cardiology at
Northgate) has three candidates in her pool and is herself a candidate for Divisional Director,
Medicine. A few high-flyers sit in several pools, so "over-nominated" shows. The monitor gets
today's snapshot and, to show a trend, eleven earlier monthly ones that are invented from it.

Written with bulk inserts inside `clinlead demo`'s transaction; no audit events (like the
foundation's demo data).
"""

import random
from datetime import timedelta

from clinlead.dates import add_months
from clinlead.org.models import Appointment, Position
from clinlead.succession.models import (
    IncumbentPlan,
    MonitorSettings,
    MonitorSnapshot,
    Readiness,
    SuccessionPool,
)
from clinlead.succession.monitor import Scope, monitor_figures, snapshot_values
from clinlead.succession.readiness import bulk_pool_entries
from clinlead.succession.services import recount_pools

NOTE = "Nominated in the demo"
ACTIONS = [
    "Shadow the divisional director at the monthly performance review",
    "Lead the department's quality improvement project this year",
    "Complete the leadership programme's finance and governance modules",
    "Six-month secondment as deputy clinical director",
    "Mentoring with a clinical director from another division",
    "Chair the department's morbidity and mortality meeting",
]
SENIOR_GRADES = {"Consultant", "Band 7", "Band 8a"}
CLINICAL = {"doctor", "nurse", "midwife", "ahp", "pharmacist", "scientist"}
NOT_CANDIDATES = {"bob", "charlie", "tara", "erin", "aude", "sam"}


def add_demo_data(*, world, generator):
    rng = random.Random(world.seed + 7)
    today = world.today
    personas = {u: pid for u, pid in world.personas.items() if pid}
    excluded = {personas[u] for u in NOT_CANDIDATES if u in personas}
    positions = list(Position.objects.filter(organisation__in=list(world.organisations.values()), is_key=True)
                     .select_related("unit", "level", "organisation").order_by("organisation__slug", "-level__rank", "title"))
    holders = {a.position_id: a for a in Appointment.objects.held_on(today).filter(position__in=positions)}
    talent = _talent_by_division(generator, excluded | {a.person_id for a in holders.values()})
    alice = personas.get("alice")
    pools, entries, plans = [], [], []
    stars = {}
    for index, position in enumerate(positions):
        holder = holders.get(position.id)
        is_alices = holder is not None and holder.person_id == alice
        ends_soon = holder is not None and holder.end <= add_months(today, 12)
        if not is_alices and index % 5 == 2:  # one in five: no pool, or nobody nominated yet
            if index % 10 == 2:
                pools.append(SuccessionPool(position=position))
            continue
        pool = SuccessionPool(position=position)
        pools.append(pool)
        if is_alices:
            readiness = [Readiness.READY_NOW, Readiness.ONE_TO_TWO_YEARS, Readiness.THREE_TO_FIVE_YEARS]
        else:
            someone_ready = rng.random() < (0.25 if ends_soon else 0.55)
            readiness = [Readiness.READY_NOW] * (1 + (rng.random() < 0.3)) if someone_ready else []
            readiness += rng.choices([Readiness.ONE_TO_TWO_YEARS, Readiness.THREE_TO_FIVE_YEARS,
                                      Readiness.FIVE_YEARS_PLUS], k=rng.randint(1, 3))
        division = position.unit.path.split("/")[0]
        org_stars = stars.setdefault(position.organisation_id, talent.get((position.organisation_id, "*"), [])[:2])
        chosen = []
        for level in readiness:
            # A high-flyer is put forward for several posts; everyone else comes from the division.
            pool_people = org_stars if (rng.random() < 0.1 and level != Readiness.FIVE_YEARS_PLUS) else []
            people = [p for p in pool_people + talent.get((position.organisation_id, division), [])
                      if p not in chosen]
            if not people:
                people = [p for p in talent.get((position.organisation_id, "*"), []) if p not in chosen]
            if not people:
                break
            person = people[0] if pool_people and people[0] in pool_people else rng.choice(people[:40])
            chosen.append(person)
            entries.append((pool, person, level))
        if holder is not None and not is_alices and index % 11 == 5 and not ends_soon:
            plans.append(IncumbentPlan(appointment=holder, planned_departure=today + timedelta(days=rng.randint(60, 300))))
    _write(pools, entries, plans, today, rng, positions, alice, holders)
    for organisation in world.organisations.values():
        MonitorSettings.objects.get_or_create(organisation=organisation)
        _snapshots(organisation, today)


def _talent_by_division(generator, excluded):
    """Senior clinical staff by (organisation id, division), and all of them by (organisation id, "*")."""
    talent = {}
    for row in generator.rows:
        if row.id in excluded or row.profession not in CLINICAL or row.grade not in SENIOR_GRADES:
            continue
        division = row.unit_path.split("/")[0]
        talent.setdefault((row.organisation_id, division), []).append(row.id)
        talent.setdefault((row.organisation_id, "*"), []).append(row.id)
    return talent


def _write(pools, entries, plans, today, rng, positions, alice, holders):
    SuccessionPool.objects.bulk_create(pools)
    saved = {p.position_id: p for p in SuccessionPool.objects.filter(position__in=positions)}
    rows = [(saved[pool.position_id], person_id, readiness, today - timedelta(days=rng.randint(10, 700)),
             {"nominated_by_label": NOTE, "development_actions": rng.choice(ACTIONS)})
            for pool, person_id, readiness in entries]
    if alice:
        medicine = next((p for p in positions if p.title == "Divisional Director, Medicine"
                         and p.organisation.slug == "northgate"), None)
        if medicine is not None and medicine.id in saved and not any(
                person_id == alice and pool.position_id == medicine.id for pool, person_id, *_ in rows):
            rows.append((saved[medicine.id], alice, Readiness.ONE_TO_TWO_YEARS, today - timedelta(days=200),
                         {"nominated_by_label": NOTE,
                          "development_actions": "Deputise for the divisional director for six months"}))
    bulk_pool_entries(rows, assessed_by_label=NOTE)
    IncumbentPlan.objects.bulk_create(plans)
    recount_pools(pools=SuccessionPool.objects.filter(position__in=positions))


def _snapshots(organisation, today):
    now = monitor_figures(scope=Scope(organisation=organisation), day=today, lists=False)
    bench = now["bench"]
    for months in range(11, 0, -1):
        # Invented history: bench strength a little weaker each month back.
        factor = 1 - 0.035 * months
        MonitorSnapshot.objects.create(
            organisation=organisation, day=add_months(today, -months), key_positions=bench["key_positions"],
            ready_now_1=round(bench["ready_now_1"] * factor), ready_now_2=round(bench["ready_now_2"] * factor),
            empty_pools=min(bench["key_positions"], round(bench["empty_pools"] / factor)),
            at_risk=min(bench["key_positions"], round(now["risk_count"] / factor)), figures={})
    MonitorSnapshot.objects.create(organisation=organisation, day=today,
                                   **snapshot_values(organisation=organisation, day=today))
