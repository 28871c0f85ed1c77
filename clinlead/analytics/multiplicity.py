"""Adjusting p-values when several outcomes are tested at once (Holm 1979).

With eight metrics each tested at 5%, the chance that at least one reads as a difference when
there is none is well over a third; Holm's step-down adjustment keeps that family-wise chance
at most 5% under any dependence between the metrics, and is never less powerful than
Bonferroni. A pre-registered primary outcome is tested on its own; the adjustment is for the
family of secondary outcomes (or for every outcome when none was named beforehand).
"""

from __future__ import annotations

from collections.abc import Mapping


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
