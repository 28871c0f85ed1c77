"""The disclosure rule for survey statistics: which respondents each published figure includes.

The property (docs/anonymity.md): take all figures of one statistic that the product shows for a
cycle. Respondents covered by exactly the same set of those figures form a *part*; every part
holds 0 or at least k people who contribute to that statistic.

How this module meets it, leader first:

- the finest cells are (unit, leader) pairs: the respondents in one unit who rated one leader;
- every leader with at least k contributors is a *block* of its own, all of its cells, wherever
  they sit, homed at the lowest unit holding all of them (no unit when they span two roots);
- the cells of the other leaders are pooled upwards through the unit tree, deepest level first,
  and form a block at the first unit where the pool reaches k contributors;
- what is left at a root below k is *withheld*: it is in no figure at all (merging it into a
  pooled block would need that block re-homed at the root, taking it out of its own unit and
  the units between, which costs more coverage than the at most k-1 answers it would add);
- a leader's figure is its block; a unit's figure is the union of the blocks homed in it or
  below it.

Every figure is then a union of whole blocks, so every part is a union of whole blocks, and a
block holds at least k contributors: no part holds 1..k-1. For a statistic other than the one
the blocks were formed on (an item, a behaviour, a wellbeing rate) the same blocks are used, and
a figure of that statistic is shown only where every block in it has at least k contributors of
its own (`eligible_unions`).

Pure numpy; no Django. Units are a forest given as `parent` (-1 at a root) and `depth` arrays;
leaders are codes 0..n_leaders-1.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

DEFAULT_K = 5
MIN_K = 3
MAX_K = 50
WITHHELD = -1


def validate_k(*, k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not MIN_K <= k <= MAX_K:
        raise ValueError(f"the anonymity threshold must be an integer {MIN_K}-{MAX_K}, got {k!r}")
    return k


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects that all stay
    alive (it would otherwise rescan them again and again); restore it afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class Blocks:
    """The blocks of one cycle.

    cell_block[c]: the block of cell c, or WITHHELD (in no figure).
    block_home[b]: the unit node the block is homed at (-1: in no unit's figure).
    block_leader[b]: the leader whose block it is, or -1 for a pooled block.
    leader_block[l]: the block of leader l, or -1 when l has fewer than k contributors.
    block_contributors[b]: contributors (of the statistic the blocks were formed on).
    """

    cell_block: np.ndarray
    block_home: np.ndarray
    block_leader: np.ndarray
    leader_block: np.ndarray
    block_contributors: np.ndarray

    @property
    def n_blocks(self) -> int:
        return len(self.block_home)


def ancestor_matrix(*, parent: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """(nodes x levels): row v holds v's ancestors from its root (column 0) down to v, -1 padded."""
    parent = np.asarray(parent, dtype=np.int64)
    depth = np.asarray(depth, dtype=np.int64)
    levels = int(depth.max()) + 1 if len(depth) else 0
    out = np.full((len(parent), levels), -1, dtype=np.int64)
    rows = np.arange(len(parent))
    current = rows.copy()
    while len(rows):
        out[rows, depth[current]] = current
        up = parent[current]
        keep = up >= 0
        rows, current = rows[keep], up[keep]
    return out


def _leader_homes(
    cell_unit: np.ndarray, cell_leader: np.ndarray, leaders: np.ndarray, anc: np.ndarray
) -> np.ndarray:
    """For each leader in `leaders`, the lowest unit holding all its cells (-1: none)."""
    homes = np.full(len(leaders), -1, dtype=np.int64)
    if len(leaders) == 0 or anc.shape[1] == 0:
        return homes
    wanted = np.zeros(int(cell_leader.max(initial=-1)) + 1, dtype=bool)
    wanted[leaders] = True
    cells = np.flatnonzero(wanted[cell_leader])
    cells = cells[np.argsort(cell_leader[cells], kind="stable")]
    owner = cell_leader[cells]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    path = anc[cell_unit[cells]]  # cells x levels
    # A level is shared when every cell of the leader has the same (existing) unit there; shared
    # levels run from the root down without a gap, so their number is the home's depth + 1.
    same = (
        np.minimum.reduceat(path, starts, axis=0) == np.maximum.reduceat(path, starts, axis=0)
    ) & (np.minimum.reduceat(path, starts, axis=0) >= 0)
    shared = np.cumprod(same, axis=1).sum(axis=1)
    first = path[starts]
    found = shared > 0
    homes_sorted = np.full(len(starts), -1, dtype=np.int64)
    homes_sorted[found] = first[found, shared[found] - 1]
    # leaders come out sorted by code; map back to the order asked for
    order = np.argsort(leaders, kind="stable")
    homes[order] = homes_sorted
    return homes


def form_blocks(
    *,
    cell_unit: np.ndarray,
    cell_leader: np.ndarray,
    cell_contributors: np.ndarray,
    n_leaders: int,
    parent: np.ndarray,
    depth: np.ndarray,
    k: int,
) -> Blocks:
    """The blocks for cells given as unit node, leader code and contributors per cell.

    Every cell must hold at least one respondent (a cell with no contributors still belongs to a
    block: its respondents sit in that block's figures and contribute nothing to them).
    """
    validate_k(k=k)
    cell_unit = np.asarray(cell_unit, dtype=np.int64)
    cell_leader = np.asarray(cell_leader, dtype=np.int64)
    contributors = np.asarray(cell_contributors, dtype=np.int64)
    parent = np.asarray(parent, dtype=np.int64)
    depth = np.asarray(depth, dtype=np.int64)
    if len(cell_unit) and (contributors.min() < 0):
        raise ValueError("a cell has a negative number of contributors")
    n_nodes = len(parent)
    anc = ancestor_matrix(parent=parent, depth=depth)

    per_leader = np.bincount(cell_leader, weights=contributors, minlength=n_leaders).astype(
        np.int64
    )
    has_cells = np.bincount(cell_leader, minlength=n_leaders) > 0
    own_block = (per_leader >= k) & has_cells
    block_leaders = np.flatnonzero(own_block)
    leader_block = np.full(n_leaders, -1, dtype=np.int64)
    leader_block[block_leaders] = np.arange(len(block_leaders))
    leader_homes = _leader_homes(cell_unit, cell_leader, block_leaders, anc)

    # Pool the other leaders' cells upwards, deepest level first; a pool of k or more stops.
    small = ~own_block[cell_leader]
    pool = np.bincount(cell_unit[small], weights=contributors[small], minlength=n_nodes).astype(
        np.int64
    )
    formed = np.zeros(n_nodes, dtype=bool)
    for d in range(int(depth.max(initial=-1)), -1, -1):
        nodes = np.flatnonzero(depth == d)
        formed[nodes] = pool[nodes] >= k
        up = nodes[~formed[nodes] & (parent[nodes] >= 0)]
        np.add.at(pool, parent[up], pool[up])
    # Each node's cells go to the nearest node at or above it where a pool formed.
    pooled_at = np.full(n_nodes, -1, dtype=np.int64)
    for d in range(int(depth.max(initial=-1)) + 1):
        nodes = np.flatnonzero(depth == d)
        above = np.where(parent[nodes] >= 0, pooled_at[np.maximum(parent[nodes], 0)], -1)
        pooled_at[nodes] = np.where(formed[nodes], nodes, above)
    pool_nodes = np.flatnonzero(formed)
    pool_block = np.full(n_nodes, -1, dtype=np.int64)
    pool_block[pool_nodes] = len(block_leaders) + np.arange(len(pool_nodes))

    cell_block = np.where(small, -1, leader_block[cell_leader])
    target = pooled_at[cell_unit[small]]
    cell_block[small] = np.where(target >= 0, pool_block[np.maximum(target, 0)], WITHHELD)
    n_blocks = len(block_leaders) + len(pool_nodes)
    in_block = cell_block >= 0
    return Blocks(
        cell_block=cell_block,
        block_home=np.r_[leader_homes, pool_nodes].astype(np.int64),
        block_leader=np.r_[block_leaders, np.full(len(pool_nodes), -1)].astype(np.int64),
        leader_block=leader_block,
        block_contributors=np.bincount(
            cell_block[in_block], weights=contributors[in_block], minlength=n_blocks
        ).astype(np.int64),
    )


def subtree_totals(*, values: np.ndarray, parent: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Per node, the total of `values` (per node, along axis 0) over the node's whole subtree."""
    out = np.array(values, copy=True)
    for d in range(int(np.max(depth, initial=-1)), 0, -1):
        nodes = np.flatnonzero(depth == d)
        np.add.at(out, parent[nodes], out[nodes])
    return out


def eligible_unions(
    *,
    blocks: Blocks,
    block_contributors: np.ndarray,
    parent: np.ndarray,
    depth: np.ndarray,
    k: int,
    none_ok: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """For one statistic with `block_contributors` (per block, or blocks x statistics): whether
    each block's figure of it may be shown, and whether each unit's may (every block homed in
    the unit's subtree has k contributors of its own, and there is at least one such block).
    With `none_ok`, a block with no contributor at all does not stop a unit's figure (it adds
    nothing to it); a block's own figure still needs k."""
    validate_k(k=k)
    contributors = np.asarray(block_contributors)
    block_ok = contributors >= k
    unit_ok = block_ok | (contributors == 0) if none_ok else block_ok
    n_nodes = len(parent)
    homed = blocks.block_home >= 0
    shape = (n_nodes,) + contributors.shape[1:]
    bad = np.zeros(shape, dtype=np.int64)
    count = np.zeros(n_nodes, dtype=np.int64)
    np.add.at(bad, blocks.block_home[homed], (~unit_ok[homed]).astype(np.int64))
    np.add.at(count, blocks.block_home[homed], 1)
    bad = subtree_totals(values=bad, parent=parent, depth=depth)
    count = subtree_totals(values=count, parent=parent, depth=depth)
    has = (count > 0).reshape((n_nodes,) + (1,) * (contributors.ndim - 1))
    return block_ok, (bad == 0) & has


def counted_answers(
    *,
    items: np.ndarray,
    rows: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    k: int,
    scale_mid: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Which answers count in the published figures, and the cycle's item means.

    items: (responses x items) answers, 0 = missing. Response rows[i] is an index contributor in
    block groups[i]; nobody else takes part in any figure.

    An item counts in a block only where at least k of the block's contributors answered it;
    elsewhere it counts for nobody in that block, as if everyone there had skipped it (so a
    question that 1..k-1 people answered enters no figure at all). Returns the answers that
    count (same shape as `items`, 0 elsewhere and outside `rows`) and, per item, the mean of its
    counted answers over every block (`scale_mid` where none count): the value a skipped or
    uncounted question is given in a published index, the same for everyone in the cycle.
    """
    validate_k(k=k)
    sub = np.asarray(items)[rows]
    n_items = sub.shape[1] if sub.ndim == 2 else 0
    answered = sub > 0
    per_block = np.column_stack(
        [np.bincount(groups, weights=answered[:, j], minlength=n_groups) for j in range(n_items)]
    ) if n_items else np.zeros((n_groups, 0))
    keep = (per_block >= k)[groups] & answered
    counted = np.zeros_like(np.asarray(items))
    counted[rows] = np.where(keep, sub, 0)
    n_counted = keep.sum(axis=0)
    totals = np.where(keep, sub, 0).sum(axis=0, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n_counted > 0, totals / np.maximum(n_counted, 1), scale_mid)
    return counted, means.astype(float)


def published_indices(*, items: np.ndarray, item_means: np.ndarray) -> np.ndarray:
    """Per response, the value its index adds to published figures: the sum of its counted
    answers, with every other question at the cycle's item mean. A group's published index (the
    mean of these) is then a sum of its questions' published totals and counts plus constants:
    it adds nothing to the question figures and reveals no one's own imputed total."""
    items = np.asarray(items)
    # Counted answers plus the means of the others, without a (responses x items) float copy.
    total: np.ndarray = items.sum(axis=1, dtype=np.int64).astype(np.float64)
    for j, mean in enumerate(np.asarray(item_means, dtype=np.float64).tolist()):
        total += np.where(items[:, j] <= 0, mean, 0.0)
    return total
