"""Pathway diversity, read back from the page as the granted role sees it: no sum or difference
of its figures and the totals shown anyway (the funnel shows the people holding each level; the
standing list names everyone) gives a number of 1..k-1 people."""

from collections import Counter

import pytest
from django.urls import reverse

from clinlead.development.models import DevelopmentPlan
from clinlead.org.models import Appointment, Organisation, Person
from clinlead.org.special_category import ETHNIC_GROUP_OF
from tests.category_pages import (
    percentages_without_their_total,
    read_tables,
    small_parts,
    wrong_counts,
)

pytestmark = pytest.mark.django_db
ASPIRING = "Aiming higher, not yet in a position"


def stages(organisation, day):
    """Each person's stage: the highest level they hold today, else aiming higher (latest plan)."""
    held = {}
    for person, name, rank in Appointment.objects.filter(
            position__organisation=organisation, start__lte=day, end__gte=day, ended_on__isnull=True,
            person__active=True).values_list("person_id", "position__level__name", "position__level__rank"):
        if person not in held or rank > held[person][1]:
            held[person] = (name, rank)
    stage = {p: name for p, (name, _) in held.items()}
    latest = {}
    for plan in DevelopmentPlan.objects.filter(person__organisation=organisation, person__active=True).order_by(
            "person_id", "-conversation_on", "-id"):
        latest.setdefault(plan.person_id, plan)
    for person, plan in latest.items():
        if person not in stage and plan.aspiration == DevelopmentPlan.Aspiration.STEP_UP:
            stage[person] = ASPIRING
    return stage


def test_no_combination_of_pathway_figures_isolates_fewer_than_k(dev, login):
    northgate = Organisation.objects.get(slug="northgate")
    stage = stages(northgate, dev.today)
    page = login("sam").get(reverse("development:pathway_diversity", kwargs={"slug": "northgate"})).content.decode()
    tables = read_tables(page)
    assert [t["caption"] for t in tables] == ["Gender", "Ethnic group (ONS 2021)"]
    for table, field in zip(tables, ("gender", "ethnicity"), strict=True):
        people = Counter()
        for person, code in Person.objects.filter(pk__in=stage).values_list("pk", f"demographics__{field}"):
            if field == "gender":
                category = {"woman": "Woman", "man": "Man"}.get(code, "Another gender or not stated")
            else:
                category = ETHNIC_GROUP_OF.get(code or "not_stated", "Not stated")
            people[(category, frozenset({stage[person], "Whole pathway"}))] += 1
        assert not wrong_counts(people=people, tables=[table]), field
        assert not small_parts(people=people, tables=[table], k=northgate.min_responses), field
        assert not percentages_without_their_total([table]), field
        totals = {label: total for label, _, total, _ in table["rows"]}
        assert totals["Whole pathway"] == len(stage)
