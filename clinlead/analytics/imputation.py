"""The imputation estimator for staggered starts (Borusyak, Jaravel & Spiess 2024).

Organisation and period effects are fitted on the untreated observations only — every
comparator's, and each pilot's before its own start — and each treated organisation-period's
effect is its value minus the value those effects predict for it. The headline is their plain
average over every treated pilot-period; the event study averages them by periods since the
start. Unlike two-way fixed effects, an earlier pilot is never used as a comparator for a later
one, so an effect that grows after the start does not bias the average (two-way FE gave -31 %
with 3 pilots starting months 6/18/30; see benchmarks/did_designs.py). With a common start
and a balanced panel it equals the two-way FE difference-in-differences exactly.

The estimate is linear in the values: with a few hundred organisation-periods, each fit is
the normal equations of the two sets of effects, solved directly (no dummy matrix), so a
randomisation test can refit it for hundreds of assignments in well under a second.

Rates (:func:`poisson_imputation`): the same imputation with a log-linear (Poisson) model for
metrics that are counts per exposure, whose effects are proportional rather than additive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


class NotEstimable(ValueError):
    """The untreated observations cannot predict every treated one; the message says why."""


@dataclass(frozen=True)
class Layout:
    """Which organisation and period each row is, as codes 0..n-1."""

    units: IntArray
    periods: IntArray
    n_units: int
    n_periods: int

    @classmethod
    def of(cls, *, units: npt.ArrayLike, periods: npt.ArrayLike) -> Layout:
        unit_codes = np.unique(np.asarray(units), return_inverse=True)[1].astype(np.intp)
        period_codes = np.unique(np.asarray(periods), return_inverse=True)[1].astype(np.intp)
        return cls(unit_codes, period_codes, int(unit_codes.max()) + 1, int(period_codes.max()) + 1)


def fit_effects(*, layout: Layout, values: FloatArray, rows: BoolArray) -> FloatArray:
    """Fitted ``unit + period`` effects, for every row, from least squares on ``rows`` only.

    ``values`` is n x k (k outcomes fitted at once). Raises :class:`NotEstimable` when a unit
    or period has no row to fit from but a prediction is needed for it.
    """
    u, p, nu, npd = layout.units[rows], layout.periods[rows], layout.n_units, layout.n_periods
    unit_count = np.bincount(u, minlength=nu).astype(float)
    period_count = np.bincount(p, minlength=npd).astype(float)
    needed_units, needed_periods = np.unique(layout.units), np.unique(layout.periods)
    if (unit_count[needed_units] == 0).any():
        raise NotEstimable("an organisation has no observation before its start")
    if (period_count[needed_periods] == 0).any():
        raise NotEstimable(
            "in some period every organisation had started, so nothing shows what would "
            "have happened without the programme then"
        )
    cross = np.zeros((nu, npd))
    np.add.at(cross, (u, p), 1.0)
    y = values[rows]
    unit_sums = np.stack([np.bincount(u, weights=col, minlength=nu) for col in y.T], axis=1)
    period_sums = np.stack([np.bincount(p, weights=col, minlength=npd) for col in y.T], axis=1)
    # Unit effects eliminated (their block is diagonal), leaving the periods' system; it is
    # singular by one (a constant moves between the two sets), so the first observed period's
    # effect is fixed at 0. Direct solves: an SVD of the full system is 50x slower here.
    share = cross / np.maximum(unit_count, 1.0)[:, None]
    reduced = np.diag(period_count) - cross.T @ share
    right = period_sums - share.T @ unit_sums
    keep = np.flatnonzero(period_count > 0)[1:]
    period_effect = np.zeros((npd, y.shape[1]))
    try:
        period_effect[keep] = np.linalg.solve(reduced[np.ix_(keep, keep)], right[keep])
    except np.linalg.LinAlgError:
        raise NotEstimable(
            "the organisations fall into groups observed in different periods, so their "
            "effects cannot be compared"
        ) from None
    unit_effect = (unit_sums - cross @ period_effect) / np.maximum(unit_count, 1.0)[:, None]
    fitted: FloatArray = unit_effect[layout.units] + period_effect[layout.periods]
    return fitted


def imputed_effects(*, layout: Layout, values: FloatArray, treated: BoolArray) -> FloatArray:
    """Each treated row's value minus its imputed untreated value (n_treated x k)."""
    if values.ndim == 1:
        values = values[:, None]
    fitted = fit_effects(layout=layout, values=values, rows=~treated)
    effects: FloatArray = (values - fitted)[treated]
    return effects


def average_effect(*, layout: Layout, values: FloatArray, treated: BoolArray) -> FloatArray:
    """The average effect on the treated (one per column of ``values``)."""
    average: FloatArray = imputed_effects(layout=layout, values=values, treated=treated).mean(
        axis=0
    )
    return average


def effects_by_horizon(
    *, layout: Layout, values: FloatArray, treated: BoolArray, horizon: IntArray
) -> dict[int, tuple[float, int]]:
    """{periods since start: (average imputed effect, treated rows)} for one outcome."""
    effects = imputed_effects(layout=layout, values=values, treated=treated)[:, 0]
    since = horizon[treated]
    return {
        int(h): (float(effects[since == h].mean()), int((since == h).sum()))
        for h in np.unique(since)
    }


# --------------------------------------------------------------------------- rates


def poisson_fit(
    *,
    layout: Layout,
    values: FloatArray,
    rows: BoolArray,
    exposure: FloatArray | None = None,
    iterations: int = 500,
    tolerance: float = 1e-10,
) -> FloatArray:
    """Fitted means ``exposure x exp(unit + period)`` of a Poisson model fitted on ``rows``.

    Poisson maximum likelihood with two sets of effects has a closed-form step for each set
    given the other (iterative proportional fitting): each unit's fitted total matches its
    observed total, then each period's. It converges to the maximum likelihood fit, which is
    valid for non-negative outcomes that are not whole counts (rates) too.
    """
    nu, npd = layout.n_units, layout.n_periods
    u, p = layout.units[rows], layout.periods[rows]
    y = values[rows]
    weight = np.ones(len(values)) if exposure is None else exposure
    w = weight[rows]
    if (y < 0).any():
        raise NotEstimable("a rate model needs values that are zero or more")
    unit_total = np.bincount(u, weights=y, minlength=nu)
    period_total = np.bincount(p, weights=y, minlength=npd)
    if (np.bincount(u, minlength=nu)[np.unique(layout.units)] == 0).any() or (
        np.bincount(p, minlength=npd)[np.unique(layout.periods)] == 0
    ).any():
        raise NotEstimable("some organisation or period has no untreated observation")
    unit_rate, period_rate = np.ones(nu), np.ones(npd)
    for _ in range(iterations):
        expected = np.bincount(u, weights=w * period_rate[p], minlength=nu)
        unit_rate = np.divide(unit_total, expected, out=np.zeros(nu), where=expected > 0)
        expected = np.bincount(p, weights=w * unit_rate[u], minlength=npd)
        new_period = np.divide(period_total, expected, out=np.zeros(npd), where=expected > 0)
        change = np.abs(new_period - period_rate).max() / max(period_rate.max(), 1e-300)
        period_rate = new_period
        if change < tolerance:
            break
    fitted: FloatArray = weight * unit_rate[layout.units] * period_rate[layout.periods]
    return fitted


def poisson_imputation(
    *, layout: Layout, values: FloatArray, treated: BoolArray, exposure: FloatArray | None = None
) -> tuple[float, float]:
    """(rate ratio, average additive effect) of the treated rows against their imputed means.

    The rate ratio is the treated rows' total over the total the untreated model predicts for
    them (1.10: 10 % higher than expected).
    """
    fitted = poisson_fit(layout=layout, values=values, rows=~treated, exposure=exposure)
    expected = float(fitted[treated].sum())
    if expected <= 0:
        raise NotEstimable("the model expects nothing for the pilots after their start")
    observed = values[treated]
    return float(observed.sum()) / expected, float((observed - fitted[treated]).mean())
