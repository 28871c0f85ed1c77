"""Scoring rules for the leader index: per response, per leader and unit, with t-intervals."""

import json

import numpy as np
import pytest
from scipy import stats

from clinlead.analytics.instrument import INSTRUMENTS_DIR, default_instrument, load_instrument
from clinlead.analytics.leaderindex import (
    aggregate,
    build_unit_tree,
    figures,
    group_sums,
    leader_trends,
    mean_with_interval,
    percentile_rank,
    response_index,
    response_indices,
    roll_up,
)
from clinlead.analytics.leaderindex_read import table_from_rows
from clinlead.analytics.leaderindex_report import published_percentiles, score_cycle, score_report

CLBI = default_instrument()


def nine_items(**changes):
    data = json.loads((INSTRUMENTS_DIR / "clbi-v1.json").read_text())
    data["items"] = data["items"][:9]
    data.update(changes)
    return load_instrument(data=data)


def test_all_12_answered_scores_the_sum():
    assert response_index(answers=[5] * 6 + [1] * 6, instrument=CLBI) == 36.0


def test_11_answered_scores_the_mean_times_12():
    answers = [4] * 10 + [2, None]
    assert response_index(answers=answers, instrument=CLBI) == pytest.approx(42 / 11 * 12)


def test_10_answered_still_scores_and_9_answered_has_no_index():
    assert response_index(answers=[3] * 10 + [None, None], instrument=CLBI) == 36.0
    assert response_index(answers=[3] * 9 + [None] * 3, instrument=CLBI) is None


def test_a_nine_item_instrument_scores_9_to_45_with_no_code_change():
    nine = nine_items()
    assert response_index(answers=[5] * 9, instrument=nine) == 45.0
    assert response_index(answers=[1] * 9, instrument=nine) == 9.0
    assert response_index(answers=[4] * 7 + [None] * 2, instrument=nine) == 36.0
    assert response_index(answers=[4] * 6 + [None] * 3, instrument=nine) is None


def test_the_allowed_missing_count_is_an_instrument_field():
    strict = nine_items(max_missing=0)
    assert response_index(answers=[4] * 8 + [None], instrument=strict) is None
    assert response_index(answers=[4] * 9, instrument=strict) == 36.0


def test_the_vectorised_index_agrees_with_the_one_response_rule():
    rng = np.random.default_rng(3)
    items = rng.integers(1, 6, size=(500, 12)).astype(np.int8)
    items[rng.random(items.shape) < 0.15] = 0
    fast = response_indices(items=items, instrument=CLBI)
    for row, value in zip(items, fast, strict=True):
        one = response_index(answers=[int(v) or None for v in row], instrument=CLBI)
        assert (one is None and np.isnan(value)) or one == pytest.approx(value)


def test_group_intervals_equal_scipys_t_interval_and_a_single_response_has_none():
    rng = np.random.default_rng(5)
    sizes = [1, 2, 3, 7, 40]
    groups = np.repeat(np.arange(len(sizes)), sizes)
    items = rng.integers(1, 6, size=(len(groups), 12)).astype(np.int8)
    index = response_indices(items=items, instrument=CLBI)
    figs = aggregate(
        rows=np.arange(len(groups)),
        groups=groups,
        n_groups=len(sizes),
        items=items,
        index=index,
        instrument=CLBI,
    )
    for g, size in enumerate(sizes):
        values = index[groups == g]
        assert figs.index[g] == pytest.approx(values.mean(), rel=1e-12)
        mean, ci = mean_with_interval(values=values)
        if size == 1:
            assert np.isnan(figs.ci_low[g]) and ci is None
            continue
        low, high = stats.t.interval(0.95, size - 1, loc=values.mean(), scale=stats.sem(values))
        assert (figs.ci_low[g], figs.ci_high[g]) == pytest.approx((low, high), rel=1e-10)
        assert ci == pytest.approx((low, high), rel=1e-10)


def test_behaviour_scores_average_the_answered_items_and_items_count_each_point():
    items = np.array([[5, 3] + [4] * 10, [0, 1] + [4] * 10], dtype=np.int8)
    figs = aggregate(
        rows=np.arange(2),
        groups=np.zeros(2, dtype=int),
        n_groups=1,
        items=items,
        index=response_indices(items=items, instrument=CLBI),
        instrument=CLBI,
    )
    include = list(CLBI.behaviours).index("include")
    assert figs.behaviours[0, include] == pytest.approx((5 + 3 + 1) / 3)
    # q1: one 5 and one missing; columns are missing, 1, 2, 3, 4, 5.
    assert figs.items[0, 0].tolist() == [1, 0, 0, 0, 0, 1]


def test_percentile_is_the_share_below_with_ties_counting_half():
    assert percentile_rank(value=40, population=[30, 40, 50, 60]) == pytest.approx(37.5)
    assert percentile_rank(value=60, population=[30, 40, 50, 60]) == pytest.approx(87.5)


def test_the_trend_lists_only_published_cycles_oldest_first():
    entries = [
        {"leader_id": "A", "cycle": "2025", "published": True, "n": 8, "index": 44.0, "ci95": None},
        {"leader_id": "A", "cycle": "2023", "published": True, "n": 9, "index": 40.0, "ci95": None},
        {"leader_id": "A", "cycle": "2024", "published": False, "n": None, "index": None},
    ]
    assert [p["cycle"] for p in leader_trends(leaders=entries)["A"]] == ["2023", "2025"]


def test_a_unit_tree_holds_every_prefix_of_every_path():
    tree = build_unit_tree(unit_paths=["T/S/O", "T/M", "U"])
    assert tree.paths == ["T", "T/M", "T/S", "T/S/O", "U"]
    assert [tree.paths[a] if a >= 0 else None for a in tree.ancestors[0]] == ["T", "T/S", "T/S/O"]


def _rows(leader, unit, n, value=4, cycle="2024"):
    return [
        {
            "cycle": cycle,
            "leader_id": leader,
            "unit": unit,
            "profession": "Nurse",
            **{f"q{i}": value for i in range(1, 13)},
            "burnout": 2,
            "satisfaction": 4,
        }
        for _ in range(n)
    ]


def test_the_score_report_hides_small_groups_and_lists_every_unit_level_sorted():
    rows = (
        _rows("L2", "Trust A/Surgery/Ortho", 6, value=5)
        + _rows("L1", "Trust A/Surgery/Ortho", 6)
        + _rows("L3", "Trust A/Medicine", 4)
        + _rows("L4", "Trust A/Medicine", 6, value=3)
    )
    report = score_report(table=table_from_rows(rows=rows), k=5)
    assert [e["leader_id"] for e in report["leaders"]] == ["L1", "L2", "L3", "L4"]
    assert [e["unit"] for e in report["units"]] == [
        "Trust A",
        "Trust A/Medicine",
        "Trust A/Surgery",
        "Trust A/Surgery/Ortho",
    ]
    by_leader = {e["leader_id"]: e for e in report["leaders"]}
    assert by_leader["L1"]["index"] == 48.0 and by_leader["L1"]["n"] == 6
    assert by_leader["L1"]["ci95"] == [48.0, 48.0]  # six identical answers: no spread
    # Leader first: L4 (6 answers) is published; L3's 4 answers pool upwards and stay too few
    # even at the root, so they are in no figure (Medicine is L4 alone, and says so in words).
    assert by_leader["L4"]["published"] and by_leader["L4"]["n"] == 6
    for hidden in ("L3",):
        assert by_leader[hidden] == {
            "cycle": "2024",
            "leader_id": hidden,
            "n": None,
            "published": False,
            "index": None,
            "ci95": None,
            "behaviours": None,
            "items": None,
            "burnout": None,
            "satisfaction": None,
        }
    root, medicine = report["units"][0], report["units"][1]
    assert root["published"] and root["n"] == 18 and root["some_answers_counted_higher_up"]
    assert root["index"] == pytest.approx((6 * 60 + 6 * 48 + 6 * 36) / 18, abs=1e-3)
    assert medicine["n"] == 6 and medicine["index"] == by_leader["L4"]["index"]


def test_several_cycles_are_reported_one_after_another():
    rows = _rows("L1", "Trust A", 5, cycle="2024") + _rows("L1", "Trust A", 7, cycle="2023")
    report = score_report(table=table_from_rows(rows=rows), k=5)
    assert [(e["cycle"], e["n"]) for e in report["leaders"]] == [("2023", 7), ("2024", 5)]
    assert [e["cycle"] for e in report["units"]] == ["2023", "2024"]


def test_unit_figures_rolled_up_the_tree_equal_figures_computed_directly():
    rng = np.random.default_rng(8)
    paths = ["T", "T/A", "T/A/x", "T/A/y", "T/B"]
    tree = build_unit_tree(unit_paths=paths)
    unit = rng.integers(0, len(paths), 300)
    items = rng.integers(1, 6, size=(300, 12)).astype(np.int8)
    items[rng.random(items.shape) < 0.1] = 0
    index = response_indices(items=items, instrument=CLBI)
    own = group_sums(
        rows=np.arange(300),
        groups=tree.node_of[unit],
        n_groups=len(tree.paths),
        items=items,
        index=index,
        instrument=CLBI,
        with_items=False,
    )
    rolled = figures(sums=roll_up(sums=own, parent=tree.parent, depth=tree.depth))
    for node, path in enumerate(tree.paths):
        inside = np.array([p == path or p.startswith(path + "/") for p in paths])[unit]
        values = index[inside & ~np.isnan(index)]
        low, high = stats.t.interval(
            0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values)
        )
        assert rolled.n[node] == inside.sum()
        assert rolled.index[node] == pytest.approx(values.mean(), rel=1e-12)
        assert (rolled.ci_low[node], rolled.ci_high[node]) == pytest.approx((low, high), rel=1e-10)


def test_percentiles_rank_a_leader_among_published_leaders_only():
    rows = (
        _rows("A", "T/x", 5, value=2)
        + _rows("B", "T/y", 5, value=3)
        + _rows("C", "T/z", 5, value=4)
        + _rows("D", "T/z", 2, value=5)  # unpublished; C is published all the same
        + _rows("E", "T/w", 6, value=5)
    )
    scores = score_cycle(table=table_from_rows(rows=rows), cycle="2024", k=5)
    pct = published_percentiles(scores=scores)
    assert set(pct) == {"A", "B", "C", "E"}
    published = [24.0, 36.0, 48.0, 60.0]
    for leader, value in zip("ABCE", published, strict=True):
        assert pct[leader] == pytest.approx(percentile_rank(value=value, population=published))


def test_groups_gathered_into_targets_equal_totals_computed_from_the_responses():
    from clinlead.analytics.leaderindex import gather

    rng = np.random.default_rng(9)
    items = rng.integers(0, 6, size=(400, 12)).astype(np.int8)
    index = response_indices(items=items, instrument=CLBI)
    group = rng.integers(0, 30, 400)
    target_of_group = rng.integers(-1, 6, 30)  # -1: the group goes nowhere
    outcomes = {"burnout": rng.integers(-1, 2, 400).astype(np.int8)}
    rows = np.arange(400)
    by_group = group_sums(rows=rows, groups=group, n_groups=30, items=items, index=index, instrument=CLBI,
                          outcomes=outcomes)
    gathered = gather(sums=by_group, target=target_of_group, n_targets=6)
    kept = target_of_group[group] >= 0
    direct = group_sums(rows=rows[kept], groups=target_of_group[group][kept], n_groups=6, items=items,
                        index=index, instrument=CLBI, outcomes=outcomes, with_items=False)
    for name in ("n", "n_index", "index_sum", "index_ss", "behaviour_sum", "behaviour_n"):
        assert np.allclose(getattr(gathered, name), getattr(direct, name)), name
    assert np.array_equal(gathered.outcome_yes["burnout"], direct.outcome_yes["burnout"])
