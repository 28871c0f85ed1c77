"""How the evaluation's headline behaves on simulated designs (issue 15's table), not a test.

For each design, over --panels simulated panels: the headline (imputation estimate, its
randomisation interval and the verdict drawn from it) with the design's true effect —
coverage of the true average effect on the pilots and bias — and again with no effect —
the false-verdict rate ("better/worse than comparators" when nothing happened). The same
figures for two-way FE with its CR1 interval show what the headline replaced.

    python3 benchmarks/did_designs.py                  # 200 panels, 99 assignments each
    python3 benchmarks/did_designs.py --panels 50 --permutations 49   # a quick look

Targets: false verdicts <= 6 %, coverage >= 93 %.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from clinlead.analytics.did_staggered import Design, headline
from clinlead.analytics.power_simulation import balanced_design

MONTHS = 36


@dataclass
class Panel:
    values: np.ndarray  # units x months
    starts: dict[int, int]  # pilot row -> start month
    effect: np.ndarray  # units x months, the true effect


def _noise(rng: np.random.Generator, units: int, months: int = MONTHS) -> np.ndarray:
    level = rng.normal(50, 5, (units, 1))
    national = rng.normal(0, 1, (1, months))
    noise = np.empty((units, months))
    noise[:, 0] = rng.normal(0, 0.5, units)
    for t in range(1, months):
        noise[:, t] = 0.5 * noise[:, t - 1] + rng.normal(0, 0.5 * np.sqrt(0.75), units)
    return level + national + noise


def _panel(rng, starts, comparators, effect_of: Callable[[int, int], float], scale: float):
    units = len(starts) + comparators
    values = _noise(rng, units)
    effect = np.zeros_like(values)
    for unit, start in starts.items():
        for t in range(start, MONTHS):
            effect[unit, t] = scale * effect_of(unit, t - start)
    return Panel(values + effect, starts, effect)


def common(rng, scale):
    return _panel(rng, {0: 18, 1: 18, 2: 18}, 8, lambda u, h: 1.0, scale)


def staggered(rng, scale):
    return _panel(rng, {0: 6, 1: 18, 2: 30}, 8, lambda u, h: 0.05 * (h + 1), scale)


def national(rng, scale):
    return _panel(rng, {u: (6, 18, 30)[u % 3] for u in range(30)}, 6,
                  lambda u, h: 0.05 * (h + 1), scale)  # fmt: skip


def cohorts(rng, scale):
    starts = {0: 8, 1: 8, 2: 16, 3: 16, 4: 24, 5: 24}
    return _panel(rng, starts, 8, lambda u, h: (0.5, 1.0, 1.5)[u // 2], scale)


def many(rng, scale):
    return _panel(rng, {0: 18, 1: 18, 2: 18}, 60, lambda u, h: 1.0, scale)


def selected(rng, scale):
    """63 organisations on their own trends; the 3 improving fastest before month 18 pilot."""
    values = _noise(rng, 63) + rng.normal(0, 0.03, (63, 1)) * np.arange(MONTHS)
    slope = np.polyfit(np.arange(18), values[:, :18].T, 1)[0]
    order = np.argsort(-slope)
    values = values[np.concatenate([order[:3], order[3:]])]
    return Panel(values, {0: 18, 1: 18, 2: 18}, np.zeros_like(values))


DESIGNS = {
    "common start, 3 pilots, 8 comparators": common,
    "staggered 3 pilots (6/18/30), effect +0.05/month": staggered,
    "national roll-out, 30 pilots in 3 waves, 6 comparators": national,
    "heterogeneous cohort effects (0.5/1/1.5)": cohorts,
    "common start, 3 pilots, 60 comparators": many,
    "pilots chosen because already improving (3 vs 60, no effect)": selected,
}


def _design(panel: Panel) -> Design:
    return balanced_design(panel.values, panel.starts)


def twfe(panel: Panel) -> tuple[float, float, float]:
    """Two-way FE estimate and its CR1 95 % interval (t on G-1 df)."""
    units, months = panel.values.shape
    d = np.zeros((units, months))
    for u, s in panel.starts.items():
        d[u, s:] = 1

    def within(x):
        return x - x.mean(1, keepdims=True) - x.mean(0, keepdims=True) + x.mean()

    z, y = within(d), within(panel.values)
    beta = (z * y).sum() / (z * z).sum()
    residual = y - beta * z
    scores = (z * residual).sum(1)
    n, k = units * months, units + months
    scale = units / (units - 1) * (n - 1) / (n - k)
    se = np.sqrt(scale * (scores**2).sum()) / (z * z).sum()
    half = stats.t.ppf(0.975, units - 1) * se
    return beta, beta - half, beta + half



def treated_cells(panel):
    """(organisations, months) mask of the cells after each pilot's start."""
    treated = np.zeros(panel.values.shape, bool)
    for u, s in panel.starts.items():
        treated[u, s:] = True
    return treated

def run(panels: int, permutations: int, seed: int) -> None:
    print(f"{panels} panels per design and scenario, {permutations} random start-date assignments")
    header = ("design", "true", "bias", "cover", "false", "TWFE bias", "TWFE cover", "TWFE false")
    print("{:<64} {:>6} {:>7} {:>6} {:>6} {:>9} {:>10} {:>10}".format(*header))
    for name, make in DESIGNS.items():
        began = time.perf_counter()
        rng = np.random.default_rng(seed)
        truth, bias, cover, false, t_bias, t_cover, t_false = [], [], [], [], [], [], []
        for i in range(panels):
            for scale in (1.0, 0.0):
                panel = make(rng, scale)
                true = float(panel.effect[treated_cells(panel)].mean())
                out = headline(design=_design(panel), leads=1, lags=0,
                               permutations=permutations, seed=i)  # fmt: skip
                low, high = out["ci95_randomisation"]
                low, high = -np.inf if low is None else low, np.inf if high is None else high
                beta, t_low, t_high = twfe(panel)
                if scale:
                    truth.append(true)
                    bias.append(out["estimate"] - true)
                    cover.append(low <= true <= high)
                    t_bias.append(beta - true)
                    t_cover.append(t_low <= true <= t_high)
                else:
                    false.append(out["verdict"] != "unclear")
                    t_false.append(t_low > 0 or t_high < 0)
        true_mean = np.mean(truth)

        def pct(x):
            return f"{100 * np.mean(x):.1f}%"

        def rel(x, scale=true_mean):
            return f"{100 * np.mean(x) / scale:+.1f}%" if scale else f"{np.mean(x):+.3f}"

        print(f"{name:<64} {true_mean:>6.3f} {rel(bias):>7} {pct(cover):>6} {pct(false):>6} "
              f"{rel(t_bias):>9} {pct(t_cover):>10} {pct(t_false):>10}"
              f"   ({time.perf_counter() - began:.0f}s)", flush=True)  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--permutations", type=int, default=99)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    run(args.panels, args.permutations, args.seed)
