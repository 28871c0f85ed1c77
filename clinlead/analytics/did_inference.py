"""Intervals valid with few pilots: the randomisation test inverted into a confidence interval.

Under the sharp hypothesis "the programme changed every pilot-period by exactly delta", the
values the pilots would have had without it are known (value - delta for each treated
pilot-period), so the estimate can be recomputed for any other assignment of the pilots'
start dates to organisations. delta is kept in the interval when the real estimate minus
delta is not unusual among those (two-sided, 5 %). Every estimate here is linear in the
values, so each assignment contributes one pair ``(a, b)``: its estimate on the real values,
and on the real treatment indicator; its statistic at delta is ``a - delta*b``, and the real
assignment's is ``a0 - delta``. The interval's ends are where a statistic crosses the real
one, found exactly (roots of one quadratic per assignment) rather than on a grid.

Start dates are permuted as a set (every pilot start is given to some organisation), so
staggered designs keep their timing; valid when organisations' series are exchangeable
without the programme (MacKinnon & Webb 2020 for the test; Rosenbaum 2002 for inversion).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
# A relative tolerance lets the real assignment count itself despite rounding.
_TIE = 1e-9


@dataclass(frozen=True)
class InvertedInterval:
    low: float  # -inf: no lower limit at this level
    high: float  # +inf: no upper limit
    p_value: float  # at delta = 0
    assignments: int

    def verdict(self) -> str:
        """ "higher"/"lower" when the whole interval is on one side of zero, else "unclear"."""
        if self.low > 0:
            return "higher"
        if self.high < 0:
            return "lower"
        return "unclear"


def p_at(
    *, delta: FloatArray, a: FloatArray, b: FloatArray, observed: float, exact: bool
) -> FloatArray:
    """Randomisation p-value at each ``delta``: share of |a - delta b| >= |observed - delta|.

    ``a``/``b`` hold the other assignments (and the real one too when ``exact``, as every
    assignment is then enumerated; a random draw adds it, Phipson & Smyth 2010).
    """
    real = np.abs(observed - delta)[None, :]
    others = np.abs(a[:, None] - np.outer(b, delta))
    extreme = (others >= real * (1 - _TIE) - _TIE * 1e-6).sum(axis=0)
    p: FloatArray = extreme / len(a) if exact else (1 + extreme) / (1 + len(a))
    return p


def invert(
    *, a: FloatArray, b: FloatArray, observed: float, exact: bool, alpha: float = 0.05
) -> InvertedInterval:
    """The set of delta the randomisation test does not reject at ``alpha``, as an interval."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    # (a - delta b)^2 - (observed - delta)^2 = 0 is quadratic in delta; p only changes there.
    qa, qb, qc = b**2 - 1, -2 * (a * b - observed), a**2 - observed**2
    roots: list[float] = []
    for x2, x1, x0 in zip(qa, qb, qc, strict=True):
        if abs(x2) < 1e-12:
            if abs(x1) > 1e-15:
                roots.append(-x0 / x1)
            continue
        disc = x1 * x1 - 4 * x2 * x0
        if disc >= 0:
            root = math.sqrt(disc)
            roots += [(-x1 - root) / (2 * x2), (-x1 + root) / (2 * x2)]
    points = np.unique(np.array(roots + [observed]))
    spread = max(float(np.ptp(points)) if len(points) > 1 else 0.0, abs(observed), 1.0)
    gaps = (points[:-1] + points[1:]) / 2
    far = np.array([points.min() - 1e3 * spread, points.max() + 1e3 * spread])
    candidates = np.sort(np.concatenate([points, gaps, far]))
    p = p_at(delta=candidates, a=a, b=b, observed=observed, exact=exact)
    kept = candidates[p > alpha]
    p0 = float(p_at(delta=np.zeros(1), a=a, b=b, observed=observed, exact=exact)[0])
    used = len(a) if exact else len(a) + 1
    if not len(kept):  # cannot happen with the real assignment counted, but stay total
        return InvertedInterval(observed, observed, p0, used)
    low = -math.inf if kept[0] == candidates[0] else float(kept[0])
    high = math.inf if kept[-1] == candidates[-1] else float(kept[-1])
    return InvertedInterval(low, high, p0, used)
