"""How often do the synthetic comparators give a false verdict, and do their intervals cover?

    python3 benchmarks/synthetic_designs.py [--panels 200] [--replications 200] [--seed 0]

Simulates placebo panels (no effect on the pilots) for two designs from issue 15 and, on each,
runs the plain difference-in-differences (two-way fixed effects with CR1 errors, as
`clinlead.analytics.did.estimate_did` computes it), synthetic difference-in-differences with
placebo variance and synthetic control with in-space placebos:

* **common start**: 3 pilots and 60 comparators, 36 months, all pilots starting in month 19;
  organisation levels, a national path shared by all, AR(1) noise (rho 0.5);
* **already improving**: the same, plus a trend of each organisation's own (sd 0.03 a month);
  the 3 pilots are the organisations that improved most over the 12 months before the start
  (as when trusts volunteer, or are picked, because things are going well).

Prints, per design and method: the mean estimate (the bias, since the truth is 0), the
false-verdict rate (the 95% interval excludes 0, or for synthetic control the placebo p-value
is below 0.05) and the coverage of the 95% interval. The effect added to the pilots would
shift every estimate by exactly that amount (both synthetic estimators are additive in it, and
the placebo variance does not use the pilots), so the coverage of a true effect equals the
coverage of 0 here. Timings are printed too, for the record, not as a target.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

# Benchmark this checkout, whichever copy of clinlead happens to be installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinlead.analytics.did import estimate_did  # noqa: E402
from clinlead.analytics.periods import parse_period  # noqa: E402
from clinlead.analytics.synthetic import synthetic_control, synthetic_did  # noqa: E402

MONTHS, START, N_PILOTS, N_COMPARATORS = 36, 18, 3, 60
FIRST = parse_period(text="2023-01")
LABELS = [FIRST.shifted(steps=t).label for t in range(MONTHS)]


def simulate(*, rng, own_trends):
    """A wide (organisations x months) panel and the pilots chosen for it."""
    n = N_PILOTS + N_COMPARATORS
    level = rng.normal(50, 5, n)[:, None]
    national = rng.normal(0, 1.0, MONTHS)[None, :]
    slope = rng.normal(0, 0.03, n)[:, None] if own_trends else np.zeros((n, 1))
    noise = np.zeros((n, MONTHS))
    noise[:, 0] = rng.normal(0, 0.5, n)
    for t in range(1, MONTHS):
        noise[:, t] = 0.5 * noise[:, t - 1] + rng.normal(0, 0.5 * np.sqrt(0.75), n)
    y = level + national + slope * np.arange(MONTHS)[None, :] + noise
    if own_trends:
        # "Already improving": the largest rise over the last 12 months before the start.
        rise = y[:, START - 6 : START].mean(axis=1) - y[:, START - 12 : START - 6].mean(axis=1)
        pilots = np.argsort(-rise)[:N_PILOTS]
    else:
        pilots = rng.choice(n, N_PILOTS, replace=False)
    return y, pilots


def frame(y, pilots):
    names = [f"P{i}" if i in set(pilots) else f"C{i}" for i in range(y.shape[0])]
    data = pd.DataFrame({
        "organisation": np.repeat(names, MONTHS), "period": LABELS * y.shape[0], "value": y.ravel(),
    })  # fmt: skip
    starts = {name: LABELS[START] for name in names if name.startswith("P")}
    return data, starts, [name for name in names if name.startswith("C")]


def twfe_cr1(y, pilots):
    """Two-way FE DiD with CR1 errors and t(G-1) interval on a balanced common-start panel, by
    the within transformation: the same figures as `estimate_did` (checked on the first panel),
    without its few seconds of dummy-variable regression per panel."""
    g, t = y.shape
    d = np.zeros_like(y)
    d[pilots, START:] = 1.0

    def within(x):
        return x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()

    yw, dw = within(y), within(d)
    beta = float((yw * dw).sum() / (dw**2).sum())
    residual = yw - beta * dw
    n, k = g * t, 1 + 1 + (g - 1) + (t - 1)
    meat = ((dw * residual).sum(axis=1) ** 2).sum()
    se = float(np.sqrt(g / (g - 1) * (n - 1) / (n - k) * meat / (dw**2).sum() ** 2))
    half = stats.t.ppf(0.975, g - 1) * se
    return beta, (beta - half, beta + half)


def run(*, design, panels, replications, seed):
    rng = np.random.default_rng(seed)
    rows = {"DiD (two-way FE, CR1)": [], "synthetic DiD (placebo variance)": [],
            "synthetic control (in-space placebo)": []}
    took = dict.fromkeys(rows, 0.0)
    for i in range(panels):
        y, pilots = simulate(rng=rng, own_trends=design == "already improving")
        data, starts, comparators = frame(y, pilots)
        design_args = {"data": data, "pilots": starts, "comparators": comparators}
        t = time.perf_counter()
        estimate, (low, high) = twfe_cr1(y, pilots)
        took["DiD (two-way FE, CR1)"] += time.perf_counter() - t
        if i == 0:
            product = estimate_did(**design_args, permutations=0)
            expected = [product.estimate, *product.ci95]
            assert np.allclose([estimate, low, high], expected), "DiD check"
        rows["DiD (two-way FE, CR1)"].append((estimate, low > 0 or high < 0, low <= 0 <= high))
        t = time.perf_counter()
        sdid = synthetic_did(**design_args, replications=replications, seed=i)
        took["synthetic DiD (placebo variance)"] += time.perf_counter() - t
        low, high = sdid.ci95
        rows["synthetic DiD (placebo variance)"].append((sdid.estimate, low > 0 or high < 0,
                                                         low <= 0 <= high))
        t = time.perf_counter()
        sc = synthetic_control(**design_args)
        took["synthetic control (in-space placebo)"] += time.perf_counter() - t
        rows["synthetic control (in-space placebo)"].append((sc.estimate, sc.p_value < 0.05, None))
    return rows, took


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--replications", type=int, default=200, help="placebo draws for SDID")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{args.panels} placebo panels per design, {N_PILOTS} pilots vs {N_COMPARATORS} "
          f"comparators, {MONTHS} months, start in month {START + 1}; SDID placebo draws "
          f"{args.replications}; no effect (truth 0)")
    print(f"{'design':<20} {'method':<38} {'mean est.':>10} {'sd':>7} {'false verdict':>14} "
          f"{'coverage':>9} {'s/panel':>8}")
    bias = {}
    for design in ("common start", "already improving"):
        rows, took = run(design=design, panels=args.panels, replications=args.replications,
                         seed=args.seed + (design == "already improving"))
        for method, results in rows.items():
            estimates = np.array([r[0] for r in results])
            false = np.mean([r[1] for r in results])
            covered = [r[2] for r in results if r[2] is not None]
            coverage = f"{np.mean(covered):.1%}" if covered else "-"
            bias[(design, method)] = estimates.mean()
            print(f"{design:<20} {method:<38} {estimates.mean():>10.3f} {estimates.std():>7.3f} "
                  f"{false:>14.1%} {coverage:>9} {took[method] / args.panels:>8.3f}")
    for design in ("common start", "already improving"):
        plain = bias[(design, "DiD (two-way FE, CR1)")]
        sdid = bias[(design, "synthetic DiD (placebo variance)")]
        print(f"{design}: bias of synthetic DiD / bias of DiD = {sdid:.3f} / {plain:.3f} = "
              f"{sdid / plain if plain else float('nan'):.2f}")


if __name__ == "__main__":
    main()
