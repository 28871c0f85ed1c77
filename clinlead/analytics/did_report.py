"""One metric's evaluation as a plain dict: the headline and the technical annex.

Headline (:mod:`clinlead.analytics.did_staggered`): the imputation estimate, its
randomisation interval (``ci95``, also ``ci95_randomisation``) and the verdict drawn from that
interval and the pre-start trend test (:mod:`clinlead.analytics.verdict`: ``verdict``,
``interval_verdict``, ``already_changing``, ``verdict_reason``, ``pretrend_slope[_p]``), the
event study built the same way and its pre-trend test. Technical annex:
the two-way fixed-effects estimate with its conventional CR1 interval (``conventional``), its
Goodman-Bacon decomposition (``bacon``), and for count-based metrics a Poisson rate model
(``rate_model``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from clinlead.analytics import bacon
from clinlead.analytics.did import (
    EvaluationInputError,
    Panel,
    _relative_to,
    estimate_did,
    prepare_panel,
)
from clinlead.analytics.did_caveats import (
    SMALL_SAMPLE_CORRECTION,
    assumptions,
    pretrend_drift_caveat,
)
from clinlead.analytics.did_power import MIN_ASSIGNMENTS, start_assignments
from clinlead.analytics.did_staggered import ESTIMATOR, Design, headline
from clinlead.analytics.imputation import Layout, NotEstimable, poisson_imputation
from clinlead.analytics.periods import Period
from clinlead.analytics.rate_inference import rate_ratio_interval


def design_of(panel: Panel) -> Design:
    frame = panel.frame
    return Design(
        layout=Layout.of(units=frame["organisation"], periods=frame["ordinal"]),
        values=frame["value"].to_numpy(dtype=float),
        relative=frame["relative"].to_numpy(dtype=float),
        relative_for=_relative_to(frame=frame, granularity=panel.granularity),
        organisations=sorted(panel.pilots) + list(panel.comparators),
        starts=[start.ordinal for start in panel.pilots.values()],
        exposure=frame["exposure"].to_numpy(dtype=float) if "exposure" in frame else None,
    )


def evaluate(
    *,
    data: pd.DataFrame,
    pilots: Mapping[str, str | Period],
    comparators: Sequence[str] | None = None,
    metric: str | None = None,
    leads: int = 6,
    lags: int = 12,
    permutations: int = 499,
    seed: int = 0,
    rate: bool = False,
) -> dict[str, Any]:
    """Keys metric, estimate, ci95, n, pretrend_p first; then the headline's other fields,
    the event study, ``conventional``, ``bacon``, ``rate_model`` (when ``rate``) and caveats."""
    if leads < 1 or lags < 0:
        raise EvaluationInputError("the event-study window needs leads >= 1 and lags >= 0")
    panel = prepare_panel(data=data, pilots=pilots, comparators=comparators, metric=metric)
    design = design_of(panel)
    try:
        head = headline(design=design, leads=leads, lags=lags, permutations=permutations, seed=seed)
    except NotEstimable as exc:
        raise EvaluationInputError(str(exc)) from None
    twfe = estimate_did(
        data=data, pilots=pilots, comparators=comparators, metric=metric, permutations=0
    )
    decomposition = _bacon(panel)
    summary = {"metric": panel.metric, "estimate": head["estimate"],
               "ci95": head["ci95_randomisation"],
               "n": len(panel.frame), "pretrend_p": head["pretrend_p"]}  # fmt: skip
    conventional = {
        "estimator": "two-way fixed effects", "estimate": twfe.estimate, "se": twfe.se,
        "ci95": list(twfe.ci95), "p_value": twfe.p_value, "df": twfe.df,
        "n_clusters": twfe.n_clusters, "small_sample_correction": SMALL_SAMPLE_CORRECTION,
    }  # fmt: skip
    about = {
        "n_pilots": len(panel.pilots), "n_comparators": len(panel.comparators),
        "n_periods": int(panel.frame["period"].nunique()), "granularity": panel.granularity,
        "pilots": {org: start.label for org, start in sorted(panel.pilots.items())},
        "comparators": list(panel.comparators), "excluded": list(panel.excluded),
        "assumptions": assumptions(metric=panel.metric),
    }  # fmt: skip
    out = summary | {k: v for k, v in head.items() if k not in summary} | about
    out |= {"conventional": conventional, "bacon": decomposition}
    if rate:
        out["rate_model"] = rate_model(design=design, permutations=permutations, seed=seed)
    out["caveats"] = caveats(panel=panel, result=out)
    return out


def _bacon(panel: Panel) -> dict[str, Any] | None:
    frame = panel.frame
    table = frame.pivot(index="organisation", columns="ordinal", values="value")
    if table.isna().any().any():
        return None  # the decomposition holds for balanced panels only
    relative = frame.pivot(index="organisation", columns="ordinal", values="relative")
    names = list(table.index)
    starts = {names.index(o): int((relative.loc[o] < 0).sum()) for o in panel.pilots}
    never = [names.index(o) for o in panel.comparators]
    rows = bacon.decompose(values=table.to_numpy(dtype=float), starts=starts, never=never)
    return {"comparisons": rows, "by_kind": bacon.summary(rows)}


def rate_model(*, design: Design, permutations: int, seed: int) -> dict[str, Any]:
    """Poisson imputation: the pilots' rate after their start against the rate their own
    untreated model predicts, with the randomisation test's p-value for "no change" and its
    inverted 95 % interval for the rate ratio (:mod:`clinlead.analytics.rate_inference`)."""
    treated = np.nan_to_num(design.relative, nan=-1) >= 0
    try:
        ratio, additive = poisson_imputation(
            layout=design.layout, values=design.values, treated=treated, exposure=design.exposure
        )
    except NotEstimable as exc:
        return {"model": "Poisson", "reason": str(exc)}
    total, exact, assignments = start_assignments(
        organisations=design.organisations,
        starts=design.starts,
        permutations=permutations,
        seed=seed,
    )
    enough = total >= MIN_ASSIGNMENTS and permutations >= 1 and ratio > 0
    masks = (
        [np.nan_to_num(design.relative_for(a), nan=-1) >= 0 for a in assignments] if enough else []
    )
    found = (
        rate_ratio_interval(layout=design.layout, values=design.values, treated=treated,
                            masks=masks, exact=exact, ratio=ratio, exposure=design.exposure)
        if enough else None
    )  # fmt: skip
    interval = [None, None] if found is None else [found.low, found.high]
    reason = None
    if found is None or found.p_value is None:
        reason = (f"only {total} ways to choose the pilots: too few for an interval at 95 %"
                  if permutations >= 1 else "not computed (no assignments asked for)")  # fmt: skip
    return {"model": "Poisson (log-linear organisation and period effects, imputation)",
            "rate_ratio": ratio, "percent_change": 100 * (ratio - 1), "additive_effect": additive,
            "p_value_randomisation": None if found is None else found.p_value,
            "ci95_rate_ratio": interval,
            "ci95_percent_change": [None if v is None else 100 * (v - 1) for v in interval],
            "interval_method": "randomisation test inverted (start dates reassigned; "
                               "rate ratio theta: pilots' treated figures divided by theta)",
            "randomisation_assignments": 0 if found is None else found.assignments,
            "exposure": design.exposure is not None,
            "interval_reason": reason, "reason": None}  # fmt: skip


def caveats(*, panel: Panel, result: dict[str, Any]) -> list[str]:
    """Plain words for this result: association first, then what the interval rests on."""
    n_pilots, n_clusters = len(panel.pilots), len(panel.pilots) + len(panel.comparators)
    out = [
        "This is an association between the pilot and the change in the metric. It reads as "
        "the pilot's effect only if the assumptions hold; it does not prove the pilot caused it.",
        "The headline estimate compares each pilot after its start with what the organisation "
        "and period effects fitted on untreated figures (comparators, and pilots before their "
        "start) predict for it, so an organisation that has started is never used as a "
        "comparator (imputation estimator).",
    ]
    if result["ci95"][0] is None and result["ci95"][1] is None:
        out.append(
            "No interval valid with this few organisations could be computed ("
            f"{result['randomisation_reason']}), so no verdict is given."
        )
    else:
        out.append(
            "Its 95% interval, and the verdict, come from the randomisation test: the pilots' "
            f"start dates given to other organisations ({result['randomisation_assignments']} "
            "assignments), which stays valid with few pilots. The conventional cluster-robust "
            f"interval ({n_clusters} clusters: {n_pilots} pilot, "
            f"{len(panel.comparators)} comparison) "
            "is in the technical annex; with "
            "few pilots it is usually too narrow."
        )
    if result["pretrend_p"] is not None and result["pretrend_p"] < 0.05:
        out.insert(1, pretrend_drift_caveat(pretrend_p=result["pretrend_p"]))
    if result.get("already_changing") and result.get("interval_verdict") != "unclear":
        out.insert(1, (
            "The pilots were already moving apart from the comparators before they started "
            f"(by {result['pretrend_slope']:.3g} a period more; randomisation p = "
            f"{result['pretrend_slope_p']:.3g}), so the gap after the start may only continue "
            "that: the verdict is \"unclear\" although the interval excludes no difference."
        ))
    if len(starts := sorted({s.label for s in panel.pilots.values()})) > 1:
        text = (
            f"Pilots started at different times ({', '.join(starts)}). The two-way "
            "fixed-effects estimate in the annex can be biased then, because it partly uses "
            "earlier pilots as comparators for later ones (Goodman-Bacon 2021)"
        )
        later = (result.get("bacon") or {}).get("by_kind", {}).get(bacon.LATER_VS_EARLIER)
        if later:
            text += f"; {100 * later['weight']:.0f}% of its weight is on such comparisons"
        out.append(text + ".")
    expected = panel.frame["organisation"].nunique() * panel.frame["period"].nunique()
    if missing := expected - len(panel.frame):
        out.append(
            f"The data is unbalanced: {missing} of {expected} organisation-periods have no "
            "value; if values are missing for reasons linked to the outcome, the estimate "
            "can be biased."
        )
    out.append(
        "Event study: after the start, the imputed effects averaged by periods since the "
        "start; before it, differences from period -1 fitted on untreated figures only. "
        "A pre-trend test that does not reject is weak reassurance, not proof of parallel "
        "trends."
    )
    if panel.excluded:
        out.append(f"Not used (neither pilot nor comparator): {', '.join(panel.excluded)}.")
    return out


__all__ = ["ESTIMATOR", "EvaluationInputError", "evaluate"]
