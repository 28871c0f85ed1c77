"""Running the analytics core on an evaluation's data, one metric at a time (reads only).

`analyse_metric` gathers a metric's observations and the design (pilots with their starts in
the metric's own periods, comparators), runs `clinlead.analytics.did.evaluate` and works out
the pilot and comparison means per period for the trend chart. The services store what it
returns; the fingerprint says which design and data a stored result came from.
"""

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from clinlead.analytics.did_report import EvaluationInputError, evaluate
from clinlead.analytics.did_robustness import KEYS as ROBUSTNESS_KEYS
from clinlead.analytics.did_robustness import robustness
from clinlead.analytics.json_safe import finite
from clinlead.analytics.metric_catalogue import is_count_based
from clinlead.analytics.metric_series import usable_exposure
from clinlead.evaluation.models import (
    Metric,
    MetricResult,
    Observation,
    first_day,
)

PILOTS, COMPARATORS = "Pilot organisations", "Comparison organisations"
# Part of every fingerprint: change it when the analysis or the charts change, so results
# stored by the earlier code read as out of date and are recomputed (`clinlead recompute-evaluations`).
ANALYSIS_VERSION = "2026-12 imputation headline, pre-start trend in the verdict, Romano-Wolf, rate ratio interval, synthetic comparators, board charts"


@dataclass
class Analysis:
    metric: Metric
    status: str
    fingerprint: str
    result: dict = field(default_factory=dict)
    reason: str = ""
    trends: list = field(default_factory=list)
    trend_svg: str = ""  # drawn by the services before storing; empty: drawn when first shown
    event_svg: str = ""


def design(*, evaluation, participants=None) -> dict:
    participants = participants if participants is not None else list(evaluation.organisations.all())
    return {
        "pilots": {p.name: p.start for p in participants if p.is_pilot},
        "comparators": sorted(p.name for p in participants if not p.is_pilot),
        "leads": evaluation.leads, "lags": evaluation.lags, "permutations": evaluation.permutations,
    }


FIELDS = ["organisation", "period", "granularity", "ordinal", "value", "exposure"]
_LOOKUPS = ["participant__name", "period", "granularity", "ordinal", "value", "exposure"]


def metric_frame(*, evaluation, metric) -> pd.DataFrame:
    """The metric's figures: organisation, period, granularity, ordinal, value, exposure (NaN: none)."""
    rows = Observation.objects.filter(participant__evaluation=evaluation, metric=metric).values_list(*_LOOKUPS)
    return _frame(rows=rows, columns=FIELDS)


def _frame(*, rows, columns) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=columns)
    frame["exposure"] = pd.to_numeric(frame["exposure"], errors="coerce").astype(float)
    return frame


def fingerprint(*, plan: dict, frame: pd.DataFrame) -> str:
    # A figure's exposure joins its entry only when it has one, so figures without exposure
    # (the demo's, everything stored before exposure existed) keep their fingerprints.
    exposure = frame["exposure"] if "exposure" in frame else pd.Series(np.nan, index=frame.index)
    data = sorted(
        (o, p, v) if pd.isna(e) else (o, p, v, round(float(e), 12))
        for o, p, v, e in zip(frame["organisation"], frame["period"], frame["value"].round(12), exposure,
                              strict=True))
    text = json.dumps({"version": ANALYSIS_VERSION, "design": plan, "data": data}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def current_fingerprints(*, evaluation) -> dict:
    """{metric id: fingerprint of its design and data now}, for telling stale results apart."""
    participants = list(evaluation.organisations.all())
    plan = design(evaluation=evaluation, participants=participants)
    rows = Observation.objects.filter(participant__evaluation=evaluation).values_list("metric_id", *_LOOKUPS)
    frame = _frame(rows=rows, columns=["metric", *FIELDS])
    out = {}
    for metric in evaluation.metrics.all():
        part = frame[frame["metric"] == metric.pk]
        out[metric.pk] = fingerprint(plan=plan, frame=part)
    return out


def analyse_metric(*, evaluation, metric, precomputed: dict | None = None) -> Analysis:
    """The metric's analysis; `precomputed` (an `evaluate` dict for exactly this data) skips
    the computation, as the demo does."""
    participants = list(evaluation.organisations.all())
    plan = design(evaluation=evaluation, participants=participants)
    frame = metric_frame(evaluation=evaluation, metric=metric)
    return analyse_frame(frame=frame, participants=participants, metric=metric, plan=plan, precomputed=precomputed)


def analyse_frame(*, frame, participants, metric, plan, precomputed=None) -> Analysis:
    key = fingerprint(plan=plan, frame=frame)
    if frame.empty:
        return Analysis(metric, MetricResult.Status.NOT_ESTIMABLE, key, reason="No data for this metric yet.")
    granularity = frame["granularity"].iloc[0]
    present = set(frame["organisation"])
    pilots = {p.name: p.start_in(granularity) for p in participants if p.is_pilot and p.name in present}
    comparators = sorted(p.name for p in participants if not p.is_pilot and p.name in present)
    trends = _trends(frame=frame, pilots=set(pilots), comparators=set(comparators))
    reason = _cannot_compare(metric=metric, pilots=pilots, comparators=comparators)
    if reason:
        return Analysis(metric, MetricResult.Status.NOT_ESTIMABLE, key, reason=reason, trends=trends)
    if precomputed is not None:
        result = precomputed
    else:
        columns = ["organisation", "period", "value"] + (["exposure"] if "exposure" in frame else [])
        data, exposure_caveat = usable_exposure(frame=frame[columns])
        try:
            result = evaluate(data=data, pilots=pilots, comparators=comparators,
                              metric=metric.name, leads=plan["leads"], lags=plan["lags"],
                              permutations=plan["permutations"], seed=0,
                              rate=is_count_based(name=metric.name))
        except (EvaluationInputError, np.linalg.LinAlgError) as exc:
            return Analysis(metric, MetricResult.Status.NOT_ESTIMABLE, key, reason=_sentence(str(exc)), trends=trends)
        if exposure_caveat and "rate_model" in result:
            result["caveats"].append(exposure_caveat)
        missing = sorted(name for name, start in plan["pilots"].items() if name not in present)
        if missing:
            result["caveats"].append(f"Pilots with no figures for this metric, so not in this estimate: "
                                     f"{', '.join(missing)}.")
    result = with_robustness(result=result, frame=frame, pilots=pilots, comparators=comparators)
    return Analysis(metric, MetricResult.Status.ESTIMATED, key, result=finite(result), trends=trends)


def with_robustness(*, result, frame, pilots, comparators) -> dict:
    """The result with the synthetic comparators and the sensitivity bound added (kept if a
    precomputed result already has them)."""
    if all(k in result for k in ROBUSTNESS_KEYS):
        return result
    return result | robustness(data=frame[["organisation", "period", "value"]], pilots=pilots,
                               comparators=comparators, result=result)


def _cannot_compare(*, metric, pilots, comparators) -> str:
    if not pilots:
        return "No pilot organisation has figures for this metric, so there is no change to compare."
    if not comparators:
        why = (" Comparison organisations that do not use Clinlead have no leader index."
               if metric.is_leader_index else "")
        return ("No comparison organisation has figures for this metric, so the pilots' change cannot be set "
                "against what happened elsewhere; the figures are shown as they are, without an estimate." + why)
    return ""


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _trends(*, frame, pilots, comparators) -> list:
    group = frame["organisation"].map(lambda o: PILOTS if o in pilots else COMPARATORS if o in comparators else None)
    used = frame.assign(group=group).dropna(subset=["group"])
    summary = used.groupby(["ordinal", "period", "group"], sort=True)["value"].agg(
        average="mean", organisations="count").reset_index()
    return [{"period": row.period, "start": first_day(row.period).isoformat(), "group": row.group,
             "mean": float(row.average), "n": int(row.organisations)} for row in summary.itertuples()]
