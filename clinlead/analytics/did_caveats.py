"""The plain words of :mod:`clinlead.analytics.did`: its assumptions and caveats.

Kept apart so the statistics and the wording can each be read (and reviewed) on their own.
Every text here describes an association and the conditions under which it would read as an
effect; none says that the programme brought a change about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clinlead.analytics.did import Panel

SMALL_SAMPLE_CORRECTION = (
    "CR1 cluster-robust standard errors clustered by organisation: the covariance is scaled "
    "by G/(G-1) x (N-1)/(N-K), with K counting the organisation and period dummies; "
    "confidence intervals and p-values use Student's t with G-1 degrees of freedom "
    "(G = number of organisations)."
)
# Below these, cluster-robust standard errors are known to be too small (Cameron & Miller
# 2015; MacKinnon & Webb 2017 for few treated clusters).
FEW_CLUSTERS, FEW_PILOTS = 40, 10


def assumptions(*, metric: str | None = None) -> list[str]:
    """What must be true for the difference-in-differences to read as the pilot's effect."""
    what = f"{metric!r}" if metric else "metric"
    return [
        f"Parallel trends: without the programme, the {what} of the pilot organisations would "
        "have changed by the same amount as the comparison organisations' (the same change, "
        "not the same level).",
        "No anticipation: the pilot organisations did not change before their start date, "
        "for example while preparing for the programme.",
        "No spillover: the programme did not change the comparison organisations, for example "
        "through shared staff, networks or regional initiatives.",
        "Nothing else changed only at the pilot organisations at the same time: another "
        "initiative, a merger, or a change in how the metric is recorded.",
        "Pilot organisations were chosen, not randomly assigned, so they may differ from the "
        "comparators in ways that also change over time.",
    ]


def did_caveats(*, panel: Panel, n_clusters: int) -> list[str]:
    """Caveats of the difference-in-differences estimate for this design and data."""
    n_pilots = len(panel.pilots)
    caveats = [
        "This is an association between the pilot and the change in the metric. It reads as "
        "the pilot's effect only if the assumptions hold; it does not prove the pilot caused it.",
        f"Standard errors are clustered by organisation: {n_clusters} clusters "
        f"({n_pilots} pilot, {len(panel.comparators)} comparison).",
    ]
    if n_clusters < FEW_CLUSTERS or n_pilots < FEW_PILOTS:
        caveats[-1] += (
            " With this few clusters, and especially this few pilot organisations, "
            "cluster-robust standard errors tend to be too small, so the confidence interval "
            "is probably narrower, and the p-value smaller, than they should be"
            + (
                " (with 1 pilot, a 5% test rejected half the time in simulations)."
                if n_pilots == 1
                else "."
            )
            + " The randomisation p-value, which compares the result with the pilots' start "
            "dates given to other organisations, is the safer guide."
        )
    if len(starts := sorted({s.label for s in panel.pilots.values()})) > 1:
        caveats.append(
            f"Pilots started at different times ({', '.join(starts)}). With staggered starts a "
            "single estimate can be biased if the effect grows or fades after the start, because "
            "earlier pilots partly act as comparators for later ones (Goodman-Bacon 2021); read "
            "the event study alongside it."
        )
    expected = panel.frame["organisation"].nunique() * panel.frame["period"].nunique()
    if missing := expected - len(panel.frame):
        caveats.append(
            f"The data is unbalanced: {missing} of {expected} organisation-periods have no value; "
            "if values are missing for reasons linked to the outcome, the estimate can be biased."
        )
    caveats.append(f"Small-sample correction: {SMALL_SAMPLE_CORRECTION}")
    return caveats


def event_study_caveats(
    *, points: list[dict[str, Any]], leads: int, lags: int, pretrend: dict[str, Any]
) -> list[str]:
    """Caveats of the event study: its reference, its window and what the pre-trend test means."""
    binned_labels = "".join(f"; {p['label']} is binned" for p in points if " or " in p["label"])
    caveats = [
        "Relative period -1 (the period just before the start) is the reference, fixed at 0.",
        f"Window: {leads} period(s) before and {lags} after the start{binned_labels}.",
    ]
    if pretrend["pretrend_p"] is not None:
        caveats.append(
            "The pre-trend p-value asks how unusual the pilots' drift before their start is "
            "compared with the same test with the start dates given to other organisations "
            f"({pretrend['pretrend_assignments']} such assignments); the usual cluster-robust "
            "F-test (pretrend_p_f) rejects far too often when there are few pilots."
        )
    caveats.append(
        "A pre-trend test that does not reject is weak reassurance, not proof of parallel "
        "trends: with few organisations it has little power to detect a real difference."
    )
    return caveats


def pretrend_drift_caveat(*, pretrend_p: float) -> str:
    """Said first when the pre-trend test rejects: parallel trends is then doubtful."""
    return (
        "Before the start the pilots were already drifting away from the comparators "
        f"(pre-trend p = {pretrend_p:.3f}), so parallel trends is doubtful and the "
        "estimate is probably biased."
    )
