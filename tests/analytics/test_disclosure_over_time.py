"""Category tables over time: a table is replaced only when it and every table shown before
leave no category part of 1..k-1 people (org.diversity.held_over_time)."""

from collections import Counter
from datetime import date, timedelta

from clinlead.analytics.disclosure_tables import Classing, publish_table
from clinlead.org.diversity import held_over_time

GENDER = Classing.of([[("Woman", ["Woman"]), ("Man", ["Man"])]])
K = 3
DAY = date(2026, 12, 1)


def staff(**divisions):
    """person id -> [category, scopes], from division=(women, men)."""
    people, pid = {}, 0
    for division, (women, men) in divisions.items():
        for category in ["Woman"] * women + ["Man"] * men:
            people[pid] = [category, {("org", "T"), ("unit", division)}]
            pid += 1
    return people


def show(people, day, removed=()):
    mine = {p: v for p, v in people.items() if p not in removed}
    counts = Counter((c, frozenset(s)) for c, s in mine.values())
    rows = sorted({s for _, s in counts for s in s})
    figures = publish_table(counts=counts, rows=rows, public=rows, classing=GENDER, k=K)
    categories = {p: c for p, (c, _) in people.items()}
    return held_over_time(
        key="test", figures=figures, labels={r: str(r) for r in rows},
        scopes={p: s for p, (_, s) in mine.items()},
        category_of=lambda ids: {p: categories[p] for p in ids}, k=K, day=day)


def women(figures, row):
    return next(c.count for c in figures.rows[row].classes if c.label == "Woman")


def test_one_leaver_does_not_change_the_table_and_k_leavers_do():
    people = staff(A=(7, 4), B=(5, 5))  # ids 0-6 women of A, 7-10 men of A
    first, _, held = show(people, DAY)
    assert held is None and women(first, ("unit", "A")) == 7
    # One woman leaves A: today's A would show 3 women, so yesterday minus today = her gender.
    second, _, held = show(people, DAY + timedelta(days=1), removed={0})
    assert held == DAY and second == first, "the table shown yesterday stays up"
    # A woman and a man leave too: 2 women and 1 man, so the man would be told apart.
    _, _, held = show(people, DAY + timedelta(days=2), removed={0, 1, 7})
    assert held == DAY
    # Three women have left A (k = 3): the change is a group of 3 alike, and may show.
    third, _, held = show(people, DAY + timedelta(days=3), removed={0, 1, 2})
    assert held is None and third != first
    assert third.rows[("unit", "A")].total == 8 and women(third, ("unit", "A")) == 4


def test_the_same_people_show_the_same_table_without_holding():
    people = staff(A=(4, 4), B=(5, 5))
    first, _, _ = show(people, DAY)
    again, _, held = show(people, DAY + timedelta(days=1))
    assert held is None and again == first
