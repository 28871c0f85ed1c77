"""The verdict rule: "higher"/"lower" only when the difference is clear AND the pilots were not
already moving apart from the comparators before they started.

The randomisation interval alone is exact only when the pilots' series would have been
exchangeable with the comparators' without the programme. When pilots are chosen because they
were already improving they are not, and the interval alone said "better" in 62 % of placebo
panels. So the verdict also needs the pre-start trend test to pass: the pilots' extra trend per
period before their start (fitted on untreated figures with organisation and period effects)
is not unusual among the same randomisation assignments (p >= :data:`SLOPE_ALPHA`). Otherwise
the verdict is "unclear" and the reason says the pilots were already changing.

Chosen by measurement (benchmarks/verdict_rules.py, docs/evaluation.md) over two others:
requiring the honest breakdown M̄ >= 1 (:func:`breakdown_verdict`) also removed the false
verdicts but took the power at a realistic effect from 100 % to near 0 (the relative-magnitude
bound grows with every period after the start); organisation-specific trends over-corrected
(pilots picked on a noisy rise have an extrapolated trend steeper than their true one) and gave
false "worse" verdicts instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

SLOPE_ALPHA = 0.05
ROBUST_M = 1.0
CLEAR = "the interval excludes no difference and the pilots were not already moving apart"
NOT_CLEAR = "the interval includes no difference"
NOT_CHECKED = "the interval excludes no difference; the trend before the start could not be tested"
ALREADY_CHANGING = "unclear: the pilots were already changing before they started"


def robust_verdict(*, verdict: str, slope_p: float | None) -> dict[str, Any]:
    """``verdict`` (the interval's: higher/lower/unclear) kept unless the pre-start trend test
    rejects. Returns ``verdict``, ``interval_verdict``, ``already_changing`` (None: not tested)
    and ``verdict_reason``."""
    changing = None if slope_p is None else slope_p < SLOPE_ALPHA
    out: dict[str, Any] = {"verdict": verdict, "interval_verdict": verdict,
                           "already_changing": changing}  # fmt: skip
    if verdict == "unclear":
        return out | {"verdict_reason": NOT_CLEAR}
    if changing:
        return out | {"verdict": "unclear", "verdict_reason": ALREADY_CHANGING}
    return out | {"verdict_reason": CLEAR if changing is not None else NOT_CHECKED}


def breakdown_verdict(*, verdict: str, sensitivity: Mapping[str, Any]) -> str:
    """The rule measured against it: the interval's verdict kept only when the honest breakdown
    M̄ is at least :data:`ROBUST_M` (or cannot be computed)."""
    breakdown = sensitivity.get("breakdown_m")
    if verdict == "unclear" or breakdown is None or math.isinf(breakdown):
        return verdict
    return verdict if breakdown >= ROBUST_M else "unclear"
