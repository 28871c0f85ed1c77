"""Eight metrics, no effect: the chance of at least one spurious verdict, not a test.

Issue 15's table: eight metrics each tested at 5 % give at least one "better/worse" far more
often than 5 %. Over --panels panels of 3 pilots and 8 comparators (36 months, common start in
month 19, the noise of benchmarks/did_designs.py) with eight metrics correlated within an
organisation-month (a shared component carrying --correlation of each metric's noise), each
metric's headline is computed with the same randomisation assignments, and counted:

* uncorrected: any metric whose verdict (the rule of clinlead.analytics.verdict) is not unclear;
* Holm: any Holm-adjusted randomisation p < 0.05;
* Romano-Wolf: any step-down adjusted p < 0.05 (clinlead.analytics.multiplicity.romano_wolf).

With --power-panels, the same with an effect of +1 on two of the eight metrics: the share of
panels where each method finds both (and at least one), so the gain from Romano-Wolf shows.

    python3 benchmarks/multiplicity_designs.py [--panels 200] [--correlation 0.5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinlead.analytics.did_staggered import headline  # noqa: E402
from clinlead.analytics.multiplicity import holm, romano_wolf  # noqa: E402
from clinlead.analytics.power_simulation import balanced_design  # noqa: E402

MONTHS, METRICS, UNITS, START = 36, 8, 11, 18
STARTS = {0: START, 1: START, 2: START}


def _ar1(rng, shape):
    out = np.empty(shape)
    out[..., 0] = rng.normal(0, 0.5, shape[:-1])
    for t in range(1, shape[-1]):
        out[..., t] = 0.5 * out[..., t - 1] + rng.normal(0, 0.5 * np.sqrt(0.75), shape[:-1])
    return out


def panel(rng, correlation, effect_on):
    shared = _ar1(rng, (UNITS, MONTHS))
    own = _ar1(rng, (METRICS, UNITS, MONTHS))
    level = rng.normal(50, 5, (METRICS, UNITS, 1))
    national = rng.normal(0, 1, (METRICS, 1, MONTHS))
    values = level + national + np.sqrt(correlation) * shared + np.sqrt(1 - correlation) * own
    for m in effect_on:
        values[m, :3, START:] += 1.0
    return values


def run(panels, correlation, permutations, seed, effect_on):
    rng = np.random.default_rng(seed)
    hits = {"uncorrected": [], "Holm": [], "Romano-Wolf": []}
    both = {"uncorrected": [], "Holm": [], "Romano-Wolf": []}
    began = time.perf_counter()
    for i in range(panels):
        values = panel(rng, correlation, effect_on)
        heads = {
            f"m{m}": headline(design=balanced_design(values[m], STARTS), leads=1, lags=0,
                              permutations=permutations, seed=i)
            for m in range(METRICS)
        }  # fmt: skip
        raw = {k: h["p_value_randomisation"] for k, h in heads.items()}
        adjusted = {
            "uncorrected": {k: 0.0 if h["verdict"] != "unclear" else 1.0 for k, h in heads.items()},
            "Holm": holm(raw),
            "Romano-Wolf": romano_wolf(
                observed={k: h["estimate"] for k, h in heads.items()},
                permuted={k: h["randomisation_statistics"] for k, h in heads.items()},
                exact=heads["m0"]["randomisation_exact"],
            ),
        }
        for method, p in adjusted.items():
            found = {k for k, v in p.items() if v is not None and v < 0.05}
            truly = {f"m{m}" for m in effect_on}
            hits[method].append(bool(found - truly) if not effect_on else bool(found & truly))
            both[method].append(truly <= found if effect_on else False)
    took = time.perf_counter() - began
    what = "at least one spurious verdict" if not effect_on else "finds >= 1 / both real effects"
    for method in hits:
        extra = f" / {100 * np.mean(both[method]):.1f}%" if effect_on else ""
        share = 100 * np.mean(hits[method])
        print(f"correlation {correlation:.1f}, {method:<12} {what}: {share:.1f}%"
              f"{extra}   ({panels} panels, {took:.0f}s)", flush=True)  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--power-panels", type=int, default=0)
    parser.add_argument("--correlation", type=float, default=0.5)
    parser.add_argument("--permutations", type=int, default=99)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    print(f"8 metrics, 3 pilots vs 8 comparators, {MONTHS} months, {args.permutations} "
          "assignments shared by the metrics")
    run(args.panels, args.correlation, args.permutations, args.seed, ())
    if args.power_panels:
        run(args.power_panels, args.correlation, args.permutations, args.seed + 1, (0, 1))
