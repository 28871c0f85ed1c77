"""Survey statistics under leader-level clustering (issue 15, point 8): not a speed benchmark.

    python3 benchmarks/association_clustering.py [--cycles 200] [--seed 15]

1. **Association**: over simulated cycles (80 leaders, team sizes 3-40, each rating the leader
   with person-level noise, burnout depending on the own rating and on a team effect shared by
   the leader's respondents), how often the 95 % interval of the odds ratio per point covers the
   organisation-wide odds ratio (the plain logistic fit on a 400,000-response population of the
   same process) for the plain logistic, the cluster-robust (CR1) and the GEE-exchangeable models.
   Two designs: team effects independent of the leader's rating, and team effects that go with
   it (a team-level confounder: better-rated leaders also have teams with other reasons to burn
   out less).
2. **Bands**: over simulated cycles of 120 published leaders (n from 5 to 40, true scores
   N(48, 5^2), ratings N(true, 8^2) rounded and clipped to 12-60), how often a leader whose
   true score is in the middle half is put in the top or bottom quarter, at n <= 8 and at
   n >= 25: raw percentile quarters (as the talent search did) and shrunk-score bands (with the
   minimum n for a band at 1, i.e. shrinkage alone, and at its default 10); and how often a high
   scorer (raw index in the top quarter) with n = 5 has an interval above 60.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats

# Measure this checkout, whichever copy of clinlead happens to be installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clinlead.analytics.association_clustered import cluster_robust, clustered_per_point  # noqa: E402
from clinlead.analytics.shrinkage import shrink  # noqa: E402

SCALE = (12.0, 60.0)


def association_cycle(rng, *, leaders, confounded, slope=-0.06, team_sd=0.7):
    sizes = np.clip(np.round(rng.lognormal(np.log(10), 0.7, leaders)), 3, 40).astype(int)
    cluster = np.repeat(np.arange(leaders), sizes)
    quality = rng.normal(0, 4, leaders)
    x = np.clip(np.round(40 + quality[cluster] + rng.normal(0, 7, len(cluster))), *SCALE)
    team = rng.normal(0, team_sd, leaders)
    if confounded:
        team = team - 0.08 * quality  # better-rated leaders' teams also burn out less
    p = 1 / (1 + np.exp(-(-0.8 + slope * (x - 40) + team[cluster])))
    y = (rng.random(len(cluster)) < p).astype(np.int8)
    return x, y, cluster


def population_slope(seed, *, confounded):
    """The organisation-wide log odds ratio per point: the plain fit on a very large cycle."""
    from clinlead.analytics.association_clustered import fit_logit

    x, y, _ = association_cycle(np.random.default_rng(seed), leaders=40_000, confounded=confounded)
    beta = fit_logit(X=np.column_stack([np.ones_like(x), x]), y=y.astype(float))
    return float(beta[1])


def association(cycles, seed):
    print("1. Odds ratio per point, 95 % interval coverage of the organisation-wide odds ratio")
    print(f"   ({cycles} simulated cycles each, 80 leaders, about 1,000 responses)")
    print("   (cluster_robust: CR2 small-sample adjustment, as published; CR1 for comparison)")
    for confounded in (False, True):
        truth = population_slope(seed + 1000, confounded=confounded)
        rng = np.random.default_rng(seed)
        covered = {"plain": 0, "cluster_robust_CR1": 0, "cluster_robust": 0, "gee_exchangeable": 0}
        width = {name: [] for name in covered}
        fitted = 0
        for _ in range(cycles):
            x, y, cluster = association_cycle(rng, leaders=80, confounded=confounded)
            robust = clustered_per_point(index=x, outcome=y, cluster=cluster, min_n=5)
            gee = clustered_per_point(
                index=x, outcome=y, cluster=cluster, min_n=5, method="gee_exchangeable"
            )
            if robust["ci95"] is None or gee["ci95"] is None:
                continue
            fitted += 1
            beta, cov, _ = cluster_robust(
                X=np.column_stack([np.ones_like(x), x]),
                y=y.astype(float),
                cluster=cluster,
                small_sample="CR1",
            )
            half = stats.t.ppf(0.975, 79) * np.sqrt(cov[1, 1])
            cr1 = np.exp([beta[1] - half, beta[1] + half])
            for name, ci in (
                ("plain", robust["ci95_unclustered"]),
                ("cluster_robust_CR1", cr1),
                ("cluster_robust", robust["ci95"]),
                ("gee_exchangeable", gee["ci95"]),
            ):
                low, high = np.log(ci)
                covered[name] += low <= truth <= high
                width[name].append(high - low)
        design = "team effects go with the rating" if confounded else "team effects independent"
        print(f"   {design} (true OR per point {np.exp(truth):.4f}, {fitted} cycles fitted):")
        for name in covered:
            print(
                f"     {name:18s} coverage {100 * covered[name] / fitted:5.1f} %   "
                f"mean width (log OR) {np.mean(width[name]):.4f}"
            )


def band_cycle(rng, *, leaders=120):
    n = np.where(
        rng.random(leaders) < 0.4, rng.integers(5, 9, leaders), rng.integers(9, 41, leaders)
    )
    truth = rng.normal(48, 5, leaders)
    means, low, high = np.empty(leaders), np.empty(leaders), np.empty(leaders)
    for i in range(leaders):
        ratings = np.clip(np.round(rng.normal(truth[i], 8, n[i])), *SCALE)
        means[i] = ratings.mean()
        half = stats.t.ppf(0.975, n[i] - 1) * ratings.std(ddof=1) / np.sqrt(n[i])
        low[i], high[i] = means[i] - half, means[i] + half
    return n, truth, means, low, high


def quarter_of_rank(values):
    """Percentile quarters among the published leaders (0 bottom .. 3 top), mid-rank."""
    ranks = stats.rankdata(values)
    percentile = 100 * (ranks - 0.5) / len(values)
    return np.minimum(percentile // 25, 3).astype(int)


def bands(cycles, seed):
    rng = np.random.default_rng(seed)
    counts = {
        key: [0, 0]
        for key in (
            "raw small",
            "raw large",
            "shrunk small",
            "shrunk large",
            "shrunk10 small",
            "shrunk10 large",
        )
    }
    spans, wholly = [0, 0], {"small": [0, 0], "large": [0, 0]}
    high5_raw, high5_post, high5_unclipped = [0, 0], [0, 0], [0, 0]
    for _ in range(cycles):
        n, truth, means, low, high = band_cycle(rng)
        true_band = quarter_of_rank(truth)
        middle = (true_band == 1) | (true_band == 2)
        raw = quarter_of_rank(means)
        one = shrink(n=n, index=means, ci_low=low, ci_high=high, scale=SCALE, min_n=1)
        ten = shrink(n=n, index=means, ci_low=low, ci_high=high, scale=SCALE, min_n=10)
        for label, assigned in (("raw", raw), ("shrunk", one.band), ("shrunk10", ten.band)):
            for size, where in (("small", n <= 8), ("large", n >= 25)):
                group = middle & where
                counts[f"{label} {size}"][0] += int(
                    np.sum((assigned[group] == 0) | (assigned[group] == 3))
                )
                counts[f"{label} {size}"][1] += int(group.sum())
        extreme = (ten.band_low == ten.band_high) & ((ten.band == 0) | (ten.band == 3))
        for size, where in (("small", n <= 8), ("large", n >= 25)):
            wholly[size][0] += int(np.sum(extreme[middle & where]))
            wholly[size][1] += int(np.sum(middle & where))
        banded = ten.band >= 0
        spans[0] += int(np.sum(ten.band_low[banded] != ten.band_high[banded]))
        spans[1] += int(banded.sum())
        five_high = (n == 5) & (raw == 3)
        high5_raw[0] += int(np.sum(high[five_high] > SCALE[1]))
        high5_raw[1] += int(five_high.sum())
        high5_post[0] += int(np.sum(one.high[five_high] > SCALE[1]))
        high5_post[1] += int(five_high.sum())
        unclipped = one.score + (
            one.score - one.low
        )  # symmetric before clipping, unless clipped below
        high5_unclipped[0] += int(np.sum(unclipped[five_high] > SCALE[1]))
        high5_unclipped[1] += int(five_high.sum())

    def pct(pair):
        return f"{100 * pair[0] / max(pair[1], 1):5.1f} % ({pair[0]} of {pair[1]})"

    print(f"\n2. Bands ({cycles} simulated cycles of 120 published leaders)")
    print("   middle-half leaders put in the top or bottom quarter:")
    print(
        f"     raw percentile quarters     n <= 8: {pct(counts['raw small'])}   "
        f"n >= 25: {pct(counts['raw large'])}"
    )
    print(
        f"     shrunk, no minimum n        n <= 8: {pct(counts['shrunk small'])}   "
        f"n >= 25: {pct(counts['shrunk large'])}"
    )
    print(
        f"     shrunk, minimum n 10        n <= 8: {pct(counts['shrunk10 small'])} (no band)   "
        f"n >= 25: {pct(counts['shrunk10 large'])}"
    )
    print(
        "     shown as wholly in the top or bottom quarter (minimum n 10)   "
        f"n <= 8: {pct(wholly['small'])}   "
        f"n >= 25: {pct(wholly['large'])}"
    )
    print(f"   banded leaders whose interval spans two or more bands: {pct(spans)}")
    print("   high scorers (raw top quarter) with n = 5 whose interval goes above 60:")
    print(
        f"     raw t-interval {pct(high5_raw)}   shrunk, clipped {pct(high5_post)}   "
        f"shrunk, before clipping {pct(high5_unclipped)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    association(args.cycles, args.seed)
    bands(args.cycles, args.seed)


if __name__ == "__main__":
    main()
