"""Adjusting p-values when several outcomes are tested at once (Holm 1979).

With eight metrics each tested at 5%, the chance that at least one reads as a difference when
there is none is well over a third; Holm's step-down adjustment keeps that family-wise chance
at most 5% under any dependence between the metrics, and is never less powerful than
Bonferroni. Romano–Wolf's step-down (:func:`romano_wolf`) uses the randomisation
assignments shared by every metric, so it allows for how the metrics move together and gains
power when they are correlated; it needs every metric's statistic under the same assignments.
A pre-registered primary outcome is tested on its own; the adjustment is for the
family of secondary outcomes (or for every outcome when none was named beforehand).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def holm(p_values: Mapping[str, float | None]) -> dict[str, float | None]:
    """Holm-adjusted p-values, by the same keys; a missing p-value stays missing and is not
    counted in the family."""
    tested = sorted(
        ((p, key) for key, p in p_values.items() if p is not None), key=lambda pair: pair[0]
    )
    m = len(tested)
    adjusted: dict[str, float | None] = dict.fromkeys(p_values)
    running = 0.0
    for rank, (p, key) in enumerate(tested):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[key] = running
    return adjusted


# A relative tolerance so that a statistic equal to another up to rounding counts as extreme.
_TIE = 1e-9


def _pool_p_values(pool: FloatArray) -> FloatArray:
    """Each pool member's randomisation p-value per metric: the share of the pool whose
    statistic is at least as large (pool: assignments x metrics)."""
    n = pool.shape[0]
    ordered = np.sort(pool, axis=0)
    out = np.empty_like(pool)
    for j in range(pool.shape[1]):
        below = np.searchsorted(ordered[:, j], pool[:, j] * (1 - _TIE), side="left")
        out[:, j] = (n - below) / n
    return out


def romano_wolf(
    *, observed: Mapping[str, float | None], permuted: Mapping[str, Sequence[float | None]],
    exact: bool,
) -> dict[str, float | None]:  # fmt: skip
    """Step-down adjusted p-values from the same randomisation assignments for every metric
    (Romano & Wolf 2005; Westfall & Young's minP form, so metrics on different scales weigh
    alike).

    ``observed[k]`` is metric k's statistic (|estimate|) and ``permuted[k][b]`` its statistic
    under assignment b — the same b for every metric, so the dependence between metrics is kept
    (None: not estimable under that assignment, never extreme). ``exact``: the assignments are
    every possible one, the real one among them; otherwise random draws, and the real one is
    added to the pool (Phipson & Smyth 2010). Each metric's raw p is its share of the pool at
    least as extreme; for the metric with the r-th smallest p, the adjusted p is the share of
    the pool whose smallest p over the metrics not yet rejected is at most that p, made
    non-decreasing. It is never below the raw p and never above Holm's on the same raw p-values,
    and gains most when the metrics are correlated.
    """
    keys = [k for k, v in observed.items() if v is not None and k in permuted]
    adjusted: dict[str, float | None] = dict.fromkeys(observed)
    if not keys:
        return adjusted
    lengths = {len(permuted[k]) for k in keys}
    if len(lengths) != 1:
        raise ValueError("Romano-Wolf needs the same assignments for every metric")
    draws = np.array(
        [[-np.inf if s is None else abs(float(s)) for s in permuted[k]] for k in keys], dtype=float
    ).T.reshape(-1, len(keys))
    real = np.array([abs(float(observed[k] or 0.0)) for k in keys])[None, :]
    pool = draws if exact else np.vstack([real, draws])
    pool_p = _pool_p_values(pool)
    n = pool.shape[0]
    raw = np.array(
        [((pool[:, j] >= real[0, j] * (1 - _TIE)).sum()) / n for j in range(len(keys))]
    )
    order = np.argsort(raw, kind="stable")
    running = 0.0
    for rank, j in enumerate(order):
        remaining = order[rank:]
        smallest = pool_p[:, remaining].min(axis=1)
        share = float((smallest <= raw[j] * (1 + _TIE)).sum()) / n
        running = max(running, share)
        adjusted[keys[j]] = min(1.0, running)
    return adjusted


def randomisation_p(*, observed: float, permuted: Sequence[float | None], exact: bool) -> float:
    """The raw p-value :func:`romano_wolf` starts from, for one metric."""
    values = np.array([-np.inf if s is None else abs(float(s)) for s in permuted], dtype=float)
    extreme = int((values >= abs(observed) * (1 - _TIE)).sum())
    return extreme / len(values) if exact else (1 + extreme) / (1 + len(values))
