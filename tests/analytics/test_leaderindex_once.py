"""Score then associate in one process score the cycle once, and the report's entries built a
column at a time are exactly those built one by one (same keys, same order, same values)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.leaderindex_entries import Entries
from clinlead.analytics.leaderindex_read import table_from_rows
from clinlead.analytics.leaderindex_report import (
    associate_report,
    cycle_report,
    score_cycle,
    score_report,
)

UNITS = ["Trust A/Surgery/Ortho", "Trust A/Surgery", "Trust A/Medicine", "Trust B/Wards"]


def responses(seed, n, leaders=6):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        answers = rng.integers(0, 6, size=12)  # 0: skipped
        rows.append(
            {
                "cycle": "2024",
                "leader_id": f"L{rng.integers(leaders)}",
                "unit": UNITS[rng.integers(len(UNITS))],
                "profession": ["Nurse", "Doctor", ""][rng.integers(3)],
                **{f"q{i + 1}": int(a) or None for i, a in enumerate(answers)},
                "burnout": int(rng.integers(0, 6)) or None,
                "satisfaction": int(rng.integers(0, 6)) or None,
            }
        )
    return rows


def test_associate_after_score_reuses_the_scored_cycle_and_says_the_same():
    rows = responses(seed=7, n=300)
    table = table_from_rows(rows=rows)
    score_report(table=table, k=5)
    scored = score_cycle(table=table, cycle="2024", k=5)
    assert score_cycle(table=table, cycle="2024", k=5, with_items=False) is scored
    assert associate_report(table=table, k=5) == associate_report(
        table=table_from_rows(rows=rows), k=5
    )


def test_scores_without_item_counts_are_not_reused_where_the_counts_are_needed():
    table = table_from_rows(rows=responses(seed=8, n=200))
    without = score_cycle(table=table, cycle="2024", k=5, with_items=False)
    assert without.block_figures.items is None
    scores = score_cycle(table=table, cycle="2024", k=5)
    assert scores.block_figures.items is not None
    assert score_cycle(table=table, cycle="2024", k=3) is not scores  # another k: scored anew


def one_by_one(scores, covers_of=None):
    """The leaders' entries the plain way: a dict per leader, figures added by a call each."""
    blocks = scores.blocks
    entries = Entries(
        scores.block_figures,
        scores.table.instrument,
        3,
        scores.behaviour_ok,
        shown=np.flatnonzero(blocks.block_leader >= 0),
        item_ok=scores.item_ok,
        outcome_ok=scores.outcome_ok,
    )
    out = []
    for code in scores.leader_codes:
        b = int(blocks.leader_block[code])
        entry = {"cycle": scores.cycle, "leader_id": scores.table.leaders[code]}
        entries.published(b, entry) if b >= 0 else entries.hidden(entry)
        out.append(entry)
    return out


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    n=st.integers(min_value=1, max_value=120),
    k=st.integers(min_value=3, max_value=8),
)
def test_entries_built_by_column_equal_entries_built_one_by_one(seed, n, k):
    scores = score_cycle(table=table_from_rows(rows=responses(seed=seed, n=n)), cycle="2024", k=k)
    report = cycle_report(scores=scores)
    expected = one_by_one(scores)
    assert [list(e.items()) for e in report["leaders"]] == [list(e.items()) for e in expected]
    for entry in report["units"]:
        keys = list(entry)
        assert keys[:4] == ["cycle", "unit", "n", "published"]
        assert keys[-1] == "some_answers_counted_higher_up"
        if not entry["published"]:
            assert all(entry[key] is None for key in keys[2:] if key != "published")
