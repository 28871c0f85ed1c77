"""Per-cycle leader and unit figures under the disclosure rule (analytics.disclosure): what the
analyst command prints and what publication in the web app stores.

Leader first: every leader with at least k index contributors gets a report covering all of
them; everyone else's answers are pooled upwards through the unit tree into blocks of at least
k (analytics.disclosure.form_blocks). A unit's figures are those of the blocks homed in it or
below, so a unit may leave out a few answers counted higher up; it says so in words, never with
a number.

Only responses with an index (>= 10 of 12 items answered) take part in any figure: every figure
of a report then speaks for the same people, and a respondent whose rating did not count cannot
be found as the difference between, say, an item's distribution and the index. Within a figure,
an item, a behaviour or a wellbeing rate is shown only where every block in it has at least k
respondents who answered it; otherwise it is null ("not shown: fewer than k answered").

An unpublished group shows nothing but its id and `published: false`; its n is null too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from clinlead.analytics.association import logistic_per_point, pearson_with_ci, rate
from clinlead.analytics.disclosure import (
    Blocks,
    counted_answers,
    eligible_unions,
    form_blocks,
    gc_paused,
    published_indices,
    subtree_totals,
    validate_k,
)
from clinlead.analytics.leaderindex import (
    GroupFigures,
    UnitTree,
    build_unit_tree,
    figures,
    gather,
    group_sums,
    natural_key,
    outcome_flags,
    response_indices,
    roll_up,
)
from clinlead.analytics.leaderindex_entries import OUTCOMES, Entries
from clinlead.analytics.leaderindex_read import ResponseTable


def cycle_names(*, table: ResponseTable) -> list[str]:
    present = np.unique(table.cycle)
    return sorted((table.cycles[c] for c in present), key=natural_key)


@dataclass
class CycleScores:
    cycle: str
    table: ResponseTable  # this cycle's rows only
    k: int
    index: np.ndarray  # per response, the instrument's index (NaN = none): for the models
    item_means: np.ndarray  # per item, the value of a question not counted in a published index
    leader_codes: list[int]  # leaders present, by id
    blocks: Blocks
    block_figures: GroupFigures  # indexed by block
    tree: UnitTree
    units: GroupFigures  # indexed by tree node: the blocks homed in its subtree
    cell_unit: np.ndarray  # per cell: tree node
    cell_leader: np.ndarray  # per cell: leader code
    # Which figures of each statistic may be shown (per block / per node):
    behaviour_ok: np.ndarray  # blocks x behaviours
    unit_behaviour_ok: np.ndarray  # nodes x behaviours
    item_ok: np.ndarray  # blocks x items
    outcome_ok: dict[str, np.ndarray]  # per block
    unit_outcome_ok: dict[str, np.ndarray]  # per node
    unit_partial: np.ndarray  # per node: some of its contributors are counted higher up

    def leader_published(self, code: int) -> bool:
        return bool(self.blocks.leader_block[code] >= 0)

    def unit_published(self, node: int) -> bool:
        return bool(self.units.n_index[node] > 0)


def score_cycle(
    *, table: ResponseTable, cycle: str, k: int, with_items: bool = True
) -> CycleScores:
    """Blocks and figures for one cycle of the table (item counts only if with_items). Kept on
    the table: asked again, the same scores are returned, with_items or not, once computed with."""
    validate_k(k=k)
    kept: CycleScores | None = table.scored.get((cycle, k))
    if kept is not None and (kept.block_figures.items is not None or not with_items):
        return kept
    instrument = table.instrument
    in_cycle = table.cycle == table.cycles.index(cycle)
    sub = table if in_cycle.all() else table.take(in_cycle)  # one cycle in the file: no copy
    index = response_indices(items=sub.items, instrument=instrument)
    counted = ~np.isnan(index)
    outcomes = {
        "burnout": outcome_flags(answers=sub.burnout, cutoff=instrument.burnout.cutoff),
        "satisfaction": outcome_flags(
            answers=sub.satisfaction, cutoff=instrument.satisfaction.cutoff
        ),
    }
    # Units present, in code order: a count per code instead of sorting every row.
    unit_codes = np.flatnonzero(np.bincount(sub.unit, minlength=len(sub.units)))
    tree = build_unit_tree(unit_paths=[sub.units[u] for u in unit_codes.tolist()])
    node_of_code = np.zeros(len(sub.units), dtype=np.int64)
    node_of_code[unit_codes] = tree.node_of
    n_leaders = len(sub.leaders)
    n_nodes = len(tree.paths)
    # Cells (unit, leader): every cell with a response, contributors = responses with an index.
    cell_key = node_of_code[sub.unit] * n_leaders + sub.leader
    cells, cell_of_row = sorted_codes(cell_key)
    cell_unit, cell_leader = cells // n_leaders, cells % n_leaders
    contributors = np.bincount(cell_of_row[counted], minlength=len(cells))
    blocks = form_blocks(
        cell_unit=cell_unit,
        cell_leader=cell_leader,
        cell_contributors=contributors,
        n_leaders=n_leaders,
        parent=tree.parent,
        depth=tree.depth,
        k=k,
    )
    row_block = blocks.cell_block[cell_of_row]
    rows = np.flatnonzero(counted & (row_block >= 0))
    groups = row_block[rows]
    published_items, item_means = counted_answers(
        items=sub.items,
        rows=rows,
        groups=groups,
        n_groups=blocks.n_blocks,
        k=k,
        scale_mid=(instrument.scale_min + instrument.scale_max) / 2,
    )
    sums = group_sums(
        rows=rows,
        groups=groups,
        n_groups=blocks.n_blocks,
        items=published_items,
        index=published_indices(items=published_items, item_means=item_means),
        instrument=instrument,
        outcomes=outcomes,
        with_items=with_items,
    )
    block_figures = figures(sums=sums)
    own = gather(sums=sums, target=blocks.block_home, n_targets=n_nodes)  # blocks into their homes
    units = figures(sums=roll_up(sums=own, parent=tree.parent, depth=tree.depth))
    # Contributors per block to each other statistic: people, not answers.
    answered = published_items[rows] > 0
    behaviour_people = (
        np.column_stack(
            [
                np.bincount(
                    groups, weights=answered[:, list(pos)].any(axis=1), minlength=blocks.n_blocks
                )
                for pos in instrument.behaviours.values()
            ]
        )
        if instrument.behaviours
        else np.zeros((blocks.n_blocks, 0))
    )
    behaviour_ok, unit_behaviour_ok = eligible_unions(
        blocks=blocks,
        block_contributors=behaviour_people,
        parent=tree.parent,
        depth=tree.depth,
        k=k,
        none_ok=True,  # counted answers come from 0 or at least k people
    )
    # answered per item = the distribution's counts without column 0 (skips)
    item_people = (
        sums.items[:, :, 1:].sum(axis=2)
        if with_items and sums.items is not None
        else np.zeros((blocks.n_blocks, instrument.n_items))
    )
    outcome_ok, unit_outcome_ok = {}, {}
    for name in OUTCOMES:
        outcome_ok[name], unit_outcome_ok[name] = eligible_unions(
            blocks=blocks,
            block_contributors=sums.outcome_n[name],
            parent=tree.parent,
            depth=tree.depth,
            k=k,
        )
    in_subtree = subtree_totals(
        values=np.bincount(cell_unit, weights=contributors, minlength=n_nodes),
        parent=tree.parent,
        depth=tree.depth,
    )
    present = sorted(
        np.flatnonzero(np.bincount(sub.leader, minlength=n_leaders)).tolist(),
        key=sub.leaders.__getitem__,
    )
    scores = CycleScores(
        cycle=cycle,
        table=sub,
        k=k,
        index=index,
        item_means=item_means,
        leader_codes=present,
        blocks=blocks,
        block_figures=block_figures,
        tree=tree,
        units=units,
        cell_unit=cell_unit,
        cell_leader=cell_leader,
        behaviour_ok=behaviour_ok,
        unit_behaviour_ok=unit_behaviour_ok,
        item_ok=item_people >= k,
        outcome_ok=outcome_ok,
        unit_outcome_ok=unit_outcome_ok,
        unit_partial=in_subtree > units.n_index,
    )
    table.scored[(cycle, k)] = scores
    return scores


def sorted_codes(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(keys, return_inverse=True) by hashing (pandas.factorize) rather than sorting
    every row: only the distinct keys are sorted."""
    codes, uniques = pd.factorize(keys, sort=True)
    return np.asarray(uniques), codes.astype(np.int64, copy=False)


def _covers(scores: CycleScores) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """[unit path, leader id] cells covered by each leader's and each unit's figures."""
    paths, names = scores.tree.paths, scores.table.leaders
    pairs = [
        [paths[u], names[ldr]]
        for u, ldr in zip(scores.cell_unit.tolist(), scores.cell_leader.tolist(), strict=True)
    ]
    by_leader: dict[int, list[Any]] = {}
    for pair, ldr in zip(pairs, scores.cell_leader.tolist(), strict=True):
        by_leader.setdefault(ldr, []).append(pair)
    by_unit: dict[int, list[Any]] = {}
    home = scores.blocks.block_home
    cell_block = scores.blocks.cell_block
    parent = scores.tree.parent.tolist()
    for pair, b in zip(pairs, cell_block.tolist(), strict=True):
        v = int(home[b]) if b >= 0 else -1
        while v >= 0:
            by_unit.setdefault(v, []).append(pair)
            v = parent[v]
    return by_leader, by_unit


def cycle_report(
    *, scores: CycleScores, ndigits: int | None = 3, covers: bool = False
) -> dict[str, Any]:
    """{"leaders": [...], "units": [...]} for one cycle, sorted by id / path."""
    instrument = scores.table.instrument
    by_leader, by_unit = _covers(scores) if covers else ({}, {})
    with gc_paused():
        blocks = scores.blocks
        entries = Entries(
            scores.block_figures,
            instrument,
            ndigits,
            scores.behaviour_ok,
            shown=np.flatnonzero(blocks.block_leader >= 0),
            item_ok=scores.item_ok,
            outcome_ok=scores.outcome_ok,
        )
        cycle = scores.cycle
        codes = scores.leader_codes
        leader_block = blocks.leader_block[codes].tolist() if codes else []
        n_leaders = len(codes)
        names = scores.table.leaders
        trailing: list[tuple[str, list[Any]]] = []
        if covers:
            trailing.append(("covers", [
                sorted(by_leader.get(code, [])) if b >= 0 else []
                for code, b in zip(codes, leader_block, strict=True)
            ]))
        leaders = entries.many(
            leader_block,
            [("cycle", [cycle] * n_leaders), ("leader_id", [names[c] for c in codes])],
            trailing,
        )
        published_units = scores.units.n_index > 0
        entries = Entries(
            scores.units,
            instrument,
            ndigits,
            scores.unit_behaviour_ok,
            shown=np.flatnonzero(published_units),
        )
        paths = scores.tree.paths
        published = published_units.tolist()
        partial = scores.unit_partial.tolist()
        trailing = [("some_answers_counted_higher_up", [
            p if shown else None for p, shown in zip(partial, published, strict=True)
        ])]
        if covers:
            trailing.append(("covers", [
                sorted(by_unit.get(node, [])) if shown else []
                for node, shown in enumerate(published)
            ]))
        units = entries.many(
            [node if shown else -1 for node, shown in enumerate(published)],
            [("cycle", [cycle] * len(paths)), ("unit", paths)],
            trailing,
        )
    return {"leaders": leaders, "units": units}


def score_report(
    *, table: ResponseTable, k: int, ndigits: int | None = 3, covers: bool = False
) -> dict[str, Any]:
    """The `score` output: every cycle's leaders and units (cycle, then id / path order)."""
    leaders: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []
    report: dict[str, Any] = {"min_n": validate_k(k=k), "leaders": leaders, "units": units}
    for cycle in cycle_names(table=table):
        part = cycle_report(
            scores=score_cycle(table=table, cycle=cycle, k=k), ndigits=ndigits, covers=covers
        )
        leaders.extend(part["leaders"])
        units.extend(part["units"])
    return report


def published_percentiles(*, scores: CycleScores) -> dict[str, float]:
    """leader_id -> percentile among the cycle's published leaders (by index)."""
    figs = scores.block_figures
    pub = {
        scores.table.leaders[c]: float(figs.index[scores.blocks.leader_block[c]])
        for c in scores.leader_codes
        if scores.leader_published(c) and np.isfinite(figs.index[scores.blocks.leader_block[c]])
    }
    values = np.sort(np.fromiter(pub.values(), dtype=float))
    # Mid-rank (below + half the ties), as leaderindex.percentile_rank, for all at once.
    out: dict[str, float] = {}
    for leader, v in pub.items():
        below = np.searchsorted(values, v, side="left")
        upto = np.searchsorted(values, v, side="right")
        out[leader] = float(100.0 * (below + 0.5 * (upto - below)) / len(values))
    return out


def _group_correlations(
    figs: GroupFigures, chosen: np.ndarray, shown: dict[str, np.ndarray]
) -> dict[str, Any]:
    out = {}
    for name in OUTCOMES:
        use = chosen[shown[name][chosen]]
        r = rate(yes=figs.outcome_yes[name][use], answered=figs.outcome_n[name][use])
        out[name] = pearson_with_ci(x=figs.index[use], y=r)
    return out


def associate_report(
    *, table: ResponseTable, k: int, cycle: str | None = None, scores: CycleScores | None = None
) -> dict[str, Any]:
    """The `associate` output for one cycle (the latest unless named). A caller that has scored
    the cycle already (publication) passes its `scores`."""
    cycles = cycle_names(table=table)
    if not cycles:
        raise ValueError("the file holds no responses")
    if cycle is None:
        cycle = cycles[-1]
    elif cycle not in cycles:
        raise ValueError(f"cycle {cycle!r} is not in the file; it holds {', '.join(cycles)}")
    if scores is None or scores.cycle != cycle or scores.k != k:
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
    blocks = scores.blocks
    leaders = blocks.leader_block[blocks.leader_block >= 0]
    # Finest published units (no published unit below them): disjoint, so nobody counts twice.
    tree = scores.tree
    published = scores.units.n_index > 0
    published_below = np.zeros(len(published), dtype=bool)
    for depth in range(int(tree.depth.max(initial=0)), 0, -1):
        nodes = np.flatnonzero((tree.depth == depth) & (published | published_below))
        published_below[tree.parent[nodes]] = True
    finest = np.flatnonzero(published & ~published_below)
    report["unit_correlation"] = {
        "leaders": _group_correlations(scores.block_figures, leaders, scores.outcome_ok),
        "units": _group_correlations(scores.units, finest, scores.unit_outcome_ok),
        "units_used": "finest published units (no published unit inside them)",
    }
    return report
