"""The entries of the score report (analytics.leaderindex_report.cycle_report), built fast.

A cycle at NHS scale has over a hundred thousand leaders and units, each an entry with a dozen
item distributions: millions of small Python objects. Everything is turned into Python lists
once (numpy's tolist, in C), dictionaries are made only for the groups that are published, and
an item distribution is made once per distinct set of counts and shared by every entry that has
it. Treat a report as read-only: two entries' item dicts may be the same object.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import numpy as np
import orjson
import pandas as pd

from clinlead.analytics.instrument import Instrument
from clinlead.analytics.leaderindex import GroupFigures

OUTCOMES = ("burnout", "satisfaction")


def output_values(arr: np.ndarray, ndigits: int | None) -> list[float | None]:
    """Array -> list of floats rounded for output, None where not finite."""
    arr = np.asarray(arr, dtype=float)
    if ndigits is not None:
        arr = np.round(arr, ndigits)
    return _with_none(arr).ravel().tolist()


def _with_none(arr: np.ndarray) -> np.ndarray:
    """A float array as an object array of Python floats, None where not finite."""
    out = np.asarray(arr, dtype=float).astype(object)
    out[~np.isfinite(arr)] = None
    return out


def _distinct_rows(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows of a 2-d count array, which distinct row each row is), by hashing one
    number per row where the counts allow it (np.unique over rows sorts them all)."""
    width = counts.shape[1]
    base = int(counts.max(initial=0)) + 1
    if width == 0 or base ** width >= 2**62:
        distinct, which = np.unique(counts, axis=0, return_inverse=True)
        return distinct, np.asarray(which).ravel()
    key = counts[:, -1].astype(np.int64)
    for j in range(width - 2, -1, -1):
        key = key * base + counts[:, j]
    which, keys = pd.factorize(key)
    first = np.empty(len(keys), dtype=np.int64)
    first[which[::-1]] = np.arange(len(key) - 1, -1, -1)  # the last write wins: the first row
    return counts[first], which


def distributions(
    items: np.ndarray, item_ok: np.ndarray, groups: np.ndarray, instrument: Instrument
) -> dict[int, dict[str, Any]]:
    """group -> {item: {answer: count} or None where hidden}, for the given groups."""
    if len(groups) == 0:
        return {}
    points = [str(v) for v in instrument.scale_values]
    template = "{" + ",".join(f"{orjson.dumps(p).decode()}:%d" for p in points) + "}"
    counts = items[groups][:, :, 1:]  # column 0: skips, not published
    distinct, which = _distinct_rows(counts.reshape(-1, counts.shape[2]))
    # Each distinct distribution written as JSON from one template and parsed by orjson (in C).
    made = orjson.loads("[" + ",".join([template % tuple(r) for r in distinct.tolist()]) + "]")
    item_ids = instrument.item_ids
    shown = np.where(item_ok[groups], which.reshape(len(groups), -1), len(made))
    made.append(None)  # hidden: "not shown: fewer than k answered"
    if len(item_ids) < 2:  # itemgetter of one position gives the item, not a tuple
        return {g: dict(zip(item_ids, [made[r] for r in row], strict=True))
                for g, row in zip(groups.tolist(), shown.tolist(), strict=True)}
    return {
        g: dict(zip(item_ids, itemgetter(*row)(made), strict=True))
        for g, row in zip(groups.tolist(), shown.tolist(), strict=True)
    }


class Entries:
    """Report figures for the groups of one GroupFigures, picked by group number: `published(g)`
    for a published group, `hidden()` for any other."""

    def __init__(
        self,
        figs: GroupFigures,
        instrument: Instrument,
        ndigits: int | None,
        behaviour_ok: np.ndarray,
        shown: np.ndarray,
        item_ok: np.ndarray | None = None,
        outcome_ok: dict[str, np.ndarray] | None = None,
    ) -> None:
        """`shown`: the published groups (the only ones `published` is asked for)."""
        # A hidden group: its id, published false, and null figures (its n too).
        figures = ("n", "published", "index", "ci95", "behaviours", "items")
        self._hidden: dict[str, Any] = dict.fromkeys(
            figures + (OUTCOMES if outcome_ok is not None else ())
        )
        self._hidden["published"] = False
        self.n = figs.n_index.tolist()
        self.index = output_values(figs.index, ndigits)
        low, high = output_values(figs.ci_low, ndigits), output_values(figs.ci_high, ndigits)
        self.ci = [
            None if a is None or b is None else [a, b] for a, b in zip(low, high, strict=True)
        ]
        names = list(instrument.behaviours)
        width = len(names)
        if ndigits is None:
            scores = np.where(behaviour_ok, figs.behaviours, np.nan)[shown]
        else:
            scores = np.round(np.where(behaviour_ok, figs.behaviours, np.nan)[shown], ndigits)
        rows = _with_none(scores).reshape(len(shown), width).tolist()
        self.behaviour = dict(
            zip(shown.tolist(), [dict(zip(names, r, strict=True)) for r in rows], strict=True)
        )
        self.items: dict[int, dict[str, Any]] | None = None
        if item_ok is not None and figs.items is not None:
            self.items = distributions(figs.items, item_ok, shown, instrument)
        self.outcomes: dict[str, list[dict[str, Any] | None]] | None = None
        if outcome_ok is not None:
            self.outcomes = {}
            for name in OUTCOMES:
                answered = figs.outcome_n[name]
                with np.errstate(invalid="ignore", divide="ignore"):
                    share = output_values(figs.outcome_yes[name] / answered, ndigits)
                self.outcomes[name] = [
                    {"n": a, "rate": r} if ok else None
                    for a, r, ok in zip(
                        answered.tolist(), share, outcome_ok[name].tolist(), strict=True
                    )
                ]

    def published(self, g: int, entry: dict[str, Any]) -> dict[str, Any]:
        """`entry` (its leading keys set) with group g's figures added."""
        entry["n"] = self.n[g]
        entry["published"] = True
        entry["index"] = self.index[g]
        entry["ci95"] = self.ci[g]
        entry["behaviours"] = self.behaviour[g]
        entry["items"] = None if self.items is None else self.items[g]
        if self.outcomes is not None:
            for name, figures in self.outcomes.items():
                entry[name] = figures[g]
        return entry

    def hidden(self, entry: dict[str, Any]) -> dict[str, Any]:
        """`entry` with the null figures of a group that is not published."""
        entry.update(self._hidden)
        return entry

    def many(
        self,
        groups: Sequence[int],
        leading: Sequence[tuple[str, Sequence[Any]]],
        trailing: Sequence[tuple[str, Sequence[Any]]] = (),
    ) -> list[dict[str, Any]]:
        """One entry per group of `groups` (-1: not published), as `published` / `hidden` make
        them after the `leading` keys and before the `trailing` ones (name, value per entry),
        built a column at a time: no Python call per entry, which at 100,000 entries counts."""
        hidden = len(self.n)  # the position of the null figures in each column below
        at = [g if g >= 0 else hidden for g in groups]
        columns: list[tuple[str, list[Any]]] = [
            ("n", self.n),
            ("published", [True] * hidden),
            ("index", self.index),
            ("ci95", self.ci),
        ]
        keyed: list[tuple[str, dict[int, Any] | None]] = [
            ("behaviours", self.behaviour),
            ("items", self.items),
        ]
        values: list[list[Any]] = []
        for name, column in columns:
            column = column + [self._hidden[name]]
            values.append([column[i] for i in at])
        for _, by_group in keyed:  # published groups only; None for the others
            values.append([None] * len(at) if by_group is None else list(map(by_group.get, at)))
        names = [name for name, _ in columns] + [name for name, _ in keyed]
        for name, figures in (self.outcomes or {}).items():
            column = figures + [None]
            values.append([column[i] for i in at])
            names.append(name)
        keys = [name for name, _ in leading] + names + [name for name, _ in trailing]
        rows = zip(*[v for _, v in leading], *values, *[v for _, v in trailing], strict=True)
        return [dict(zip(keys, row, strict=True)) for row in rows]
