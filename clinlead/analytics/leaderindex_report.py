"""Per-cycle leader and unit figures with the suppression rule applied: what the analyst command
(and any export) prints.

Groups passed to the rule, in one call per cycle: every leader, and every unit subtree at
every path level (the root being the first path segment), with (unit, leader) cells as atoms,
so leader-minus-unit and unit-minus-subunit subtractions are both covered.

An unpublished group shows nothing but its id and `published: false`: its n is null too,
because a count under k (or a count that subtracted from a published parent leaves under k)
is itself a disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clinlead.analytics.association import logistic_per_point, pearson_with_ci, rate
from clinlead.analytics.leaderindex import (
    GroupFigures,
    UnitTree,
    aggregate,
    build_unit_tree,
    figures,
    group_sums,
    natural_key,
    outcome_flags,
    response_indices,
    roll_up,
)
from clinlead.analytics.leaderindex_read import ResponseTable
from clinlead.analytics.suppression import (
    SuppressionResult,
    apply_suppression,
    gc_paused,
    validate_k,
)


def cycle_names(*, table: ResponseTable) -> list[str]:
    present = np.unique(table.cycle)
    return sorted((table.cycles[c] for c in present), key=natural_key)


@dataclass
class CycleScores:
    cycle: str
    table: ResponseTable  # this cycle's rows only
    index: np.ndarray  # per response, NaN = no index
    leader_codes: list[int]  # leaders present, by id
    leaders: GroupFigures  # indexed by the table's leader code
    tree: UnitTree
    units: GroupFigures  # indexed by tree node
    suppression: SuppressionResult

    def leader_published(self, code: int) -> bool:
        return ("leader", self.table.leaders[code]) in self.suppression.published

    def unit_published(self, node: int) -> bool:
        return ("unit", self.tree.paths[node]) in self.suppression.published


def _grouped(keys: np.ndarray, values: np.ndarray) -> dict[int, list[int]]:
    """key -> list of values, without a Python loop per element."""
    if len(keys) == 0:
        return {}
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order].tolist()
    starts = np.flatnonzero(np.r_[True, np.diff(keys) != 0])
    ends = np.r_[starts[1:], len(keys)].tolist()
    return {
        key: values[start:end]
        for key, start, end in zip(keys[starts].tolist(), starts.tolist(), ends, strict=True)
    }


def score_cycle(
    *, table: ResponseTable, cycle: str, k: int, with_items: bool = True
) -> CycleScores:
    """Figures and suppression for one cycle of the table (item counts only if with_items)."""
    validate_k(k=k)
    instrument = table.instrument
    sub = table.take(table.cycle == table.cycles.index(cycle))
    index = response_indices(items=sub.items, instrument=instrument)
    outcomes = {
        "burnout": outcome_flags(answers=sub.burnout, cutoff=instrument.burnout.cutoff),
        "satisfaction": outcome_flags(
            answers=sub.satisfaction, cutoff=instrument.satisfaction.cutoff
        ),
    }
    # Units of this cycle, as a tree of every path level.
    unit_codes, unit_local = np.unique(sub.unit, return_inverse=True)
    tree = build_unit_tree(unit_paths=[sub.units[u] for u in unit_codes])
    n_rows = len(sub)
    rows = np.arange(n_rows)
    n_leaders = len(sub.leaders)
    leaders = aggregate(
        rows=rows,
        groups=sub.leader.astype(np.int64),
        n_groups=n_leaders,
        items=sub.items,
        index=index,
        instrument=instrument,
        outcomes=outcomes,
        with_items=with_items,
    )
    # Each response counts once, in its own unit; subtree totals roll up the tree.
    own = group_sums(
        rows=rows,
        groups=tree.node_of[unit_local],
        n_groups=len(tree.paths),
        items=sub.items,
        index=index,
        instrument=instrument,
        outcomes=outcomes,
        with_items=False,
    )
    units = figures(sums=roll_up(sums=own, parent=tree.parent, depth=tree.depth))
    # Cells (unit, leader) are the atoms of the suppression rule.
    cell_key = unit_local.astype(np.int64) * n_leaders + sub.leader
    cells, cell_of_row, cell_count = np.unique(cell_key, return_inverse=True, return_counts=True)
    cell_ids = np.arange(len(cells))
    cell_unit = cells // n_leaders
    cell_leader = cells % n_leaders
    with gc_paused():
        groups: dict = {}
        for code, members in _grouped(cell_leader, cell_ids).items():
            groups[("leader", sub.leaders[code])] = members
        cell_anc = tree.ancestors[cell_unit]
        for d in range(cell_anc.shape[1]):
            present = cell_anc[:, d] >= 0
            for node, members in _grouped(cell_anc[present, d], cell_ids[present]).items():
                groups[("unit", tree.paths[node])] = members
        suppression = apply_suppression(groups=groups, atom_counts=cell_count.tolist(), k=k)
    present_leaders = sorted(np.unique(sub.leader).tolist(), key=lambda c: sub.leaders[c])
    return CycleScores(
        cycle=cycle,
        table=sub,
        index=index,
        leader_codes=present_leaders,
        leaders=leaders,
        tree=tree,
        units=units,
        suppression=suppression,
    )


def _values(arr: np.ndarray, ndigits: int | None) -> list:
    """Array -> list of floats rounded for output, None where not finite."""
    arr = np.asarray(arr, dtype=float)
    if ndigits is not None:
        arr = np.round(arr, ndigits)
    arr = np.where(np.isfinite(arr), arr, np.nan)
    return [None if x != x else x for x in arr.ravel().tolist()]


class _Entries:
    """Builds report entries for groups of one GroupFigures (published ones get figures)."""

    def __init__(self, figs: GroupFigures, instrument, ndigits, with_items: bool):
        self.figs = figs
        self.with_items = with_items
        self.n = figs.n.tolist()
        self.index = _values(figs.index, ndigits)
        self.low = _values(figs.ci_low, ndigits)
        self.high = _values(figs.ci_high, ndigits)
        names = list(instrument.behaviours)
        flat = _values(figs.behaviours, ndigits)
        width = len(names)
        self.behaviours = [
            dict(zip(names, flat[i * width : (i + 1) * width], strict=True))
            for i in range(len(self.n))
        ]
        self.item_ids = instrument.item_ids
        self.points = [str(v) for v in instrument.scale_values]

    def published(self, g: int) -> dict:
        low, high = self.low[g], self.high[g]
        out = {
            "n": self.n[g],
            "published": True,
            "index": self.index[g],
            "ci95": [low, high] if low is not None and high is not None else None,
            "behaviours": self.behaviours[g],
        }
        if self.with_items:
            items = {}
            for item, counts in zip(self.item_ids, self.figs.items[g].tolist(), strict=True):
                dist = dict(zip(self.points, counts[1:], strict=True))
                dist["missing"] = counts[0]  # column 0 holds the missing answers
                items[item] = dist
            out["items"] = items
        return out

    def hidden(self) -> dict:
        out = {"n": None, "published": False, "index": None, "ci95": None, "behaviours": None}
        if self.with_items:
            out["items"] = None
        return out


def cycle_report(*, scores: CycleScores, ndigits: int | None = 3) -> dict:
    """{"leaders": [...], "units": [...]} for one cycle, sorted by id / path."""
    instrument = scores.table.instrument
    with gc_paused():
        entries = _Entries(scores.leaders, instrument, ndigits, with_items=True)
        leaders = []
        for code in scores.leader_codes:
            entry = {"cycle": scores.cycle, "leader_id": scores.table.leaders[code]}
            pub = scores.leader_published(code)
            entry.update(entries.published(code) if pub else entries.hidden())
            leaders.append(entry)
        entries = _Entries(scores.units, instrument, ndigits, with_items=False)
        units = []
        for node, path in enumerate(scores.tree.paths):
            entry = {"cycle": scores.cycle, "unit": path}
            pub = scores.unit_published(node)
            entry.update(entries.published(node) if pub else entries.hidden())
            units.append(entry)
    return {"leaders": leaders, "units": units}


def score_report(*, table: ResponseTable, k: int, ndigits: int | None = 3) -> dict:
    """The `score` output: every cycle's leaders and units (cycle, then id / path order)."""
    report = {"min_n": validate_k(k=k), "leaders": [], "units": []}
    for cycle in cycle_names(table=table):
        part = cycle_report(scores=score_cycle(table=table, cycle=cycle, k=k), ndigits=ndigits)
        report["leaders"].extend(part["leaders"])
        report["units"].extend(part["units"])
    return report


def published_percentiles(*, scores: CycleScores) -> dict[str, float]:
    """leader_id -> percentile among the cycle's published leaders (by index)."""
    pub = {
        scores.table.leaders[c]: float(scores.leaders.index[c])
        for c in scores.leader_codes
        if scores.leader_published(c) and np.isfinite(scores.leaders.index[c])
    }
    values = np.sort(np.fromiter(pub.values(), dtype=float))
    # Mid-rank (below + half the ties), as leaderindex.percentile_rank, for all at once.
    out = {}
    for leader, v in pub.items():
        below = np.searchsorted(values, v, side="left")
        upto = np.searchsorted(values, v, side="right")
        out[leader] = 100.0 * (below + 0.5 * (upto - below)) / len(values)
    return out


def _group_correlations(figs: GroupFigures, chosen: np.ndarray) -> dict:
    out = {}
    for name in ("burnout", "satisfaction"):
        r = rate(yes=figs.outcome_yes[name][chosen], answered=figs.outcome_n[name][chosen])
        out[name] = pearson_with_ci(x=figs.index[chosen], y=r)
    return out


def associate_report(*, table: ResponseTable, k: int, cycle: str | None = None) -> dict:
    """The `associate` output for one cycle (the latest unless named)."""
    cycles = cycle_names(table=table)
    if not cycles:
        raise ValueError("the file holds no responses")
    if cycle is None:
        cycle = cycles[-1]
    elif cycle not in cycles:
        raise ValueError(f"cycle {cycle!r} is not in the file; it holds {', '.join(cycles)}")
    scores = score_cycle(table=table, cycle=cycle, k=k, with_items=False)
    instrument = table.instrument
    sub = scores.table
    report = {"cycle": cycle, "min_n": k}
    for name, item in (("burnout", instrument.burnout), ("satisfaction", instrument.satisfaction)):
        report[name] = logistic_per_point(
            index=scores.index,
            outcome=outcome_flags(answers=getattr(sub, name), cutoff=item.cutoff),
            profession=sub.profession,
            min_n=k,
        )
    leaders = np.array([c for c in scores.leader_codes if scores.leader_published(c)], dtype=int)
    # Finest published units (no published unit below them): disjoint, so nobody counts twice.
    tree = scores.tree
    published = np.array([scores.unit_published(u) for u in range(len(tree.paths))], dtype=bool)
    published_below = np.zeros(len(published), dtype=bool)
    for depth in range(int(tree.depth.max(initial=0)), 0, -1):
        nodes = np.flatnonzero((tree.depth == depth) & (published | published_below))
        published_below[tree.parent[nodes]] = True
    finest = np.flatnonzero(published & ~published_below)
    report["unit_correlation"] = {
        "leaders": _group_correlations(scores.leaders, leaders),
        "units": _group_correlations(scores.units, finest),
        "units_used": "finest published units (no published unit inside them)",
    }
    return report
