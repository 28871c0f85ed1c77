"""The checks shown beside a difference-in-differences: synthetic comparators and sensitivity.

One call adds three keys to a :func:`clinlead.analytics.did.evaluate` dict (its own keys are
left as they are), so the command line and the web app show the same figures:

* ``synthetic_did`` and ``synthetic_control`` (:mod:`clinlead.analytics.synthetic`), each a
  dict with the estimate, donor weights per adoption cohort and caveats, or ``estimate`` None
  and a ``reason``;
* ``sensitivity`` (:mod:`clinlead.analytics.honest`): how far parallel trends may be broken
  before the estimate's conclusion changes, with ``words`` for a board.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clinlead.analytics.honest import in_words, relative_magnitudes
from clinlead.analytics.periods import Period
from clinlead.analytics.synthetic import (
    PLACEBO_REPLICATIONS,
    SyntheticInputError,
    SyntheticResult,
    synthetic_control,
    synthetic_did,
)

KEYS = ("synthetic_did", "synthetic_control", "sensitivity")


def robustness(
    *,
    data: pd.DataFrame,
    pilots: Mapping[str, str | Period],
    comparators: Sequence[str],
    result: Mapping[str, Any],
    replications: int = PLACEBO_REPLICATIONS,
    seed: int = 0,
) -> dict[str, Any]:
    """``{synthetic_did, synthetic_control, sensitivity}`` for ``result`` on ``data``."""
    out: dict[str, Any] = {}
    runs: tuple[tuple[str, Callable[[], SyntheticResult]], ...] = (
        ("synthetic_did", lambda: synthetic_did(
            data=data, pilots=pilots, comparators=comparators, replications=replications, seed=seed
        )),
        ("synthetic_control", lambda: synthetic_control(
            data=data, pilots=pilots, comparators=comparators, replications=replications, seed=seed
        )),
    )  # fmt: skip
    for key, run in runs:
        try:
            out[key] = run().to_dict()
        except (SyntheticInputError, np.linalg.LinAlgError) as exc:
            out[key] = {"estimate": None, "reason": str(exc)}
    out["sensitivity"] = sensitivity(result=result)
    return out


def sensitivity(*, result: Mapping[str, Any]) -> dict[str, Any]:
    """The relative-magnitudes bounds for the headline estimate's interval, with words."""
    low, high = result.get("ci95") or (None, None)
    points = [
        (int(p["relative_period"]), float(p["estimate"]))
        for p in result.get("event_study") or []
        if p.get("estimate") is not None
    ]
    if low is None and high is None:
        return {"breakdown_m": None, "reason": "no interval", "words": "No sensitivity bound."}
    # A randomisation interval may be open on one side: that side never reaches 0 first.
    interval = (-math.inf if low is None else float(low), math.inf if high is None else float(high))
    bound = relative_magnitudes(event_study=points, ci95=interval)
    return bound.to_dict() | {"words": in_words(sensitivity=bound)}
