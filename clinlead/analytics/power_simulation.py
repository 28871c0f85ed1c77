"""Power by simulation, for the test that gives the evaluation's verdict.

:mod:`clinlead.analytics.did_power`'s formula plans for a cluster-robust t-test that the
report no longer uses for its verdict (with 3 pilots the randomisation test reached only
55-75 % power at the formula's "80 %" effect). Here the verdict's own procedure — imputation
estimate, randomisation interval, "higher/lower" only when it excludes zero — is run on
simulated designs and the share of correct verdicts counted.

Where the organisation has history (figures from before any programme, for enough
organisations), each simulation draws that many real series and a window of the planned
length from it, so the noise, seasonality and serial correlation are the organisation's own;
pilots are chosen at random among them and the effect added after their start. Without
history the series are AR(1) with the given spread and serial correlation, plus shocks shared
by every organisation in a period.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from clinlead.analytics.did_inference import FloatArray
from clinlead.analytics.did_power import MIN_ASSIGNMENTS
from clinlead.analytics.did_staggered import Design, headline
from clinlead.analytics.imputation import Layout


@dataclass(frozen=True)
class SimulatedPower:
    power: float  # share of simulations whose verdict found the effect, in its direction
    monte_carlo_se: float
    simulations: int
    effect: float
    n_pilots: int
    n_comparators: int
    periods: int
    start_offsets: list[int]
    source: str  # "history" (the organisation's own series) or "AR(1)"
    permutations: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def history_matrix(*, history: pd.DataFrame) -> FloatArray:
    """Organisations x periods from rows organisation, period (sortable labels), value; only
    organisations observed in every period are kept."""
    table = history.pivot_table(index="organisation", columns="period", values="value")
    table = table.dropna(axis=0, how="any").sort_index(axis=1)
    matrix: FloatArray = np.asarray(table.to_numpy(dtype=float), dtype=np.float64)
    return matrix


def balanced_design(values: FloatArray, starts: Mapping[int, int]) -> Design:
    """The headline's input for an organisations x periods matrix and {row: start column}."""
    units, periods = values.shape
    unit_index, period_index = (
        np.repeat(np.arange(units), periods),
        np.tile(np.arange(periods), units),
    )
    names = [str(u) for u in range(units)]

    def relative_for(assignment: Mapping[str, int]) -> np.ndarray:
        start = np.array([assignment.get(n, np.nan) for n in names], dtype=float)[unit_index]
        relative: np.ndarray = period_index - start
        return relative

    return Design(
        layout=Layout.of(units=unit_index, periods=period_index),
        values=values.ravel().astype(float),
        relative=relative_for({str(u): s for u, s in starts.items()}),
        relative_for=relative_for, organisations=names, starts=list(starts.values()),
    )  # fmt: skip


def _ar1(rng: np.random.Generator, units: int, periods: int, sd: float, rho: float) -> FloatArray:
    out = np.empty((units, periods))
    out[:, 0] = rng.normal(0, sd, units)
    innovation = sd * math.sqrt(1 - rho**2)
    for t in range(1, periods):
        out[:, t] = rho * out[:, t - 1] + rng.normal(0, innovation, units)
    shared = rng.normal(0, sd, (1, periods))
    return out + shared


def simulated_power(
    *,
    effect: float,
    n_pilots: int,
    n_comparators: int,
    periods: int,
    start_offsets: Sequence[int],
    history: pd.DataFrame | None = None,
    sd: float | None = None,
    serial_correlation: float = 0.5,
    simulations: int = 200,
    permutations: int = 99,
    seed: int = 0,
) -> SimulatedPower:
    """Share of simulated evaluations whose verdict detects ``effect`` (two-sided, 5 %).

    ``start_offsets``: each pilot's start, in periods from the first (repeated in turn when
    shorter than ``n_pilots``), so staggered roll-outs are planned as they will run.
    """
    if n_pilots < 1 or n_comparators < 1:
        raise ValueError("need at least one pilot and one comparison organisation")
    if not start_offsets or not all(0 < s < periods for s in start_offsets):
        raise ValueError("every start must fall after the first period and before the last")
    if permutations < MIN_ASSIGNMENTS:
        raise ValueError(f"the verdict needs at least {MIN_ASSIGNMENTS} assignments a panel")
    units = n_pilots + n_comparators
    pool = None if history is None else history_matrix(history=history)
    if pool is not None and (pool.shape[0] < units or pool.shape[1] < periods):
        raise ValueError(
            f"the history has {pool.shape[0]} organisations with every one of {pool.shape[1]} "
            f"periods; this design needs {units} organisations over {periods} periods"
        )
    if pool is None and not (sd and sd > 0):
        raise ValueError("without history, give the metric's spread (sd)")
    rng = np.random.default_rng(seed)
    starts = {u: start_offsets[u % len(start_offsets)] for u in range(n_pilots)}
    detected = 0
    for i in range(simulations):
        if pool is not None:
            chosen = rng.choice(pool.shape[0], size=units, replace=False)
            first = int(rng.integers(0, pool.shape[1] - periods + 1))
            values = pool[chosen, first : first + periods].copy()
        else:
            assert sd is not None
            values = _ar1(rng, units, periods, sd, serial_correlation)
        for unit, start in starts.items():
            values[unit, start:] += effect
        out = headline(design=balanced_design(values, starts), leads=1, lags=0,
                       permutations=permutations, seed=i)  # fmt: skip
        detected += out["verdict"] == ("higher" if effect > 0 else "lower")
    power = detected / simulations
    return SimulatedPower(
        power=power,
        monte_carlo_se=math.sqrt(power * (1 - power) / simulations),
        simulations=simulations, effect=effect, n_pilots=n_pilots, n_comparators=n_comparators,
        periods=periods, start_offsets=list(start_offsets),
        source="history" if pool is not None else "AR(1)", permutations=permutations,
    )  # fmt: skip
