"""Coverage of the rate model's 95 % interval (issue 15, rates): not a speed benchmark.

    python3 benchmarks/rate_interval.py [--panels 200] [--permutations 99] [--seed 15]

Panels of 20 trusts x 36 months of counts with exposure (bed days differ fourfold between
trusts): log rate = trust effect + month effect shared by all + each trust's own AR(1)
wobble (sd 0.08, rho 0.6), counts Poisson around it. Three pilots drawn at random start at
months 15, 18 and 21. Two designs:

* placebo: no effect, so the rate ratio's truth is 1;
* effect: the pilots' expected counts are multiplied by 0.85 after their start.

For each the share of panels whose interval holds the truth, and (placebo) whose interval
excludes 1: the randomisation-inverted interval (did_report.rate_model) beside the
conventional cluster-robust (CR1) interval of a Poisson regression with trust and month
effects and a pilot-after-start indicator (statsmodels), which with three treated trusts
is known to be too narrow.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinlead.analytics.did import prepare_panel  # noqa: E402
from clinlead.analytics.did_report import design_of, rate_model  # noqa: E402

TRUSTS, MONTHS, STARTS = 20, 36, (15, 18, 21)


def panel(rng, *, ratio):
    exposure = rng.uniform(5_000, 20_000, TRUSTS)  # bed days a month
    base = np.log(4e-3) + rng.normal(0, 0.25, TRUSTS)  # infections per bed day
    month = rng.normal(0, 0.08, MONTHS)
    wobble = np.zeros((TRUSTS, MONTHS))
    wobble[:, 0] = rng.normal(0, 0.08, TRUSTS)
    for t in range(1, MONTHS):
        wobble[:, t] = 0.6 * wobble[:, t - 1] + rng.normal(0, 0.08 * np.sqrt(1 - 0.36), TRUSTS)
    pilots = rng.choice(TRUSTS, size=len(STARTS), replace=False)
    effect = np.ones((TRUSTS, MONTHS))
    for trust, start in zip(pilots, STARTS, strict=True):
        effect[trust, start:] = ratio
    mean = exposure[:, None] * np.exp(base[:, None] + month[None, :] + wobble) * effect
    counts = rng.poisson(mean)
    rows = [
        {"organisation": f"T{u:02d}", "period": f"{2021 + t // 12}-{t % 12 + 1:02d}",
         "value": float(counts[u, t]), "exposure": float(exposure[u])}
        for u in range(TRUSTS) for t in range(MONTHS)
    ]  # fmt: skip
    starts = {
        f"T{u:02d}": f"{2021 + s // 12}-{s % 12 + 1:02d}"
        for u, s in zip(pilots, STARTS, strict=True)
    }
    return pd.DataFrame(rows), starts


def cluster_robust(frame, starts):
    import statsmodels.api as sm

    start_ordinal = {org: int(s[:4]) * 12 + int(s[5:]) for org, s in starts.items()}
    ordinal = frame["period"].map(lambda p: int(p[:4]) * 12 + int(p[5:]))
    pairs = zip(frame["organisation"], ordinal, strict=True)
    treated = np.array([o in start_ordinal and m >= start_ordinal[o] for o, m in pairs], float)
    x = pd.get_dummies(frame[["organisation", "period"]], drop_first=True, dtype=float)
    x.insert(0, "treated", treated)
    x = sm.add_constant(x)
    groups = pd.factorize(frame["organisation"])[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(frame["value"], x, family=sm.families.Poisson(),
                     offset=np.log(frame["exposure"])).fit(cov_type="cluster",
                                                           cov_kwds={"groups": groups})  # fmt: skip
    low, high = np.exp(fit.conf_int().loc["treated"])
    return float(low), float(high)


def run(*, design, ratio, panels, permutations, rng):
    covered = {"randomisation": 0, "cluster-robust (CR1)": 0}
    excludes_one = dict.fromkeys(covered, 0)
    widths, seconds, no_interval = [], [], 0
    for i in range(panels):
        frame, starts = panel(rng, ratio=ratio)
        started = time.perf_counter()
        result = rate_model(design=design_of(prepare_panel(data=frame, pilots=starts)),
                            permutations=permutations, seed=i)  # fmt: skip
        seconds.append(time.perf_counter() - started)
        low, high = result["ci95_rate_ratio"]
        if low is None and high is None:
            no_interval += 1
        low = 0.0 if low is None else low
        high = np.inf if high is None else high
        widths.append(np.log(high / low) if low > 0 and np.isfinite(high) else np.inf)
        for name, (a, b) in (("randomisation", (low, high)),
                             ("cluster-robust (CR1)", cluster_robust(frame, starts))):  # fmt: skip
            covered[name] += a <= ratio <= b
            excludes_one[name] += not (a <= 1 <= b)
    print(f"\n{design}: true rate ratio {ratio}, {panels} panels, {permutations} assignments each")
    for name in covered:
        print(
            f"  {name:<22} coverage {100 * covered[name] / panels:5.1f} %   "
            f"interval excludes 1: {100 * excludes_one[name] / panels:5.1f} %"
        )
    print(
        f"  randomisation interval: median width (log) {np.median(widths):.3f}; "
        f"no interval {no_interval}; {np.median(seconds):.2f} s a panel (median), "
        f"{np.max(seconds):.2f} s at most"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--permutations", type=int, default=99)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--design", choices=["placebo", "effect", "both"], default="both")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"{TRUSTS} trusts x {MONTHS} months, 3 pilots starting months {STARTS}")
    for design, ratio in (("placebo", 1.0), ("effect", 0.85)):
        if args.design in (design, "both"):
            run(design=design, ratio=ratio, panels=args.panels,
                permutations=args.permutations, rng=rng)  # fmt: skip


if __name__ == "__main__":
    main()
