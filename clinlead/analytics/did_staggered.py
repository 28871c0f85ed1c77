"""The headline of an evaluation: the imputation estimate, its event study, and their
randomisation intervals and pre-trend test, for pilots that may start at different times.

* Estimate: :mod:`clinlead.analytics.imputation` (average effect over every treated
  pilot-period).
* Interval and verdict: the randomisation test inverted (:mod:`clinlead.analytics.did_inference`);
  "higher"/"lower" only when that interval excludes zero.
* Event study built the same way: after the start, imputed effects averaged by periods since
  the start (the last binned); before it, lead coefficients fitted on the untreated
  observations only, against period -1, so a later pilot's effects never leak into an earlier
  period (the false lead two-way FE shows with effects that differ by cohort).
* Pre-trend p: randomisation p-value of the leads' joint Wald statistic, with the real pilots'
  post-start values replaced by their imputed ones so the effect does not pollute it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from clinlead.analytics.did_inference import FloatArray, invert
from clinlead.analytics.did_power import MIN_ASSIGNMENTS, start_assignments
from clinlead.analytics.imputation import (
    BoolArray,
    Layout,
    NotEstimable,
    fit_effects,
    imputed_effects,
)
from clinlead.analytics.verdict import robust_verdict

ESTIMATOR = "imputation (Borusyak, Jaravel & Spiess 2024)"


@dataclass(frozen=True)
class Design:
    """What the headline needs from a prepared panel (see did.prepare_panel)."""

    layout: Layout
    values: FloatArray
    relative: FloatArray  # periods since the organisation's start; NaN for comparators
    relative_for: Callable[[Mapping[str, int]], np.ndarray]
    organisations: list[str]  # pilots first
    starts: list[int]
    # Rate model only: each row's exposure (bed days, expected deaths); None: all equal.
    exposure: FloatArray | None = None


def _leads(relative: FloatArray, leads: int) -> FloatArray:
    """Lead dummies -leads..-2 (-leads binned), zero on comparators and after the start."""
    binned = np.clip(relative, -leads, None)
    return np.column_stack([(binned == -k).astype(float) for k in range(leads, 1, -1)])


def _lead_fit(
    *, design: Design, untreated: BoolArray, lead_columns: FloatArray, outcomes: FloatArray
) -> tuple[FloatArray, FloatArray, float] | None:
    """Lead coefficients for each outcome column, their classical covariance scale, and the
    Wald F for the first column; None when some lead has no observation."""
    if (lead_columns[untreated].sum(axis=0) == 0).any():
        return None
    stacked = np.hstack([outcomes, lead_columns])
    residual = (stacked - fit_effects(layout=design.layout, values=stacked, rows=untreated))[
        untreated
    ]
    k = outcomes.shape[1]
    z, y = residual[:, k:], residual[:, :k]
    cross = z.T @ z
    if np.linalg.cond(cross) > 1e10:
        return None
    inverse = np.linalg.inv(cross)
    gamma = inverse @ (z.T @ y)
    rss = float(((y[:, 0] - z @ gamma[:, 0]) ** 2).sum())
    dof = int(untreated.sum()) - design.layout.n_units - design.layout.n_periods + 1 - z.shape[1]
    if dof < 1 or rss <= 0:
        return None
    sigma2 = rss / dof
    first = gamma[:, 0]
    f = float(first @ cross @ first / sigma2) / len(first)
    return gamma, np.sqrt(np.diag(inverse) * sigma2), f


def headline(
    *, design: Design, leads: int, lags: int, permutations: int, seed: int
) -> dict[str, Any]:
    """Estimate, intervals, verdict, event study and pre-trend test (plain dict)."""
    layout, y, relative = design.layout, design.values, design.relative
    treated = np.nan_to_num(relative, nan=-1) >= 0
    d0 = treated.astype(float)
    horizon = np.clip(np.nan_to_num(relative, nan=-1), None, lags).astype(int)
    try:
        real = imputed_effects(layout=layout, values=np.column_stack([y, d0]), treated=treated)
    except NotEstimable as exc:
        raise NotEstimable(str(exc)) from None
    estimate = float(real[:, 0].mean())
    horizons = sorted(set(horizon[treated].tolist()))
    by_h = {h: float(real[horizon[treated] == h, 0].mean()) for h in horizons}

    # Leads: on untreated rows, with the real pilots' treated values set to their imputed ones.
    adjusted = y.copy()
    adjusted[treated] -= real[:, 0]
    lead_count = min(leads, int(-np.nanmin(relative)))
    observed_leads = _leads(relative, lead_count) if lead_count >= 2 else np.zeros((len(y), 0))
    outcomes = np.column_stack([adjusted, observed_leads])
    lead_real = (
        _lead_fit(design=design, untreated=~treated, lead_columns=observed_leads, outcomes=outcomes)
        if observed_leads.shape[1]
        else None
    )

    slope_input = np.column_stack([adjusted, _slope_column(relative)])
    slope_real = _slope_fit(
        design=design, untreated=~treated,
        residual=slope_input - fit_effects(layout=layout, values=slope_input, rows=~treated),
    )  # fmt: skip

    total, exact, assignments = start_assignments(
        organisations=design.organisations, starts=design.starts,
        permutations=permutations, seed=seed,
    )  # fmt: skip
    a_list: list[float] = []
    b_list: list[float] = []
    h_pairs: dict[int, list[tuple[float, float]]] = {h: [] for h in horizons}
    lead_pairs: list[tuple[FloatArray, FloatArray]] = []
    f_values: list[float] = []
    slope_f: list[float] = []
    statistics: list[float | None] = []  # each assignment's estimate, in order (Romano-Wolf)
    enough = permutations >= 1 and total >= MIN_ASSIGNMENTS
    for assignment in assignments if enough else ():
        rel = design.relative_for(assignment)
        mask = np.nan_to_num(rel, nan=-1) >= 0
        # One fit on this assignment's untreated rows serves the estimate and the slope test.
        columns = np.column_stack([y, d0, adjusted, _slope_column(rel)])
        try:
            residual = columns - fit_effects(layout=layout, values=columns, rows=~mask)
        except NotEstimable:
            statistics.append(None)
            continue
        effects = residual[mask][:, :2]
        a_list.append(float(effects[:, 0].mean()))
        statistics.append(a_list[-1])
        b_list.append(float(effects[:, 1].mean()))
        since = np.clip(rel[mask], None, lags)
        for h in horizons:
            chosen = since == h
            if chosen.any():
                h_pairs[h].append(
                    (float(effects[chosen, 0].mean()), float(effects[chosen, 1].mean()))
                )
        if lead_real is not None:
            fitted = _lead_fit(
                design=design, untreated=~mask, lead_columns=_leads(rel, lead_count),
                outcomes=outcomes,
            )  # fmt: skip
            if fitted is not None:
                gamma = fitted[0]
                lead_pairs.append((gamma[:, 0], np.diag(gamma[:, 1:])))
                f_values.append(fitted[2])
        if slope_real is not None:
            slope_fit = _slope_fit(design=design, untreated=~mask, residual=residual[:, 2:])
            if slope_fit is not None:
                slope_f.append(slope_fit[1])

    out: dict[str, Any] = {
        "estimator": ESTIMATOR,
        "estimate": estimate,
        "ci95_randomisation": [None, None],
        "p_value_randomisation": None,
        "randomisation_assignments": 0,
        "randomisation_reason": None,
        "verdict": "unclear",
    }
    if not enough or len(a_list) < MIN_ASSIGNMENTS:
        out["randomisation_reason"] = (
            "not computed (no assignments asked for)" if permutations < 1 else
            f"only {total} ways to choose the pilots: too few for an interval at 95 %"
        )  # fmt: skip
    else:
        interval = invert(a=np.array(a_list), b=np.array(b_list), observed=estimate, exact=exact)
        out |= {
            "ci95_randomisation": [interval.low, interval.high],
            "p_value_randomisation": interval.p_value,
            "randomisation_assignments": interval.assignments,
            "verdict": interval.verdict(),
            "randomisation_exact": exact,
            "randomisation_statistics": statistics,
            "randomisation_draws": _draws_key(design=design, permutations=permutations, seed=seed),
        }
    points = _event_points(
        by_h=by_h, h_pairs=h_pairs, exact=exact, lags=lags, relative=relative,
        lead_real=lead_real, lead_pairs=lead_pairs, lead_count=lead_count,
    )  # fmt: skip
    pretrend = _pretrend(lead_real=lead_real, f_values=f_values, exact=exact, leads=lead_count)
    window = {"leads": lead_count, "lags": min(lags, int(np.nanmax(relative)))}
    slope = _slope_test(slope_real=slope_real, slope_f=slope_f, exact=exact)
    out |= robust_verdict(verdict=out["verdict"], slope_p=slope["pretrend_slope_p"])
    return out | {"event_study": points, "window": window} | pretrend | slope


def _draws_key(*, design: Design, permutations: int, seed: int) -> str:
    """Equal for two metrics exactly when their assignments were the same, in the same order."""
    plan = [design.organisations, sorted(design.starts), permutations, seed]
    text = json.dumps(plan, default=int)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _slope_column(relative: FloatArray) -> FloatArray:
    """Periods since the start on each pilot's rows before it (0 elsewhere): with organisation
    effects, its coefficient is how much faster the pilots moved than the comparators before."""
    before = np.nan_to_num(relative, nan=0.0)
    column: FloatArray = np.where(before < 0, before, 0.0)[:, None]
    return column


def _slope_fit(
    *, design: Design, untreated: BoolArray, residual: FloatArray
) -> tuple[float, float] | None:
    """(extra trend per period, its F) from the untreated rows' residuals of the value and the
    slope column after organisation and period effects; None when there is no slope to fit
    (every pilot has a single period before its start)."""
    y, z = residual[untreated, 0], residual[untreated, 1]
    zz = float(z @ z)
    if zz <= 1e-10 * max(1.0, float(np.abs(z).max(initial=0.0)) ** 2):
        return None
    gamma = float(z @ y) / zz
    dof = int(untreated.sum()) - design.layout.n_units - design.layout.n_periods
    rss = float(((y - gamma * z) ** 2).sum())
    if dof < 1 or rss <= 0:
        return None
    return gamma, gamma * gamma * zz / (rss / dof)


def _slope_test(
    *, slope_real: tuple[float, float] | None, slope_f: list[float], exact: bool
) -> dict[str, Any]:
    """The pilots' extra trend per period before the start and its randomisation p-value."""
    out: dict[str, Any] = {"pretrend_slope": None, "pretrend_slope_p": None}
    if slope_real is None:
        return out
    out["pretrend_slope"] = slope_real[0]
    if len(slope_f) < MIN_ASSIGNMENTS:
        return out
    observed = slope_real[1]
    extreme = sum(f >= observed * (1 - 1e-9) for f in slope_f)
    p = extreme / len(slope_f) if exact else (1 + extreme) / (1 + len(slope_f))
    return out | {"pretrend_slope_p": p}


def _interval(pairs: list[tuple[float, float]], observed: float, exact: bool) -> list[float | None]:
    if len(pairs) < MIN_ASSIGNMENTS:
        return [None, None]
    a, b = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    found = invert(a=a, b=b, observed=observed, exact=exact)
    return [found.low, found.high]


def _event_points(
    *, by_h: dict[int, float], h_pairs: dict[int, list[tuple[float, float]]], exact: bool,
    lags: int, relative: FloatArray, lead_real: tuple[FloatArray, FloatArray, float] | None,
    lead_pairs: list[tuple[FloatArray, FloatArray]], lead_count: int,
) -> list[dict[str, Any]]:  # fmt: skip
    points: list[dict[str, Any]] = []
    earliest = np.nanmin(relative)
    if lead_real is not None:
        for i, k in enumerate(range(lead_count, 1, -1)):
            pairs = [(float(a[i]), float(b[i])) for a, b in lead_pairs]
            label = f"-{k} or earlier" if k == lead_count and earliest < -k else f"-{k}"
            estimate = float(lead_real[0][i, 0])
            points.append({"relative_period": -k, "label": label, "estimate": estimate,
                           "se": float(lead_real[1][i]), "ci95": _interval(pairs, estimate, exact),
                           "reference": False})  # fmt: skip
    points.append({"relative_period": -1, "label": "-1", "estimate": 0.0, "se": 0.0,
                   "ci95": [0.0, 0.0], "reference": True})  # fmt: skip
    latest = np.nanmax(relative)
    for h, value in sorted(by_h.items()):
        label = f"+{h} or later" if h == lags and latest > lags else (f"+{h}" if h else "0")
        points.append({"relative_period": h, "label": label, "estimate": value, "se": None,
                       "ci95": _interval(h_pairs[h], value, exact),
                       "reference": False})  # fmt: skip
    return points


def _pretrend(
    *, lead_real: tuple[FloatArray, FloatArray, float] | None, f_values: list[float],
    exact: bool, leads: int,
) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {"pretrend_p": None, "pretrend_f": None, "pretrend_assignments": 0,
                           "pretrend_reason": None}  # fmt: skip
    if lead_real is None:
        out["pretrend_reason"] = (
            "too few periods before the start: the test needs two (-1 is the reference)"
            if leads < 2
            else "the leads cannot be separated from the organisation and period effects"
        )  # fmt: skip
        return out
    observed = lead_real[2]
    out["pretrend_f"] = observed
    if len(f_values) < MIN_ASSIGNMENTS:
        out["pretrend_reason"] = "too few ways to choose the pilots for a randomisation p-value"
        return out
    extreme = sum(f >= observed * (1 - 1e-9) for f in f_values)
    p = extreme / len(f_values) if exact else (1 + extreme) / (1 + len(f_values))
    return out | {"pretrend_p": p, "pretrend_assignments": len(f_values) + (0 if exact else 1)}
