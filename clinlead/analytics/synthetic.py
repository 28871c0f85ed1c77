"""Synthetic comparators: synthetic difference-in-differences and synthetic control.

Both build, for the pilots, a comparison from a weighted mix of the comparison organisations
instead of their plain average, so that pilots chosen because they already differed (in level
or in trend) are compared with organisations that looked like them before the start.

* **Synthetic difference-in-differences** (Arkhangelsky, Athey, Hirshberg, Imbens & Wager
  2021, "SDID"): unit weights ω over the comparators (non-negative, summing to 1, with an
  intercept) make their weighted pre-period path parallel to the pilots' average, penalised by
  ζ²·T0·‖ω‖² with ζ = (N1·T1)^¼·σ̂ (σ̂: the spread of the comparators' period-to-period
  changes before the start), so weight spreads over many similar organisations instead of
  piling onto one; time weights λ over the pre-periods (intercept, a negligible ridge) make the
  weighted pre-period resemble the post-period for the comparators. The estimate is the
  weighted difference-in-differences. Its standard error is the placebo variance (their
  Algorithm 4): comparators are given the pilots' roles at random and the estimate is
  recomputed; it needs more comparators than pilots and assumes comparators are alike
  enough to stand in for pilots. The weights are exact solutions of the two quadratic
  programmes (the reference implementation's Frank-Wolfe steps and "sparsify" pass are not
  copied), so weights may differ slightly from the R package's.
* **Synthetic control** (Abadie, Diamond & Hainmueller 2010): non-negative donor weights
  summing to 1 fitted on the pilots' pre-period outcomes (no intercept, so levels must match
  too); the estimate is the post-period gap. Inference is in-space placebo: each comparator
  in turn is treated as the pilot (with several pilots, random groups of as many comparators,
  averaged as the pilots are); the p-value is the share whose ratio of post- to pre-period
  root mean squared gap is at least the pilots'.

Staggered starts: each adoption cohort (the pilots sharing a start) is estimated on its own
against the comparators only (never-treated organisations; later pilots are not used as
comparators), and the cohorts' estimates are averaged weighted by their treated pilot-periods
(pilots × periods after the start). The placebo draws give every cohort its pseudo-pilots at
once, so the variance is that of the average.

Plain data in (a frame with organisation, period, value; pilots with their start periods),
plain data out. Periods are read by :mod:`clinlead.analytics.periods`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from clinlead.analytics.lazy_stats import stats
from clinlead.analytics.periods import Period, PeriodError, parse_period

Array = npt.NDArray[np.float64]

PLACEBO_REPLICATIONS = 200
# Weights below this are shown as 0 and left out of the listed donors.
SHOWN_WEIGHT = 0.001
# The time weights' ridge, relative to σ̂, as in the paper: only there to make them unique.
TIME_RIDGE = 1e-6


class SyntheticInputError(ValueError):
    """The design cannot be estimated with synthetic comparators; the message says why."""


@dataclass(frozen=True)
class Cohort:
    """The pilots sharing one start, in wide form: ``y`` rows are ``units``, columns ``periods``."""

    start: str
    pilots: list[str]
    periods: list[str]
    n_pre: int
    units: list[str]  # the comparators usable for this cohort, then its pilots
    y: Array

    @property
    def n_post(self) -> int:
        return len(self.periods) - self.n_pre


@dataclass(frozen=True)
class CohortEstimate:
    start: str
    pilots: list[str]
    n_pre_periods: int
    n_post_periods: int
    weight: float  # share of the treated pilot-periods
    estimate: float
    donor_weights: list[dict[str, Any]]  # organisation, weight; largest first
    time_weights: list[dict[str, Any]] = field(default_factory=list)  # SDID only
    zeta: float | None = None  # SDID only
    pre_rmspe: float | None = None  # synthetic control only
    post_rmspe: float | None = None


@dataclass(frozen=True)
class SyntheticResult:
    method: str
    estimate: float
    se: float | None
    ci95: tuple[float, float] | None
    p_value: float | None
    placebo_replications: int
    n_pilots: int
    n_comparators: int
    cohorts: list[CohortEstimate]
    excluded: list[str]  # comparators left out for missing figures
    caveats: list[str]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ci95"] = list(self.ci95) if self.ci95 is not None else None
        return out


# --------------------------------------------------------------------------- weights


def simplex_least_squares(a: Array, b: Array, *, ridge: float = 0.0) -> Array:
    """``argmin ‖a·w − b‖² + ridge·‖w‖²`` over ``w ≥ 0, Σw = 1``.

    Solved exactly by non-negative least squares with the sum as a heavily weighted extra
    row (fully constrained least squares); the sum is off by about 1e-8 and is rescaled.
    """
    n = a.shape[1]
    if n == 1:
        return np.ones(1)
    scale = max(1.0, float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    heavy = 1e4 * scale
    rows = [a, np.full((1, n), heavy)]
    target = [b, np.array([heavy])]
    if ridge > 0:
        rows.insert(1, np.sqrt(ridge) * np.eye(n))
        target.insert(1, np.zeros(n))
    # Imported here: scipy.optimize takes about half a second to import, and the URLs import
    # this module in every process (each command's checks, each web worker).
    from scipy import optimize

    w, _ = optimize.nnls(np.vstack(rows), np.concatenate(target), maxiter=50 * n)
    w = np.clip(w, 0.0, None)
    return np.asarray(w / w.sum(), dtype=np.float64)


def noise_level(y_donors_pre: Array) -> float:
    """σ̂: the standard deviation of the comparators' period-to-period changes before the start."""
    changes = np.diff(y_donors_pre, axis=1)
    return float(changes.std(ddof=1)) if changes.size > 1 else 0.0


def unit_weights(y_donors_pre: Array, target_pre: Array, *, zeta: float) -> Array:
    """SDID ω: comparators' pre-period paths, with an intercept, parallel to ``target_pre``."""
    a = y_donors_pre.T - y_donors_pre.T.mean(axis=0)  # intercept: centre each path over time
    b = target_pre - target_pre.mean()
    return simplex_least_squares(a, b, ridge=zeta**2 * a.shape[0])


def time_weights(y_donors_pre: Array, donors_post_mean: Array, *, sigma: float) -> Array:
    """SDID λ: pre-periods weighted so the comparators' weighted past resembles their future."""
    a = y_donors_pre - y_donors_pre.mean(axis=0)  # intercept: centre each period over units
    b = donors_post_mean - donors_post_mean.mean()
    return simplex_least_squares(a, b, ridge=(TIME_RIDGE * sigma) ** 2 * a.shape[0])


def weighted_did(y: Array, *, n_donors: int, n_pre: int, omega: Array, lam: Array) -> float:
    """The difference-in-differences with comparator weights ω and pre-period weights λ.

    Rows of ``y`` are the comparators then the pilots; with uniform ω and λ this is the
    plain difference-in-differences of means.
    """
    donors, pilots = y[:n_donors], y[n_donors:]
    pilots_change = pilots[:, n_pre:].mean() - pilots[:, :n_pre].mean(axis=0) @ lam
    donors_change = omega @ donors[:, n_pre:].mean(axis=1) - omega @ donors[:, :n_pre] @ lam
    return float(pilots_change - donors_change)


def sdid_block(y: Array, *, n_donors: int, n_pre: int) -> tuple[float, Array, Array, float]:
    """SDID on one block (rows: comparators then pilots): (estimate, ω, λ, ζ)."""
    donors_pre = y[:n_donors, :n_pre]
    n_pilots, n_post = y.shape[0] - n_donors, y.shape[1] - n_pre
    sigma = noise_level(donors_pre if n_pre > 1 else y[:n_donors])
    zeta = (n_pilots * n_post) ** 0.25 * sigma
    omega = unit_weights(donors_pre, y[n_donors:, :n_pre].mean(axis=0), zeta=zeta)
    lam = time_weights(donors_pre, y[:n_donors, n_pre:].mean(axis=1), sigma=sigma)
    return weighted_did(y, n_donors=n_donors, n_pre=n_pre, omega=omega, lam=lam), omega, lam, zeta


def sc_block(y: Array, *, n_donors: int, n_pre: int) -> tuple[Array, Array]:
    """Synthetic control on one block: (donor weights, the pilots' gap in every period)."""
    donors, treated = y[:n_donors], y[n_donors:].mean(axis=0)
    sigma = noise_level(donors[:, :n_pre] if n_pre > 1 else donors)
    omega = simplex_least_squares(
        donors[:, :n_pre].T, treated[:n_pre], ridge=(TIME_RIDGE * sigma) ** 2 * n_pre
    )
    return omega, treated - omega @ donors


# --------------------------------------------------------------------------- cohorts


def cohorts(
    *, data: pd.DataFrame, pilots: Mapping[str, str | Period], comparators: Sequence[str]
) -> tuple[list[Cohort], list[str]]:
    """The adoption cohorts in wide form, and the comparators left out for missing figures.

    Each cohort keeps the periods every one of its pilots has a figure for; a comparator
    is used only if it has a figure in every period of every cohort (the placebo draws
    need one pool of comparators).
    """
    if not pilots:
        raise SyntheticInputError("no pilot organisations given")
    frame = data[["organisation", "period", "value"]].copy()
    frame["organisation"] = frame["organisation"].astype(str)
    try:
        parsed = [parse_period(text=p) for p in frame["period"]]
        starts = {str(o): parse_period(text=s) for o, s in pilots.items()}
    except PeriodError as exc:
        raise SyntheticInputError(str(exc)) from None
    frame["ordinal"] = [p.ordinal for p in parsed]
    labels = {p.ordinal: p.label for p in parsed}
    wide = frame.pivot_table(
        index="organisation", columns="ordinal", values="value", aggfunc="first"
    )
    if missing := sorted(set(starts) - set(wide.index)):
        raise SyntheticInputError(f"pilot(s) with no figures: {', '.join(missing)}")
    by_start: dict[int, list[str]] = {}
    for organisation, period in sorted(starts.items()):
        by_start.setdefault(period.ordinal, []).append(organisation)
    columns: dict[int, list[int]] = {}
    for start, members in by_start.items():
        observed = wide.loc[members].notna().all(axis=0)
        columns[start] = [c for c in wide.columns if observed[c]]
    needed = sorted({c for cols in columns.values() for c in cols})
    present = [c for c in comparators if c in wide.index]
    pool = [c for c in present if wide.loc[c, needed].notna().all()]
    excluded = sorted(set(comparators) - set(pool))
    out = []
    for start, members in sorted(by_start.items()):
        cols = columns[start]
        n_pre = sum(c < start for c in cols)
        if n_pre == 0 or n_pre == len(cols):
            when = "before" if n_pre == 0 else "at or after"
            raise SyntheticInputError(
                f"pilot(s) {', '.join(members)} have no figures {when} their start, "
                "so there is no change to compare"
            )
        out.append(Cohort(
            start=starts[members[0]].label, pilots=members, periods=[labels[c] for c in cols],
            n_pre=n_pre, units=pool + members,
            y=wide.loc[pool + members, cols].to_numpy(dtype=np.float64),
        ))  # fmt: skip
    if len(pool) < 2:
        raise SyntheticInputError(
            f"{len(pool)} comparison organisation(s) with a figure in every period the pilots "
            "have; synthetic comparators need at least 2"
        )
    return out, excluded


def _cohort_weights(blocks: Sequence[Cohort]) -> Array:
    pilot_periods = np.array([len(c.pilots) * c.n_post for c in blocks], dtype=np.float64)
    return np.asarray(pilot_periods / pilot_periods.sum(), dtype=np.float64)


def _listed(names: Sequence[str], weights: Array) -> list[dict[str, Any]]:
    pairs = sorted(zip(names, weights, strict=True), key=lambda p: (-p[1], p[0]))
    return [
        {"organisation": n, "weight": round(float(w), 4)} for n, w in pairs if w >= SHOWN_WEIGHT
    ]


# --------------------------------------------------------------------------- estimators


def synthetic_did(
    *,
    data: pd.DataFrame,
    pilots: Mapping[str, str | Period],
    comparators: Sequence[str],
    replications: int = PLACEBO_REPLICATIONS,
    seed: int = 0,
) -> SyntheticResult:
    """SDID per adoption cohort, averaged by treated pilot-periods, with placebo variance."""
    blocks, excluded = cohorts(data=data, pilots=pilots, comparators=comparators)
    weights = _cohort_weights(blocks)
    pool = len(blocks[0].units) - len(blocks[0].pilots)
    estimates = []
    for block, w in zip(blocks, weights, strict=True):
        tau, omega, lam, zeta = sdid_block(block.y, n_donors=pool, n_pre=block.n_pre)
        estimates.append(CohortEstimate(
            start=block.start, pilots=block.pilots, n_pre_periods=block.n_pre,
            n_post_periods=block.n_post, weight=float(w), estimate=tau,
            donor_weights=_listed(block.units[:pool], omega),
            time_weights=[{"period": p, "weight": round(float(x), 4)}
                          for p, x in zip(block.periods[: block.n_pre], lam, strict=True)
                          if x >= SHOWN_WEIGHT],
            zeta=zeta,
        ))  # fmt: skip
    estimate = float(weights @ np.array([e.estimate for e in estimates]))
    n_pilots = sum(len(b.pilots) for b in blocks)
    caveats = _caveats(blocks=blocks, pool=pool, excluded=excluded)
    se = ci = p = None
    used = 0
    if pool > n_pilots and replications > 1:
        draws = _placebo_sdid(blocks=blocks, weights=weights, pool=pool, n=replications, seed=seed)
        used = len(draws)
        se = float(np.sqrt((used - 1) / used * draws.var(ddof=1)))
        if se > 0:
            ci = (estimate - 1.96 * se, estimate + 1.96 * se)
            p = float(2 * stats.norm.sf(abs(estimate) / se))
    else:
        caveats.append(
            f"No interval: the placebo variance needs more comparison organisations ({pool}) "
            f"than pilots ({n_pilots})."
        )
    return SyntheticResult(
        "synthetic difference-in-differences", estimate, se, ci, p, used, n_pilots, pool,
        estimates, excluded, caveats,
    )  # fmt: skip


def _placebo_sdid(
    *, blocks: Sequence[Cohort], weights: Array, pool: int, n: int, seed: int
) -> Array:
    """Estimates with comparators drawn at random into the pilots' places (every cohort at once)."""
    rng = np.random.default_rng(seed)
    sizes = [len(b.pilots) for b in blocks]
    draws = np.empty(n)
    for r in range(n):
        order = rng.permutation(pool)
        donors = order[sum(sizes) :]
        taken, tau = 0, 0.0
        for block, size, w in zip(blocks, sizes, weights, strict=True):
            pseudo = order[taken : taken + size]
            y = block.y[np.concatenate([donors, pseudo])]
            tau += w * sdid_block(y, n_donors=len(donors), n_pre=block.n_pre)[0]
            taken += size
        draws[r] = tau
    return draws


def synthetic_control(
    *,
    data: pd.DataFrame,
    pilots: Mapping[str, str | Period],
    comparators: Sequence[str],
    replications: int = PLACEBO_REPLICATIONS,
    seed: int = 0,
) -> SyntheticResult:
    """Synthetic control per adoption cohort (for the cohort's average), with in-space placebos.

    With one pilot every comparator is the pretend pilot once (Abadie's in-space placebo). With
    several, a pretend group is as many comparators as there are pilots, drawn at random
    ``replications`` times, so that an average of several organisations (smoother, and more
    easily matched before the start) is ranked among averages of as many.
    """
    blocks, excluded = cohorts(data=data, pilots=pilots, comparators=comparators)
    weights = _cohort_weights(blocks)
    pool = len(blocks[0].units) - len(blocks[0].pilots)
    estimates, ratios = [], []
    for block, w in zip(blocks, weights, strict=True):
        omega, gap = sc_block(block.y, n_donors=pool, n_pre=block.n_pre)
        pre, post = _rmspe(gap[: block.n_pre]), _rmspe(gap[block.n_pre :])
        ratios.append(post / pre if pre > 0 else np.inf)
        estimates.append(CohortEstimate(
            start=block.start, pilots=block.pilots, n_pre_periods=block.n_pre,
            n_post_periods=block.n_post, weight=float(w), estimate=float(gap[block.n_pre :].mean()),
            donor_weights=_listed(block.units[:pool], omega), pre_rmspe=pre, post_rmspe=post,
        ))  # fmt: skip
    actual = float(weights @ np.array(ratios))
    sizes = [len(b.pilots) for b in blocks]
    caveats = _caveats(blocks=blocks, pool=pool, excluded=excluded)
    p, used = None, 0
    if pool > sum(sizes):
        groups = _placebo_groups(pool=pool, sizes=sizes, replications=replications, seed=seed)
        placebo = np.array([
            sum(w * _placebo_ratio(block, group=group, pool=pool) for block, group, w in
                zip(blocks, draw, weights, strict=True)) for draw in groups
        ])  # fmt: skip
        used = len(groups)
        p = float((1 + np.sum(placebo >= actual - 1e-12)) / (1 + used))
        caveats.append(
            "The p-value ranks the pilots' ratio of post- to pre-start gap (root mean squared) "
            f"among the same ratio for {used} pretend pilot groups of comparison organisations; "
            f"it cannot be below {1 / (1 + used):.3f}."
        )
    else:
        caveats.append("No p-value: the placebo needs more comparison organisations than pilots.")
    estimate = float(weights @ np.array([e.estimate for e in estimates]))
    return SyntheticResult(
        "synthetic control", estimate, None, None, p, used, sum(sizes), pool, estimates,
        excluded, caveats,
    )  # fmt: skip


def _placebo_groups(
    *, pool: int, sizes: Sequence[int], replications: int, seed: int
) -> list[list[npt.NDArray[np.intp]]]:
    """Pretend pilots for each cohort: every comparator once for a single pilot, else draws."""
    if sizes == [1]:
        return [[np.array([j])] for j in range(pool)]
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(replications):
        order = rng.permutation(pool)
        bounds = np.cumsum([0, *sizes])
        groups.append([order[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    return groups


def _placebo_ratio(block: Cohort, *, group: npt.NDArray[np.intp], pool: int) -> float:
    rest = np.setdiff1d(np.arange(pool), group)
    y = block.y[np.concatenate([rest, group])]
    _, gap = sc_block(y, n_donors=len(rest), n_pre=block.n_pre)
    pre, post = _rmspe(gap[: block.n_pre]), _rmspe(gap[block.n_pre :])
    return post / pre if pre > 0 else float(np.inf)


def _rmspe(gap: Array) -> float:
    return float(np.sqrt(np.mean(gap**2)))


def _caveats(*, blocks: Sequence[Cohort], pool: int, excluded: Sequence[str]) -> list[str]:
    caveats = []
    if len(blocks) > 1:
        caveats.append(
            f"Pilots started at {len(blocks)} different times: each group starting together is "
            "compared with the comparison organisations on its own, and the groups' estimates "
            "are averaged weighted by their pilot-periods after the start."
        )
    if excluded:
        caveats.append(
            "Left out for lacking a figure in some period the pilots have: "
            f"{', '.join(excluded)}."
        )
    if pool < 10:
        caveats.append(
            f"Only {pool} comparison organisations to draw the synthetic comparison from: "
            "it can only be as close to the pilots as a mix of them allows."
        )
    return caveats
