"""The score report on generated cycles: crossing leaders, skipped items, leavers (answers whose
unit is gone sit at the organisation's root). For the index, every item, every behaviour and both
wellbeing rates, the parts formed by that statistic's published figures hold 0 or >= k of its
own contributors."""

from collections import Counter, defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.instrument import default_instrument
from clinlead.analytics.leaderindex_read import table_from_rows
from clinlead.analytics.leaderindex_report import score_report
from tests.leaderindex.parts import small_parts

INSTRUMENT = default_instrument()
ITEMS = list(INSTRUMENT.item_ids)
UNITS = ["T", "T/A", "T/A/x", "T/A/y", "T/B", "T/B/z", "T/C"]


# Built once: hypothesis works out each new strategy object's properties on first use, which
# for a strategy built per row cost more than drawing from it.
LEADERS, ROWS_PER_CELL, K = st.integers(1, 7), st.integers(1, 8), st.integers(3, 6)
LEADER_UNITS = st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True)
SKIPPED = st.sets(st.sampled_from(ITEMS), max_size=4)


@st.composite
def surveys(draw):
    # The answers' values and the wellbeing answers come from one drawn random source: who
    # answered (units, leaders, the skipped items) is what the rule is about and stays drawn
    # choice by choice for shrinking; a draw per answer (a dozen a row, up to 168 rows) was most
    # of the test's time.
    rng = draw(st.randoms(use_true_random=True))
    rows = []
    for leader in range(draw(LEADERS)):
        for unit in draw(LEADER_UNITS):
            for _ in range(draw(ROWS_PER_CELL)):
                skipped = draw(SKIPPED)
                row = {"cycle": "2024", "leader_id": f"L{leader}", "unit": unit, "profession": "Nurse",
                       "burnout": rng.choice(["", 1, 4]), "satisfaction": rng.choice(["", 2, 5])}
                row.update({i: "" if i in skipped else rng.randint(1, 5) for i in ITEMS})
                rows.append(row)
    return rows, draw(K)


def _contributors(rows, answered, counts=None):
    """Contributors per cell: index contributors for whom `answered(row, questions that count)`."""
    out = {}
    for i, r in enumerate(rows):
        counted = sum(r[q] != "" for q in ITEMS) >= INSTRUMENT.min_answered
        mine = (counts or {}).get(i, set())
        out[(r["unit"], r["leader_id"])] = out.get((r["unit"], r["leader_id"]), 0) + (
            counted and answered(r, mine))
    return out


def _counted_questions(rows, report, k):
    """Row -> the questions whose answer counts: within each part of the index's figures, a
    question counts where at least k of the part's index contributors answered it."""
    covering = defaultdict(set)
    for fid, cells in _figures(report, lambda e: True).items():
        for cell in cells:
            covering[cell].add(fid)
    part = {i: frozenset(covering[(r["unit"], r["leader_id"])]) for i, r in enumerate(rows)
            if sum(r[q] != "" for q in ITEMS) >= INSTRUMENT.min_answered
            and covering.get((r["unit"], r["leader_id"]))}
    answered = Counter((part[i], q) for i in part for q in ITEMS if rows[i][q] != "")
    return {i: {q for q in ITEMS if rows[i][q] != "" and answered[(part[i], q)] >= k} for i in part}


def _figures(report, shown):
    return {(kind, e.get("leader_id") or e["unit"]): [tuple(c) for c in e["covers"]]
            for kind in ("leaders", "units") for e in report[kind] if e["published"] and shown(e)}


@settings(max_examples=120, deadline=None)
@given(surveys())
def test_every_statistic_has_no_part_of_1_to_k_minus_1(case):
    rows, k = case
    report = score_report(table=table_from_rows(rows=rows), k=k, covers=True)
    counts = _counted_questions(rows, report, k)
    checks = {"index": (lambda e: True, lambda r, c: True)}
    for item in ITEMS:
        checks[item] = (lambda e, item=item: (e["items"] or {}).get(item) is not None,
                        lambda r, c, item=item: item in c)
    for name, positions in INSTRUMENT.behaviours.items():
        ids = [ITEMS[p] for p in positions]
        checks[name] = (lambda e, name=name: (e["behaviours"] or {}).get(name) is not None,
                        lambda r, c, ids=ids: any(i in c for i in ids))
    for outcome in ("burnout", "satisfaction"):
        checks[outcome] = (lambda e, o=outcome: e.get(o) is not None, lambda r, c, o=outcome: r[o] != "")
    for name, (shown, answered) in checks.items():
        contributors = _contributors(rows, answered, counts)
        parts = small_parts(figures=_figures(report, shown), contributors=contributors, k=k)
        assert parts == [], name
    # A question that 1..k-1 people of a part answered counts nowhere, so no figure shows it.
    for e in report["leaders"]:
        for dist in (e["items"] or {}).values():
            assert dist is None or sum(dist.values()) == 0 or sum(dist.values()) >= k


@settings(max_examples=120, deadline=None)
@given(surveys())
def test_every_leader_with_k_index_contributors_gets_a_report_covering_all_of_them(case):
    rows, k = case
    report = score_report(table=table_from_rows(rows=rows), k=k, covers=True)
    cells = _contributors(rows, lambda r, c: True)
    for e in report["leaders"]:
        mine = {c: n for c, n in cells.items() if c[1] == e["leader_id"]}
        assert e["published"] == (sum(mine.values()) >= k)
        if e["published"]:
            assert e["n"] == sum(mine.values())
            assert {tuple(c) for c in e["covers"]} == set(mine)
