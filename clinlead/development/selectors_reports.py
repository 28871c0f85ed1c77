"""Reports: the organisation's learning and its gaps, and the leadership pathway (where people
stand, a funnel by level and profession, and its diversity). The 360 report is in
`selectors_assessment`.

Every figure from special-category data passes through the one
category-table rule, `clinlead.analytics.disclosure_tables`, with the organisation's threshold.
"""

from collections import Counter, defaultdict
from datetime import date

from clinlead.analytics.disclosure_tables import publish_table
from clinlead.charts import theme, to_svg
from clinlead.development.frameworks import current_frameworks, healthcare_leadership_model
from clinlead.development.models import DevelopmentPlan, Enrolment, LearningRecord
from clinlead.development.selectors import attach_readiness_now
from clinlead.org.diversity import CATEGORY_OF, CLASSINGS, FIELDS, CategoryTable, shown_rows
from clinlead.org.models import Appointment, Person, PositionLevel, Profession

# Altair (and vl-convert) are imported inside the functions that draw: the URLs import this
# module in every process (each command's system checks, each web worker), most of which draw nothing.

def development_population(*, organisation, day):
    """People the organisation is developing as leaders: holding a position, enrolled on a
    programme, or with a career-conversation plan."""
    holders = Appointment.objects.held_on(day).filter(position__organisation=organisation).values_list("person_id", flat=True)
    enrolled = Enrolment.objects.filter(cohort__programme__organisation=organisation,
                                        status=Enrolment.Status.ACTIVE).values_list("person_id", flat=True)
    planned = DevelopmentPlan.objects.filter(person__organisation=organisation).values_list("person_id", flat=True)
    return Person.objects.filter(organisation=organisation, active=True).filter(
        id__in=set(holders) | set(enrolled) | set(planned))


GAP_SHARE = 20  # per cent: a dimension fewer of the population have covered is a gap


def learning_overview(*, organisation, framework=None, day=None):
    day = day or date.today()
    framework = framework or healthcare_leadership_model()
    population = list(development_population(organisation=organisation, day=day).values_list("id", "profession"))
    profession_of = dict(population)
    professions = [p for p in Profession if any(v == p.value for v in profession_of.values())]
    covered = defaultdict(set)  # dimension id -> person ids
    records = LearningRecord.objects.filter(person__organisation=organisation, person__active=True)
    links = LearningRecord.dimensions.through.objects.filter(
        learningrecord__person__organisation=organisation, learningrecord__person__active=True,
        dimension__framework=framework)
    for person_id, dimension_id in links.values_list("learningrecord__person_id", "dimension_id"):
        covered[dimension_id].add(person_id)
    rows = []
    n = len(population)
    for d in framework.dimensions.all() if framework else []:
        people = covered[d.pk] & profession_of.keys()
        by_profession = Counter(profession_of[p] for p in people)
        share = round(100 * len(people) / n) if n else 0
        rows.append({"dimension": d, "cells": [by_profession.get(p.value, 0) for p in professions],
                     "total": len(people), "share": share, "gap": share < GAP_SHARE})
    kinds = Counter(records.values_list("kind", flat=True))
    return {
        "framework": framework, "frameworks": current_frameworks(organisation=organisation),
        "professions": [p.label for p in professions], "rows": rows, "population": n,
        "population_by_profession": [sum(1 for v in profession_of.values() if v == p.value) for p in professions],
        "kinds": [(LearningRecord.Kind(k).label, kinds[k]) for k in LearningRecord.Kind.values if kinds.get(k)],
        "people_with_records": records.values("person_id").distinct().count(),
        "recent": records.select_related("person").prefetch_related("dimensions").order_by("-id")[:20],
        "gap_share": GAP_SHARE,
    }


# ------------------------------------------------------------------ the leadership pathway

NOT_IN_POST = "Not in a leadership position"


def _latest_plans(organisation):
    plans = {}
    for plan in (DevelopmentPlan.objects.filter(person__organisation=organisation, person__active=True)
                 .select_related("target_level", "position").order_by("person_id", "-conversation_on", "-id")):
        plans.setdefault(plan.person_id, plan)
    attach_readiness_now(list(plans.values()))
    return plans


def _held_levels(organisation, day):
    held = {}
    for person_id, level_id, rank in Appointment.objects.held_on(day).filter(
            position__organisation=organisation, person__active=True).values_list("person_id", "position__level_id", "position__level__rank"):
        if person_id not in held or rank > held[person_id][1]:
            held[person_id] = (level_id, rank)
    return {p: level for p, (level, _) in held.items()}


def pathway(*, organisation, day=None):
    """Where each person stands on the pathway (the organisation's levels, lowest rank first)
    and a funnel: people holding each level, and people aiming at it, by profession."""
    day = day or date.today()
    levels = list(PositionLevel.objects.filter(organisation=organisation).order_by("rank"))
    level_by_id = {lv.pk: lv for lv in levels}
    held = _held_levels(organisation, day)
    plans = _latest_plans(organisation)
    people = {p.pk: p for p in Person.objects.filter(pk__in=set(held) | set(plans))}
    professions = [p for p in Profession if any(x.profession == p.value for x in people.values())]
    funnel = []
    for level in levels:
        holders = [people[p] for p, lv in held.items() if lv == level.pk]
        aiming = [plans[p] for p in plans if plans[p].target_level_id == level.pk]
        holders_by = Counter(p.profession for p in holders)
        funnel.append({
            "level": level, "holders": len(holders), "aiming": len(aiming),
            "holders_by_profession": [holders_by.get(p.value, 0) for p in professions],
            "aiming_by_readiness": sorted(Counter(plan.readiness_shown for plan in aiming).items()),
        })
    standing = []
    for pid, person in people.items():
        level = level_by_id.get(held.get(pid))
        standing.append({"person": person, "level": level, "plan": plans.get(pid)})
    standing.sort(key=lambda s: (-(s["level"].rank if s["level"] else 0), s["person"].last_name, s["person"].pk))
    return {"levels": levels, "funnel": funnel, "standing": standing,
            "professions": [p.label for p in professions]}


def funnel_chart(funnel):
    import altair as alt
    data = []
    for row in funnel:
        data.append({"level": row["level"].name, "group": "Holding this level", "people": row["holders"]})
        data.append({"level": row["level"].name, "group": "Aiming at this level", "people": row["aiming"]})
    if not any(d["people"] for d in data):
        return ""
    order = [row["level"].name for row in reversed(funnel)]
    chart = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        y=alt.Y("level:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset("group:N"),
        x=alt.X("people:Q", title="People", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("group:N", title=None),
    )
    return to_svg(theme(chart, title="The leadership pathway", width=460, height=40 * len(funnel) + 40),
                  description="Bar chart of people holding and aiming at each leadership level; the table gives the figures.")


ASPIRING = "Aiming higher, not yet in a position"
WHOLE_PATHWAY = "Whole pathway"


def pathway_diversity(*, organisation, day=None):
    """Gender and ethnic group of the people at each stage of the pathway (their highest level
    held today, or aiming higher without a position), as the category-table rule publishes them
    (special-category data: only for the granted role). Every stage's total is public anyway
    (the funnel and the standing list show it)."""
    day = day or date.today()
    levels = list(PositionLevel.objects.filter(organisation=organisation).order_by("-rank"))
    held = _held_levels(organisation, day)
    plans = _latest_plans(organisation)
    aspiring = {p for p, plan in plans.items() if p not in held and plan.aspiration == DevelopmentPlan.Aspiration.STEP_UP}
    people = list(Person.objects.filter(pk__in=set(held) | aspiring).values_list(
        "pk", *FIELDS.values()))
    labels = {("level", lv.pk): lv.name for lv in levels} | {ASPIRING: ASPIRING, WHOLE_PATHWAY: WHOLE_PATHWAY}
    tables = []
    for i, (dimension, (title, classing)) in enumerate(CLASSINGS.items()):
        category_of = CATEGORY_OF[dimension]
        counts = Counter()
        for pk, *codes in people:
            stage = ("level", held[pk]) if pk in held else ASPIRING
            counts[(category_of(codes[i]), frozenset({stage, WHOLE_PATHWAY}))] += 1
        figures = publish_table(counts=counts, rows=list(labels), public=list(labels), classing=classing,
                                k=organisation.min_responses)
        tables.append(CategoryTable(title, [label for label, _ in classing.levels[0]],
                                    shown_rows(figures, labels), figures))
    return tables
