"""Category tables attacked across tables and over time: a reader who holds the workforce
diversity page and the pipeline diversity page solves every count on both together (a candidate
is also staff: the same person, the same gender), and a reader who saved yesterday's page
subtracts today's. Figures are read off the pages; who is who comes from the database.
"""

from datetime import date

import pytest

from clinlead.org.models import Person, Unit
from tests.anonymity_audit.pages import tables
from tests.anonymity_audit.table_attack import Shown, pinned_small_counts
from tests.anonymity_audit.test_category_tables import (
    _column_holds,
    pipeline,
    sections,
    table_figures,
    workforce,
)

DIMENSIONS = ("Gender", "Ethnic")


@pytest.fixture
def northgate(demo):
    return demo.organisations["northgate"]


def _dimension(table):
    return "Gender" if table.caption.startswith("Gender") else "Ethnic"


def _unit_members(people, path):
    inside = path + "/"
    return {
        p for p, v in people.items() if any(u == path or u.startswith(inside) for u in v["units"])
    }


def _workforce_page(login, org, people):
    """(shown counts by dimension, groups the reader can name) of the workforce page."""
    page = login("sam").get(f"/org/{org.slug}/diversity/").content.decode()
    divisions = set(
        Unit.objects.filter(organisation=org, depth=0).values_list("path", flat=True)
    )
    staff = {p for p, v in people.items() if v["units"]}

    def members(table, label):
        if label == org.name:
            return staff
        assert label in divisions, label
        return _unit_members(people, label)

    shown = {d: [] for d in DIMENSIONS}
    for table in tables(page):
        figures, _ = table_figures([table], people, members, "workforce")
        for f in figures:
            row = frozenset(members(table, f.id[3]))
            shown[_dimension(table)].append((f.id, row, f.id[4], f.n))
    paths = Unit.objects.filter(organisation=org).values_list("path", flat=True)
    groups = {("unit", path): _unit_members(people, path) for path in paths}
    groups[("workforce", org.name)] = staff
    return shown, groups, HELD in page


# What the workforce page says when it keeps showing figures decided on an earlier day.
HELD = "figures as published on"


def _pipeline_page(login, org, people):
    candidates, depth = pipeline(org)
    active = {p for p, v in candidates.items() if v["active"]}
    for p in active - set(people):  # a candidate from outside the workforce: in no unit
        people[p] = {"units": set(), **{d: candidates[p][d] for d in DIMENSIONS}}
    page = login("admin").get(f"/succession/{org.slug}/diversity/").content.decode()

    def members(table, label):
        kind = table.head[0]
        if kind == "Organisation":
            return set(active)
        return {p for p in active if (kind, label) in candidates[p]["scopes"]}

    shown = {d: [] for d in DIMENSIONS}
    for _, found in sections(page):
        for table in found:
            figures, _ = table_figures([table], people, members, "pipeline")
            for f in figures:
                row = frozenset(members(table, f.id[3]))
            shown[_dimension(table)].append((f.id, row, f.id[4], f.n))
    groups = {("pool depth", title): members_ & active for title, members_ in depth.items()}
    for scope in {s for p in active for s in candidates[p]["scopes"]}:
        groups[scope] = {p for p in active if scope in candidates[p]["scopes"]}
    groups[("pipeline", org.name)] = active
    return shown, groups


def _pinned(people, shown, groups, k):
    problems = []
    for dimension in DIMENSIONS:
        category_of = {p: people[p][dimension] for p in people}
        cats = set(category_of.values())
        counts = [
            Shown(fid, members, frozenset(c for c in cats if _column_holds(column, c)), n)
            for fid, members, column, n in shown[dimension]
        ]
        held = {c.id: sum(category_of[p] in c.categories for p in c.members) for c in counts}
        wrong = [
            f"{c.id}: shows {c.n}, its people hold {held[c.id]}"
            for c in counts
            if c.n != held[c.id]
        ]
        assert not wrong, "a count that is not what its row holds:\n" + "\n".join(wrong[:10])
        problems += [
            f"{dimension}: {group}: {what} = {n}, pinned"
            for group, what, n in pinned_small_counts(
                category_of=category_of, groups=groups, shown=counts, k=k
            )
        ]
    return problems


def _everyone(org):
    """Workforce ground truth for every person of the organisation (pipeline candidates too)."""
    people = workforce(org, date.today())
    return people


def test_the_workforce_and_pipeline_tables_solved_together_pin_no_small_group(
    demo, northgate, login
):
    """Leak (across tables): the pipeline's women of a division and the workforce's women of
    it, with pool depths and unit headcounts, solved together for any group of 1..k-1."""
    people = _everyone(northgate)
    work, work_groups, _ = _workforce_page(login, northgate, people)
    pipe, pipe_groups = _pipeline_page(login, northgate, people)
    shown = {d: work[d] + pipe[d] for d in DIMENSIONS}
    problems = _pinned(people, shown, work_groups | pipe_groups, northgate.min_responses)
    assert not problems, "\n".join(problems)


def test_yesterdays_workforce_table_minus_todays_does_not_tell_a_leavers_gender(
    demo, northgate, login
):
    """Leak (over time): one person leaves a division between two days; the division's row
    yesterday minus today would give the leaver's gender and ethnic group."""
    before = _everyone(northgate)
    shown_before, groups_before, _ = _workforce_page(login, northgate, before)
    leaver = next(
        p for p, v in sorted(before.items())
        if v["units"] and any(fid[3] != northgate.name and p in members
                              for fid, members, _, _ in shown_before["Gender"])
    )
    Person.objects.filter(pk=leaver).update(active=False)
    after = _everyone(northgate)
    after[leaver] = {**before[leaver], "units": set()}
    shown_after, groups_after, held = _workforce_page(login, northgate, after)
    people = {**after, **{p: v for p, v in before.items() if p not in after}}
    people[leaver] = before[leaver]
    if held:  # the page says these are the earlier day's figures: the reader learns nothing new
        same = {d: [(fid, c, n) for fid, _, c, n in shown_before[d]] for d in DIMENSIONS}
        assert same == {d: [(fid, c, n) for fid, _, c, n in shown_after[d]] for d in DIMENSIONS}
        shown_after, groups_after = shown_before, groups_before
    shown = {
        d: [(("yesterday", fid), m, c, n) for fid, m, c, n in shown_before[d]]
        + [(("today", fid), m, c, n) for fid, m, c, n in shown_after[d]]
        for d in DIMENSIONS
    }
    groups = {("yesterday", g): m for g, m in groups_before.items()}
    groups |= {("today", g): m for g, m in groups_after.items()}
    problems = _pinned(people, shown, groups, northgate.min_responses)
    assert not problems, "\n".join(problems)
