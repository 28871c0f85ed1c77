"""Plausible made-up metric series for demonstrating the evaluation (seeded, pure).

Three pilot trusts and several comparison trusts, monthly for three years. Each metric is
an organisation level + a national seasonal pattern and trend shared by everyone +
autocorrelated noise; pilots get a modest effect that builds up over the six months after
their start. Trends are parallel by construction, so the evaluation should recover the
``effects`` given here within its uncertainty; as the difference-in-differences averages
over the build-up, expect about 85% of them. The trusts are fictional.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from clinlead.analytics.periods import parse_period

PILOT_NAMES = ("Aldermoor Hospitals", "Brackenfield Health", "Calderbridge Hospitals")
COMPARATOR_NAMES = (
    "Dunmore Vale Hospitals",
    "Eastmere Health",
    "Fernhollow Hospitals",
    "Greysbury Health",
    "Holmcroft Hospitals",
    "Irondale Health",
    "Juniper Cross Hospitals",
    "Kestrelmoor Health",
    "Lindenbrook Hospitals",
    "Marshgate Health",
)
# The third pilot joins a quarter later, as real programmes stagger.
PILOT_START_OFFSETS = (18, 18, 21)
RAMP_MONTHS = 6


@dataclass(frozen=True)
class _Shape:
    level: float  # typical value
    between: float  # SD of organisation levels
    noise: float  # SD of month-to-month noise
    rho: float  # AR(1) correlation of the noise
    winter: float  # extra in January, tapering to 0 in July
    trend: float  # national change per year
    effect: float  # full pilot effect, in the metric's units
    decimals: int
    low: float = -math.inf
    high: float = math.inf


SHAPES = {
    "hsmr": _Shape(100, 6, 3, 0.4, 3, -1, -3.0, 1, low=50),
    "hospital_acquired_infection_rate": _Shape(3.0, 0.6, 0.5, 0.2, 0.3, 0, -0.4, 2, low=0),
    "patient_experience_positive_pct": _Shape(93, 2, 1.0, 0.3, -0.5, 0, 1.5, 1, 0, 100),
    "operating_margin_pct": _Shape(-1.0, 2, 1.0, 0.6, -0.5, -0.3, 0.5, 2),
    "staff_burnout_pct": _Shape(33, 3, 1.5, 0.6, 1, 0.5, -3.0, 1, 0, 100),
    "staff_satisfaction_pct": _Shape(60, 4, 1.5, 0.6, 0, -0.5, 3.0, 1, 0, 100),
    "turnover_pct": _Shape(11, 1.5, 0.4, 0.8, 0, -0.3, -1.0, 2, 0, 100),
    "sickness_absence_pct": _Shape(5.0, 0.5, 0.3, 0.4, 0.6, 0, -0.3, 2, 0, 100),
}


@dataclass(frozen=True)
class DemoSeries:
    # organisation, period, metric, value: the metric-series file layout
    rows: list[dict[str, Any]]
    pilots: dict[str, str]  # organisation -> start period
    comparators: list[str]
    effects: dict[str, float]  # full effect built in after the ramp, per metric


def generate_demo_series(
    *,
    seed: int = 2025,
    first_month: str = "2022-04",
    months: int = 36,
    n_comparators: int = 8,
    metrics: tuple[str, ...] | None = None,
) -> DemoSeries:
    """Monthly demo rows for 3 pilots and ``n_comparators`` comparison trusts."""
    if not 1 <= n_comparators <= len(COMPARATOR_NAMES):
        raise ValueError(f"n_comparators must be 1 to {len(COMPARATOR_NAMES)}")
    if months <= max(PILOT_START_OFFSETS) + 1:
        raise ValueError(f"months must exceed {max(PILOT_START_OFFSETS) + 1}")
    chosen = metrics or tuple(SHAPES)
    unknown = [m for m in chosen if m not in SHAPES]
    if unknown:
        raise ValueError(f"no demo shape for: {', '.join(unknown)}")

    rng = np.random.default_rng(seed)
    first = parse_period(text=first_month)
    periods = [first.shifted(steps=t) for t in range(months)]
    pilots = {
        name: periods[o].label for name, o in zip(PILOT_NAMES, PILOT_START_OFFSETS, strict=True)
    }
    starts = dict(zip(PILOT_NAMES, PILOT_START_OFFSETS, strict=True))
    comparators = list(COMPARATOR_NAMES[:n_comparators])
    organisations = list(PILOT_NAMES) + comparators
    # Month of year 1..12, for a seasonal pattern peaking in January.
    month_of_year = np.array([p.ordinal % 12 + 1 for p in periods])
    winter = np.cos((month_of_year - 1) * 2 * math.pi / 12)

    rows: list[dict[str, Any]] = []
    for metric in chosen:
        shape = SHAPES[metric]
        national = shape.winter * winter + shape.trend * np.arange(months) / 12
        national += rng.normal(0, shape.noise / 3, months)
        for organisation in organisations:
            level = shape.level + rng.normal(0, shape.between)
            noise = _ar1(rng=rng, n=months, rho=shape.rho, sd=shape.noise)
            effect = np.zeros(months)
            if organisation in starts:
                since = np.arange(months) - starts[organisation]
                effect = shape.effect * np.clip((since + 1) / RAMP_MONTHS, 0, 1)
            values = np.clip(level + national + noise + effect, shape.low, shape.high)
            rows += [
                {
                    "organisation": organisation,
                    "period": period.label,
                    "metric": metric,
                    "value": round(float(value), shape.decimals),
                }
                for period, value in zip(periods, values, strict=True)
            ]
    return DemoSeries(
        rows=rows,
        pilots=pilots,
        comparators=comparators,
        effects={metric: SHAPES[metric].effect for metric in chosen},
    )


def demo_rows(*, seed: int = 2025) -> list[dict[str, Any]]:
    """Just the rows of :func:`generate_demo_series` with its defaults."""
    return generate_demo_series(seed=seed).rows


def _ar1(*, rng: np.random.Generator, n: int, rho: float, sd: float) -> np.ndarray:
    # Stationary from the first month, so early periods are not artificially calm.
    out = np.empty(n)
    out[0] = rng.normal(0, sd)
    innovation = sd * math.sqrt(1 - rho**2)
    for t in range(1, n):
        out[t] = rho * out[t - 1] + rng.normal(0, innovation)
    return out
