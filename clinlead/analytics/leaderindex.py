"""Scoring the leader index: per response, per group (leader or unit), with intervals.

Rules, all taken from the Instrument so another instrument (say 9 items, 9-45) needs no code:
- response index = sum of the n items when all are answered; mean of the answered items x n
  when at most `instrument.max_missing` are missing; otherwise no index (None / NaN);
- group index = mean over the group's responses that have an index, with a 95 % t-interval
  (none for a single response);
- behaviour score = mean item score (scale units, 1-5) over the answered items of that
  behaviour, pooled over the group's responses;
- item distribution = count per scale point and missing.

Arrays: `items` is int8 (rows x items) with 0 meaning missing, as in ResponseTable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from clinlead.analytics.disclosure import ancestor_matrix
from clinlead.analytics.instrument import Instrument
from clinlead.analytics.lazy_stats import stats


def response_index(*, answers: Sequence[int | None], instrument: Instrument) -> float | None:
    """The index of one response; answers in item order, None (or 0) = missing."""
    if len(answers) != instrument.n_items:
        raise ValueError(f"expected {instrument.n_items} answers, got {len(answers)}")
    given = [a for a in answers if a]
    if len(given) < instrument.min_answered:
        return None
    if len(given) == instrument.n_items:
        return float(sum(given))
    return sum(given) / len(given) * instrument.n_items


def response_indices(*, items: np.ndarray, instrument: Instrument) -> np.ndarray:
    """Vectorised response_index: float64 per row, NaN where a response has no index."""
    items = np.asarray(items)
    answered = (items > 0).sum(axis=1)
    total = items.sum(axis=1, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(
            answered == instrument.n_items,
            total.astype(float),
            total / answered * instrument.n_items,
        )
    index[answered < instrument.min_answered] = np.nan
    out: np.ndarray = index
    return out


def t_interval(
    *, mean: float, sd: float, n: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """(low, high) of the t-interval for a mean, or None when n < 2."""
    if n < 2:
        return None
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)
    return (float(mean - half), float(mean + half))


def mean_with_interval(
    *, values: Iterable[float | None], confidence: float = 0.95
) -> tuple[float | None, tuple[float, float] | None]:
    """Mean of the values that are not None/NaN, and its t-interval (None when fewer than 2)."""
    vals = np.array([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    if len(vals) == 0:
        return None, None
    mean = float(vals.mean())
    sd = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
    return mean, t_interval(mean=mean, sd=sd, n=len(vals), confidence=confidence)


def percentile_rank(*, value: float, population: Iterable[float]) -> float | None:
    """Percent of the population below value, ties counting half (mid-rank percentile).

    Pass only published leaders' indices: a percentile is a published figure too.
    """
    pop = np.array([p for p in population if p is not None and not np.isnan(p)], dtype=float)
    if len(pop) == 0 or value is None:
        return None
    below = (pop < value).sum()
    ties = (pop == value).sum()
    return float(100.0 * (below + 0.5 * ties) / len(pop))


def natural_key(text: str) -> list[tuple[int, int, str]]:  # positional: it is a sort key
    """Sort key putting "2" before "10" in cycle names."""
    # ASCII digits only: str.isdigit() and \d also take other scripts' digits, which int() refuses.
    return [(0, int(t), "") if t.isascii() and t.isdigit() else (1, 0, t)
            for t in re.split(r"([0-9]+)", text) if t]


def leader_trends(*, leaders: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """leader_id -> that leader's published figures per cycle, oldest first.

    `leaders` are entries as in the score report (leader_id, cycle, published, n, index, ci95).
    Cycles where the leader was not published are left out, not shown as gaps with counts.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for e in leaders:
        if e.get("published"):
            out.setdefault(e["leader_id"], []).append(
                {"cycle": e["cycle"], "n": e["n"], "index": e["index"], "ci95": e["ci95"]}
            )
    for series in out.values():
        series.sort(key=lambda e: natural_key(str(e["cycle"])))
    return out


@dataclass
class GroupFigures:
    """Figures for n_groups groups, as arrays indexed by group code.

    n: responses; n_index: responses with an index; index: mean (NaN if none); ci_low/high
    (NaN if n_index < 2); behaviours: (groups x behaviours) mean item score; items:
    (groups x items x (scale points + 1)) counts, column 0 = missing (None if not asked for);
    outcome_n / outcome_yes: per wellbeing outcome name, answered and positive counts.
    """

    n: np.ndarray
    n_index: np.ndarray
    index: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    behaviours: np.ndarray
    items: np.ndarray | None
    outcome_n: dict[str, np.ndarray]
    outcome_yes: dict[str, np.ndarray]


@dataclass
class GroupSums:
    """Additive per-group totals (plus within-group squared deviations of the index), from
    which GroupFigures follow; sums of nested groups roll up the unit tree."""

    n: np.ndarray
    n_index: np.ndarray
    index_sum: np.ndarray
    index_ss: np.ndarray  # sum of squared deviations from the group's own mean
    behaviour_sum: np.ndarray  # groups x behaviours
    behaviour_n: np.ndarray
    items: np.ndarray | None
    outcome_n: dict[str, np.ndarray]
    outcome_yes: dict[str, np.ndarray]


def group_sums(
    *,
    rows: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    items: np.ndarray,
    index: np.ndarray,
    instrument: Instrument,
    outcomes: Mapping[str, np.ndarray] | None = None,
    with_items: bool = True,
) -> GroupSums:
    """Totals per group from membership pairs: response rows[i] belongs to group groups[i]."""
    rows = np.asarray(rows)
    groups = np.asarray(groups)

    def count(mask: np.ndarray | None = None, weights: np.ndarray | None = None) -> np.ndarray:
        g = groups if mask is None else groups[mask]
        w = None if weights is None else (weights if mask is None else weights[mask])
        return np.bincount(g, weights=w, minlength=n_groups)

    x = index[rows]
    has = ~np.isnan(x)
    n_index = count(has).astype(np.int64)
    index_sum = count(has, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = index_sum / n_index
    # Two passes (deviations from each group's own mean) keep the variance accurate.
    index_ss = count(has, (x - mean[groups]) ** 2)
    sub = items[rows]
    b_sum, b_n = [], []
    dist = None
    if with_items:
        # Counts per (group, item, answer), answer 0 = missing; the behaviour totals then follow
        # per group rather than per response.
        points = instrument.scale_max - instrument.scale_min + 2
        shifted = np.where(sub > 0, sub - np.int8(instrument.scale_min - 1), np.int8(0))
        at = groups * points
        dist = np.stack(
            [
                np.bincount(at + shifted[:, j], minlength=n_groups * points).reshape(
                    n_groups, points
                )
                for j in range(instrument.n_items)
            ],
            axis=1,
        )
        point_values = np.arange(points, dtype=np.int64) + (instrument.scale_min - 1)
        point_values[0] = 0
        item_sum = (dist * point_values).sum(axis=2)  # groups x items: whole numbers, exact
        item_n = dist[:, :, 1:].sum(axis=2)
        for positions in instrument.behaviours.values():
            pos = list(positions)
            b_sum.append(item_sum[:, pos].sum(axis=1).astype(float))
            b_n.append(item_n[:, pos].sum(axis=1).astype(float))
    else:
        answered = sub > 0
        for positions in instrument.behaviours.values():
            pos = list(positions)
            b_sum.append(count(weights=sub[:, pos].sum(axis=1, dtype=np.int64).astype(float)))
            b_n.append(count(weights=answered[:, pos].sum(axis=1).astype(float)))
    outcome_n, outcome_yes = {}, {}
    for name, values in (outcomes or {}).items():
        v = values[rows]
        outcome_n[name] = count(v >= 0).astype(np.int64)
        outcome_yes[name] = count(v == 1).astype(np.int64)
    width = len(b_sum)
    return GroupSums(
        n=count().astype(np.int64),
        n_index=n_index,
        index_sum=index_sum,
        index_ss=index_ss,
        behaviour_sum=np.column_stack(b_sum) if width else np.zeros((n_groups, 0)),
        behaviour_n=np.column_stack(b_n) if width else np.zeros((n_groups, 0)),
        items=dist,
        outcome_n=outcome_n,
        outcome_yes=outcome_yes,
    )


def gather(*, sums: GroupSums, target: np.ndarray, n_targets: int) -> GroupSums:
    """Totals of groups combined into targets (group g into target[g]; -1: into none), without
    going back to the responses. Squared deviations combine as in roll_up; items are dropped."""
    keep = target >= 0
    to = target[keep]

    def add(arr: np.ndarray) -> np.ndarray:
        out = np.zeros((n_targets,) + arr.shape[1:], dtype=arr.dtype)
        np.add.at(out, to, arr[keep])
        return out

    n_index = add(sums.n_index)
    index_sum = add(sums.index_sum)
    with np.errstate(invalid="ignore", divide="ignore"):
        own_mean = sums.index_sum / sums.n_index
        mean = index_sum / n_index
    has = keep & (sums.n_index > 0)
    index_ss = np.zeros(n_targets)
    np.add.at(index_ss, target[has],
              sums.index_ss[has] + sums.n_index[has] * (own_mean[has] - mean[target[has]]) ** 2)
    return GroupSums(
        n=add(sums.n), n_index=n_index, index_sum=index_sum, index_ss=index_ss,
        behaviour_sum=add(sums.behaviour_sum), behaviour_n=add(sums.behaviour_n), items=None,
        outcome_n={k: add(v) for k, v in sums.outcome_n.items()},
        outcome_yes={k: add(v) for k, v in sums.outcome_yes.items()},
    )


def roll_up(*, sums: GroupSums, parent: np.ndarray, depth: np.ndarray) -> GroupSums:
    """Totals of each node's whole subtree, from totals of each node's own responses.

    Squared deviations combine exactly: SS = sum over parts of SS_part + n_part (mean_part -
    mean)^2, taken level by level from the deepest.
    """
    own_n = sums.n_index.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        own_mean = sums.index_sum / own_n
    out = GroupSums(
        n=sums.n.copy(),
        n_index=sums.n_index.copy(),
        index_sum=sums.index_sum.copy(),
        index_ss=np.zeros(len(parent)),
        behaviour_sum=sums.behaviour_sum.copy(),
        behaviour_n=sums.behaviour_n.copy(),
        items=None if sums.items is None else sums.items.copy(),
        outcome_n={k: v.copy() for k, v in sums.outcome_n.items()},
        outcome_yes={k: v.copy() for k, v in sums.outcome_yes.items()},
    )
    levels = [np.flatnonzero(depth == d) for d in range(int(depth.max(initial=-1)) + 1)]
    for nodes in reversed(levels[1:]):  # totals first, deepest level first
        up = parent[nodes]
        for arr in (out.n, out.n_index, out.index_sum, out.behaviour_sum, out.behaviour_n):
            np.add.at(arr, up, arr[nodes])
        if out.items is not None:
            np.add.at(out.items, up, out.items[nodes])
        for d in (out.outcome_n, out.outcome_yes):
            for arr in d.values():
                np.add.at(arr, up, arr[nodes])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = out.index_sum / out.n_index
    own = sums.n_index > 0
    out.index_ss[own] = sums.index_ss[own] + own_n[own] * (own_mean[own] - mean[own]) ** 2
    for nodes in reversed(levels[1:]):
        up = parent[nodes]
        has = out.n_index[nodes] > 0
        nodes, up = nodes[has], up[has]
        part = out.index_ss[nodes] + out.n_index[nodes] * (mean[nodes] - mean[up]) ** 2
        np.add.at(out.index_ss, up, part)
    return out


def figures(*, sums: GroupSums, confidence: float = 0.95) -> GroupFigures:
    n_index = sums.n_index
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums.index_sum / n_index
        sd = np.sqrt(sums.index_ss / (n_index - 1))
        half = stats.t.ppf(0.5 + confidence / 2, n_index - 1) * sd / np.sqrt(n_index)
        behaviours = sums.behaviour_sum / sums.behaviour_n
    half[n_index < 2] = np.nan
    return GroupFigures(
        n=sums.n,
        n_index=n_index,
        index=mean,
        ci_low=mean - half,
        ci_high=mean + half,
        behaviours=behaviours,
        items=sums.items,
        outcome_n=sums.outcome_n,
        outcome_yes=sums.outcome_yes,
    )


def aggregate(
    *,
    rows: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    items: np.ndarray,
    index: np.ndarray,
    instrument: Instrument,
    outcomes: Mapping[str, np.ndarray] | None = None,
    with_items: bool = True,
    confidence: float = 0.95,
) -> GroupFigures:
    """Figures per group from membership pairs: response rows[i] belongs to group groups[i].

    outcomes: name -> per-response int8 (1 yes, 0 no, -1 not answered).
    """
    sums = group_sums(
        rows=rows,
        groups=groups,
        n_groups=n_groups,
        items=items,
        index=index,
        instrument=instrument,
        outcomes=outcomes,
        with_items=with_items,
    )
    return figures(sums=sums, confidence=confidence)


def outcome_flags(*, answers: np.ndarray, cutoff: int) -> np.ndarray:
    """Per response: 1 when answer >= cutoff, 0 when below, -1 when not answered (0)."""
    answers = np.asarray(answers)
    return np.where(answers > 0, (answers >= cutoff).astype(np.int8), -1).astype(np.int8)


@dataclass
class UnitTree:
    """Every unit path and all its prefixes. Node 0.. are sorted by path.

    paths[i], parent[i] (-1 at a root), depth[i] (0 at a root); node_of[u] = node of the
    table's unit code u; ancestors[u] = (levels,) array of nodes from the root down, -1 padded.
    """

    paths: list[str]
    parent: np.ndarray
    depth: np.ndarray
    node_of: np.ndarray
    ancestors: np.ndarray


def build_unit_tree(*, unit_paths: Sequence[str]) -> UnitTree:
    """The tree of units named by unit_paths (each `A/B/C` also makes `A` and `A/B`)."""
    prefixes = set()
    for p in unit_paths:
        while p and p not in prefixes:
            prefixes.add(p)
            p = p.rpartition("/")[0]
    paths = sorted(prefixes)
    at = {p: i for i, p in enumerate(paths)}
    parent = np.array([at[p.rpartition("/")[0]] if "/" in p else -1 for p in paths], dtype=np.int64)
    depth = np.array([p.count("/") for p in paths], dtype=np.int64)
    node_of = np.array([at[p] for p in unit_paths], dtype=np.int64)
    ancestors = ancestor_matrix(parent=parent, depth=depth)[node_of]
    return UnitTree(paths=paths, parent=parent, depth=depth, node_of=node_of, ancestors=ancestors)
