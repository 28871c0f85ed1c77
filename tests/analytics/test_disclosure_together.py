"""Category tables read together: every table of one dimension the product has shown (the
workforce's, the pipeline's, earlier days') leaves no category part of 1..k-1 people, counted
over all of them at once.

The part checker is the test suite's own (`tests.category_pages.parts`), given every table's
rows and figures told apart by the table: a person's scopes are (table, row) pairs.
"""

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinlead.analytics.disclosure_tables import publish_table
from clinlead.analytics.disclosure_tables_together import Shown, publish_alongside, safe_together
from tests.analytics.test_disclosure_tables import GENDER, assert_safe, worlds
from tests.category_pages import parts


def counts_of(people):
    return Counter((category, frozenset(scopes)) for category, scopes in people.values())


def small_parts_together(tables, k):
    """Independent: (people by category and (table, row) pairs, every table's figures)."""
    together = Counter()
    for person in set().union(*(people for _, people in tables)):
        scopes = {(i, s) for i, (_, people) in enumerate(tables) if person in people
                  for s in people[person][1]}
        categories = {people[person][0] for _, people in tables if person in people}
        assert len(categories) == 1, "one person, one category in these worlds"
        together[(categories.pop(), frozenset(scopes))] += 1
    figures = [((i, row), frozenset(cats)) for i, (table, _) in enumerate(tables)
               for row, cats, _ in table.category_figures()]
    return {key: n for key, n in parts(together, figures).items() if 0 < n < k}


def staff(**divisions):
    """person id -> (category, scopes) from division=(women, men)."""
    people, pid = {}, 0
    for division, (women, men) in divisions.items():
        for category in ["W"] * women + ["M"] * men:
            people[pid] = ("W" if category == "W" else "M", frozenset({("org", "T"), ("unit", division)}))
            pid += 1
    return people


def test_two_tables_each_safe_alone_can_isolate_one_person_together():
    """The workforce shows division A's 4 women; the pipeline, all of A but one woman, shows 3.
    Each alone is fine at k = 3; together, 4 - 3 = the one woman of A who is no candidate."""
    workforce = staff(A=(4, 4), B=(4, 4))
    rows = [("unit", "A"), ("unit", "B"), ("org", "T")]
    first = publish_table(counts=counts_of(workforce), rows=rows, public=rows, classing=GENDER, k=3)
    pipeline = {p: (c, frozenset({("pool", 1)})) for p, (c, s) in workforce.items()
                if ("unit", "A") in s and p != 0}
    alone = publish_table(counts=counts_of(pipeline), rows=[("pool", 1)], classing=GENDER, k=3)
    assert_safe(counts_of(workforce), first, 3)
    assert_safe(counts_of(pipeline), alone, 3)
    assert alone.rows[("pool", 1)].classes[0].count == 3  # shown, when decided alone
    assert not safe_together([Shown(first, workforce), Shown(alone, pipeline)], 3)
    assert small_parts_together([(first, workforce), (alone, pipeline)], 3)

    second = publish_alongside(people=pipeline, rows=[("pool", 1)], classing=GENDER, k=3,
                               earlier=[Shown(first, workforce)])
    assert second.rows[("pool", 1)].level is None, "the pool's women would give the one woman"
    assert second.rows[("pool", 1)].total == 7
    assert safe_together([Shown(first, workforce), Shown(second, pipeline)], 3)
    assert not small_parts_together([(first, workforce), (second, pipeline)], 3)


def test_a_table_that_adds_nothing_small_is_shown_as_decided_alone():
    workforce = staff(A=(4, 4), B=(4, 4))
    rows = [("unit", "A"), ("unit", "B"), ("org", "T")]
    first = publish_table(counts=counts_of(workforce), rows=rows, public=rows, classing=GENDER, k=3)
    pipeline = {p: (c, frozenset({("pool", 1)})) for p, (c, s) in workforce.items() if ("unit", "A") in s}
    second = publish_alongside(people=pipeline, rows=[("pool", 1)], classing=GENDER, k=3,
                               earlier=[Shown(first, workforce)])
    assert second == publish_table(counts=counts_of(pipeline), rows=[("pool", 1)], classing=GENDER, k=3)


@st.composite
def shown_in_turn(draw):
    """People of a world; then up to three tables over subsets of them (candidates are some of
    the staff; leavers change who is counted, movers where), with rows drawn from the scopes."""
    counts, rows, public, classing, k = draw(worlds(max_units=5, max_people=40, max_pools=2))
    people, pid = {}, 0
    for (category, scopes), n in sorted(counts.items(), key=repr):
        for _ in range(n):
            people[pid] = (category, scopes)
            pid += 1
    tables = []
    for i in range(draw(st.integers(1, 3))):
        table_rows = rows if i == 0 else draw(st.lists(st.sampled_from(public), unique=True))
        counted = {p: v for p, v in people.items() if i == 0 or draw(st.integers(0, 3))}
        if i and counted:  # movers: someone now sits where another person sits
            for p in draw(st.lists(st.sampled_from(sorted(counted)), max_size=3, unique=True)):
                other = draw(st.sampled_from(sorted(people)))
                counted[p] = (people[p][0], people[other][1])
        tables.append((counted, table_rows))
    return tables, public, classing, k


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shown_in_turn())
def test_each_table_decided_alongside_the_earlier_ones_leaves_no_small_part_together(world):
    tables, public, classing, k = world
    shown = []
    for people, rows in tables:
        figures = publish_alongside(people=people, rows=rows, public=public, classing=classing, k=k,
                                    earlier=[Shown(f, p) for f, p in shown])
        assert_safe(counts_of(people), figures, k)  # each alone, as before
        shown.append((figures, people))
        assert not small_parts_together(shown, k)
        assert safe_together([Shown(f, p) for f, p in shown], k)
