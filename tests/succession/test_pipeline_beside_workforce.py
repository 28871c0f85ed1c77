"""The pipeline's table and the workforce's count the same people with the same categories (a
candidate is staff), so each is decided against the other: every category part of both,
read together, holds 0 or at least k people.

Made to measure (k = 3): division A holds 4 women and 4 men, B the same; a pool takes every
one of A's staff but one woman. The workforce alone and the pipeline alone are each safe; read
together, A's 4 women minus the pool's 3 gave the one who is no candidate.
"""

from datetime import date

import pytest
from django.core.cache import cache

from clinlead.analytics.disclosure_tables import publish_table
from clinlead.org.diversity import (
    GENDER,
    WOMAN,
    CategoryTable,
    gender_category,
    shown_rows,
    workforce_table,
)
from clinlead.org.models import Position, PositionLevel, PublishedTable, Unit
from clinlead.succession import services
from clinlead.succession.diversity import pipeline_diversity, pipeline_people
from clinlead.succession.models import Readiness
from tests.anonymity_audit.table_attack import Shown, pinned_small_counts
from tests.org.test_published_tables import crafted_trust

pytestmark = pytest.mark.django_db


def pool_of(trust, people):
    level = PositionLevel.objects.create(organisation=trust, name="Director", rank=1)
    position = Position.objects.create(organisation=trust, title="Director of B", level=level, is_key=True,
                                       unit=Unit.objects.get(organisation=trust, path="B"))
    for person in people:
        services.nominate_candidate(actor=None, position=position, person=person,
                                    readiness=Readiness.ONE_TO_TWO_YEARS)
    return set(people)


def categories_of(label):
    """The finest categories of a class, by its label."""
    return next(cats for level in GENDER.levels for name, cats in level if name == label)


def pinned(trust, staff, pool, tables):
    """What an attacker pins to 1..k-1 from the tables' counts, knowing who is in A, in B and
    in the pool (every pipeline row counts the pool's people: one pool, one level)."""
    category_of = {p.pk: gender_category(p.demographics.gender) for people in staff.values() for p in people}
    groups = {"A": {p.pk for p in staff["A"]}, "B": {p.pk for p in staff["B"]},
              "staff": set(category_of), "pool": {p.pk for p in pool}}

    def members(table, row):
        if table.title == "pipeline":
            return groups["pool"]
        return groups["staff"] if row.kind == "organisation" else groups[row.label]

    shown = [Shown((table.title, row.kind, row.label, cell.label), frozenset(members(table, row)),
                   frozenset(categories_of(cell.label)), cell.count)
             for table in tables for row in table.rows for cell in row.cells if cell.count is not None]
    return pinned_small_counts(category_of=category_of, groups=groups, shown=shown, k=trust.min_responses)


def test_the_pipeline_is_decided_against_the_workforce_and_gives_away_nobody():
    trust, staff = crafted_trust(A=(4, 4), B=(4, 4))
    pool = pool_of(trust, staff["A"][1:])  # all of A but its first woman
    counts, labels, _ = pipeline_people(organisation=trust, dimension="gender")
    alone = publish_table(counts=counts, rows=list(labels), public=list(labels), classing=GENDER, k=3)
    alone = CategoryTable("pipeline", [], shown_rows(alone, labels, {r: r[0] for r in alone.rows}))
    assert [row.count_of(WOMAN) for row in alone.rows] == [3, 3, 3, 3], "decided alone, it shows 3 women"

    workforce = workforce_table(organisation=trust, day=date.today(), dimension="gender")
    workforce = CategoryTable("workforce", [], workforce.rows)
    pipeline = pipeline_diversity(organisation=trust, dimension="gender")
    pipeline = CategoryTable("pipeline", [], pipeline.rows)
    assert [row.count_of(WOMAN) for row in workforce.rows] == [4, 4, 8], "the workforce loses nothing"
    assert not pinned(trust, staff, pool, [workforce]), "the workforce alone is safe"
    assert not pinned(trust, staff, pool, [alone]), "the pipeline alone is safe"
    assert pinned(trust, staff, pool, [workforce, alone]), "together, they were not"
    assert not pinned(trust, staff, pool, [workforce, pipeline]), \
        "A's women minus the pool's women is the one woman of A who is no candidate"
    assert not any(row.shows_categories for row in pipeline.rows)
    assert {row.total for row in pipeline.rows} == {7}, "every row still shows its total"
    cache.clear()
    assert pipeline_diversity(organisation=trust, dimension="gender").rows == pipeline.rows
    assert PublishedTable.objects.filter(organisation=trust, kind="pipeline").count() == 1, \
        "the same decision again is not a new table"


def test_a_pipeline_that_splits_nobody_off_shows_as_decided_alone():
    """The pool holds all of A's staff: nothing the two tables show tells anyone apart."""
    trust, staff = crafted_trust(A=(4, 4), B=(4, 4))
    pool_of(trust, staff["A"])
    workforce_table(organisation=trust, day=date.today(), dimension="gender")
    pipeline = pipeline_diversity(organisation=trust, dimension="gender")
    assert [row.count_of(WOMAN) for row in pipeline.rows] == [4, 4, 4, 4]
