"""How far parallel trends may be broken before a conclusion changes (HonestDiD-style bounds).

Rambachan & Roth (2023), "relative magnitudes": after the start, the difference in trends
between pilots and comparators may change from one period to the next by at most M̄ times the
largest such change seen before the start. With the event study's period -1 as the reference
(0), the gap that could open up by post-period k is then at most (k+1)·M̄·D, where D is the
largest change between neighbouring pre-period coefficients. The average over the post
periods 0..K of that worst case is M̄·D·(K+2)/2, and the estimate's interval widened by it on
each side is the robust interval for M̄. The **breakdown M̄** is the smallest M̄ at which the
robust interval reaches no difference: the conclusion holds unless trends after the start
differ by more than M̄ times the largest difference seen before.

Simplification, said so on the page: D is taken as measured (the plug-in bound), not with
Rambachan & Roth's conditional confidence sets, which also allow for D itself being estimated
with noise; with few pilots the event study's pre-period coefficients are noisy, which makes
D larger and the breakdown M̄ smaller (cautious), not larger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

# The M̄ values the page lists bounds for.
M_SHOWN = (0.5, 1.0, 1.5, 2.0)


@dataclass(frozen=True)
class Sensitivity:
    max_pre_change: float | None  # D
    bias_per_m: float | None  # the worst-case bias of the post-period average for M̄ = 1
    n_post_periods: int
    breakdown_m: float | None  # None: nothing to break (the interval already spans 0)
    conclusion: str  # "better"/"worse" direction of the sign: "higher", "lower" or "none"
    bounds: list[dict[str, Any]]  # m, ci95 (robust interval)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def max_pre_change(*, pre: Sequence[tuple[int, float]]) -> float | None:
    """D: the largest change between neighbouring pre-period coefficients (period -1 is 0)."""
    path = dict(pre) | {-1: 0.0}
    periods = sorted(k for k in path if k < 0)
    changes = [
        abs(path[b] - path[a]) for a, b in zip(periods, periods[1:], strict=False) if b == a + 1
    ]
    return max(changes) if changes else None


def relative_magnitudes(
    *,
    event_study: Sequence[tuple[int, float]],
    ci95: tuple[float, float],
    m_shown: Sequence[float] = M_SHOWN,
) -> Sensitivity:
    """Bounds for the average post-start effect when parallel trends fail by up to M̄·D a period.

    ``event_study`` holds (relative period, estimate) pairs with -1 the reference; ``ci95`` is
    the interval of the estimate being tested (the average effect after the start).
    """
    low, high = ci95
    conclusion = "higher" if low > 0 else "lower" if high < 0 else "none"
    n_post = sum(1 for k, _ in event_study if k >= 0)
    d = max_pre_change(pre=[(k, b) for k, b in event_study if k < 0])
    if d is None or n_post == 0:
        reason = ("the event study has fewer than two periods before the start" if d is None
                  else "the event study has no period after the start")  # fmt: skip
        return Sensitivity(d, None, n_post, None, conclusion, [], reason)
    bias = d * (n_post + 1) / 2  # mean of (k + 1) over k = 0 .. n_post - 1
    bounds = [{"m": m, "ci95": [low - m * bias, high + m * bias]} for m in m_shown]
    breakdown: float | None = None
    if conclusion != "none":
        nearest = low if conclusion == "higher" else -high
        breakdown = nearest / bias if bias > 0 else float("inf")
    return Sensitivity(d, bias, n_post, breakdown, conclusion, bounds)


def in_words(*, sensitivity: Sensitivity) -> str:
    """The breakdown M̄ as a board would read it."""
    s = sensitivity
    if s.reason:
        return f"No sensitivity bound: {s.reason}."
    if s.conclusion == "none":
        return (
            "There is no clear difference to test: the interval already includes no difference, "
            "so any difference in trends after the start leaves the conclusion as it is."
        )
    if s.breakdown_m is None or s.breakdown_m == float("inf"):
        return (
            "Before the start the pilots and comparators moved exactly together, so this check "
            "cannot say how large a difference in trends would overturn the conclusion."
        )
    m = s.breakdown_m
    strength = (
        "fragile: a difference in trends smaller than any seen before the start would overturn it"
        if m < 1
        else "reasonably robust" if m < 2 else "robust"
    )
    return (
        f"The conclusion holds unless the trends of pilots and comparators after the start "
        f"differ by more than {m:.2g} times the largest difference between them seen from one "
        f"period to the next before the start ({strength})."
    )
