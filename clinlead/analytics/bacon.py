"""Goodman-Bacon (2021) decomposition of the two-way fixed-effects estimate.

With staggered starts the two-way FE estimate is a weighted average of every simple 2x2
difference-in-differences between two groups of organisations (grouped by start): pilots
against the never-treated comparators, earlier pilots against later ones before the later
start, and — the comparison that biases it when effects grow after the start — later pilots
against earlier ones that had already started. The decomposition shows how much weight that
last kind carries. Balanced panels only (every organisation observed in every period).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from clinlead.analytics.did_inference import FloatArray

EARLIER_VS_LATER = "earlier pilots against later pilots not yet started"
LATER_VS_EARLIER = "later pilots against earlier pilots already started"
VS_COMPARATORS = "pilots against comparators"


def decompose(
    *, values: FloatArray, starts: Mapping[int, int], never: Sequence[int]
) -> list[dict[str, Any]]:
    """The 2x2 comparisons with their weights (summing to 1) and estimates.

    ``values`` is units x periods (balanced); ``starts`` maps a pilot's row to the column of
    its start; ``never`` are comparator rows. Weights follow Goodman-Bacon (2021), Theorem 1.
    """
    n_units, n_periods = values.shape
    groups: dict[int, list[int]] = {}
    for unit, start in starts.items():
        groups.setdefault(start, []).append(unit)
    share = {s: len(units) / n_units for s, units in groups.items()}
    treated_share = {s: (n_periods - s) / n_periods for s in groups}
    n_never = len(never) / n_units

    def mean(units: Sequence[int], periods: range) -> float:
        return float(values[np.ix_(list(units), list(periods))].mean())

    def did(treated: Sequence[int], control: Sequence[int], before: range, after: range) -> float:
        return (mean(treated, after) - mean(treated, before)) - (
            mean(control, after) - mean(control, before)
        )

    rows: list[dict[str, Any]] = []
    for s, units in groups.items():
        if never:
            d = treated_share[s]
            pair = share[s] / (share[s] + n_never)
            weight = (share[s] + n_never) ** 2 * pair * (1 - pair) * d * (1 - d)
            estimate = did(units, never, range(s), range(s, n_periods))
            rows.append({"kind": VS_COMPARATORS, "treated_start": s, "control_start": None,
                         "raw_weight": weight, "estimate": estimate})  # fmt: skip
    ordered = sorted(groups)
    for i, early in enumerate(ordered):
        for late in ordered[i + 1 :]:
            dk, dl = treated_share[early], treated_share[late]
            nk, nl = share[early], share[late]
            pair = nk / (nk + nl)
            common = pair * (1 - pair)
            weight_k = (
                ((nk + nl) * (1 - dl)) ** 2 * common * (dk - dl) / (1 - dl) * (1 - dk) / (1 - dl)
            )
            weight_l = ((nk + nl) * dk) ** 2 * common * dl / dk * (dk - dl) / dk
            rows.append(
                {
                    "kind": EARLIER_VS_LATER,
                    "treated_start": early,
                    "control_start": late,
                    "raw_weight": weight_k,
                    "estimate": did(groups[early], groups[late], range(early), range(early, late)),
                }
            )
            rows.append({"kind": LATER_VS_EARLIER, "treated_start": late, "control_start": early,
                         "raw_weight": weight_l,
                         "estimate": did(groups[late], groups[early], range(early, late),
                                         range(late, n_periods))})  # fmt: skip
    total = sum(r["raw_weight"] for r in rows)
    for r in rows:
        r["weight"] = r.pop("raw_weight") / total if total > 0 else 0.0
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Weight and weighted average estimate of each kind of comparison."""
    out: dict[str, Any] = {}
    for kind in (VS_COMPARATORS, EARLIER_VS_LATER, LATER_VS_EARLIER):
        chosen = [r for r in rows if r["kind"] == kind]
        weight = sum(r["weight"] for r in chosen)
        if chosen:
            average = sum(r["weight"] * r["estimate"] for r in chosen) / weight if weight else None
            out[kind] = {"weight": weight, "estimate": average}
    return out
