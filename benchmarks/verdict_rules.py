"""Which verdict rule keeps false verdicts <= 6 % on every design of issue 15, not a test.

For each design of benchmarks/did_designs.py, over --panels panels with the design's effect
and --panels without (placebo), the candidate rules for saying "better/worse than
comparators":

* ``interval``: the randomisation interval of the imputation estimate excludes zero (the old rule);
* ``slope`` (the rule now used, :mod:`clinlead.analytics.verdict`): that, and the pilots'
  extra trend before their start is not unusual among the same assignments (p >= 0.05);
  its verdict is backed by the same interval;
* ``M>=1``: the interval's verdict, kept only when the honest breakdown M̄ >= 1 (the
  conclusion survives post-start departures from parallel trends as large as the largest one
  between neighbouring pre-start event-study periods); its backing interval is the interval
  widened by the M̄ = 1 bound;
* ``trend`` (with --trend; slow): imputation with organisation-specific linear trends fitted
  on untreated figures, with its own randomisation interval (the same assignments);
* ``sdid-if-pretrend`` (with --floor; slow): for the already-improving design only, the share
  of placebo panels the old rule calls wrongly while the pre-trend test does not reject — a
  floor for any rule that switches to synthetic DiD only when the pre-trend test fires,
  whatever SDID then says.

Per design and rule: false verdicts (placebo), coverage of the true average effect by the
interval that backs the verdict, power (right-direction verdict with the effect) and bias.

    python3 benchmarks/verdict_rules.py                    # 200 panels, 99 assignments
    python3 benchmarks/verdict_rules.py --design staggered --panels 600
    python3 benchmarks/verdict_rules.py --design selected --trend --panels 50
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from did_designs import DESIGNS, MONTHS, _design, _noise, treated_cells  # noqa: E402

from clinlead.analytics.did_inference import invert  # noqa: E402
from clinlead.analytics.did_power import start_assignments  # noqa: E402
from clinlead.analytics.did_robustness import sensitivity  # noqa: E402
from clinlead.analytics.did_staggered import headline  # noqa: E402
from clinlead.analytics.verdict import ROBUST_M, breakdown_verdict  # noqa: E402


def selected_with_effect(rng, scale):
    """The already-improving design with +scale after the start, for its power."""
    values = _noise(rng, 63) + rng.normal(0, 0.03, (63, 1)) * np.arange(MONTHS)
    slope = np.polyfit(np.arange(18), values[:, :18].T, 1)[0]
    order = np.argsort(-slope)
    values = values[np.concatenate([order[:3], order[3:]])]
    effect = np.zeros_like(values)
    effect[:3, 18:] = scale
    from did_designs import Panel

    return Panel(values + effect, {0: 18, 1: 18, 2: 18}, effect)


SHORT = {
    "common": "common start, 3 pilots, 8 comparators",
    "staggered": "staggered 3 pilots (6/18/30), effect +0.05/month",
    "national": "national roll-out, 30 pilots in 3 waves, 6 comparators",
    "cohorts": "heterogeneous cohort effects (0.5/1/1.5)",
    "many": "common start, 3 pilots, 60 comparators",
    "selected": "pilots chosen because already improving (3 vs 60, no effect)",
}
MAKERS = {key: DESIGNS[name] for key, name in SHORT.items()}
MAKERS["selected"] = selected_with_effect


def trend_effects(values: np.ndarray, treated: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Average imputed effect per outcome, organisation + period effects + each organisation's
    own linear trend fitted on untreated cells. ``outcomes``: k x units x months."""
    units, months = treated.shape
    t = np.arange(months, dtype=float)
    k = outcomes.shape[0]
    normal = np.zeros((months, months))
    right = np.zeros((months, k))
    projections = []
    for u in range(units):
        idx = np.flatnonzero(~treated[u])
        x = np.column_stack([np.ones(len(idx)), t[idx]])
        hat = x @ np.linalg.solve(x.T @ x, x.T)
        m = np.eye(len(idx)) - hat
        normal[np.ix_(idx, idx)] += m
        right[idx] += m @ outcomes[:, u, idx].T
        projections.append((idx, x))
    keep = np.arange(2, months)  # a period level and a common linear trend are not identified
    gamma = np.zeros((months, k))
    gamma[keep] = np.linalg.solve(normal[np.ix_(keep, keep)], right[keep])
    total = np.zeros(k)
    for u, (idx, x) in enumerate(projections):
        after = np.flatnonzero(treated[u])
        if not len(after):
            continue
        coef = np.linalg.lstsq(x, (outcomes[:, u, idx] - gamma[idx].T).T, rcond=None)[0]
        fitted = np.column_stack([np.ones(len(after)), t[after]]) @ coef + gamma[after]
        total += (outcomes[:, u, after].T - fitted).sum(axis=0)
    return total / treated.sum()


def trend_rule(panel, permutations, seed):
    treated = treated_cells(panel)
    outcomes = np.stack([panel.values, treated.astype(float)])
    estimate = trend_effects(panel.values, treated, outcomes)[0]
    names = [str(u) for u in range(panel.values.shape[0])]
    _, exact, draws = start_assignments(organisations=names, starts=list(panel.starts.values()),
                                        permutations=permutations, seed=seed)  # fmt: skip
    pairs = []
    for assignment in draws:
        mask = np.zeros_like(treated)
        for name, s in assignment.items():
            mask[int(name), s:] = True
        pairs.append(trend_effects(panel.values, mask, outcomes))
    pairs = np.array(pairs)
    interval = invert(a=pairs[:, 0], b=pairs[:, 1], observed=float(estimate), exact=exact)
    return float(estimate), interval


def one_panel(panel, permutations, seed, with_trend):
    design = _design(panel)
    head = headline(design=design, leads=1, lags=0, permutations=permutations, seed=seed)
    # The event study's point estimates (no intervals needed): what the report's sensitivity uses.
    study = headline(design=design, leads=6, lags=12, permutations=0, seed=seed)
    result = {"ci95": head["ci95_randomisation"], "event_study": study["event_study"]}
    bound = sensitivity(result=result)
    low, high = head["ci95_randomisation"]
    low, high = -np.inf if low is None else low, np.inf if high is None else high
    widen = bound.get("bias_per_m") or 0.0
    out = {
        "estimate": head["estimate"], "interval": (low, high),
        "verdict": head["interval_verdict"], "slope": head["verdict"],
        "robust": breakdown_verdict(verdict=head["interval_verdict"], sensitivity=bound),
        "robust_interval": (low - ROBUST_M * widen, high + ROBUST_M * widen),
    }  # fmt: skip
    if with_trend:
        estimate, interval = trend_rule(panel, permutations, seed)
        out |= {"trend_estimate": estimate, "trend_interval": (interval.low, interval.high),
                "trend": interval.verdict()}  # fmt: skip
    return out


def pretrend_p(panel, permutations, seed):
    return headline(design=_design(panel), leads=6, lags=12, permutations=permutations,
                    seed=seed)["pretrend_p"]  # fmt: skip


def run(key, panels, permutations, seed, with_trend, with_floor=False):
    make = MAKERS[key]
    rng = np.random.default_rng(seed)
    began = time.perf_counter()
    rows = {r: {"false": [], "cover": [], "power": [], "bias": []}
            for r in ("interval", "slope", "M>=1", "trend")}
    floor = []
    for i in range(panels):
        for scale in (1.0, 0.0):
            panel = make(rng, scale)
            true = float(panel.effect[treated_cells(panel)].mean())
            out = one_panel(panel, permutations, i, with_trend)
            rules = {"interval": (out["verdict"], out["interval"], out["estimate"]),
                     "slope": (out["slope"], out["interval"], out["estimate"]),
                     "M>=1": (out["robust"], out["robust_interval"], out["estimate"])}
            if with_trend:
                rules["trend"] = (out["trend"], out["trend_interval"], out["trend_estimate"])
            for rule, (verdict, (low, high), estimate) in rules.items():
                if scale:
                    rows[rule]["power"].append(verdict == "higher")
                    rows[rule]["cover"].append(low <= true <= high)
                    rows[rule]["bias"].append(estimate - true)
                else:
                    rows[rule]["false"].append(verdict != "unclear")
                    rows[rule]["cover"].append(low <= 0 <= high)
                    rows[rule]["bias"].append(estimate)
            if key == "selected" and not scale and with_floor:
                wrong = out["verdict"] != "unclear"
                floor.append(wrong and pretrend_p(panel, permutations, i) >= 0.05)
    took = time.perf_counter() - began
    for rule, r in rows.items():
        if not r["false"]:
            continue
        print(f"{SHORT[key]:<62} {rule:<9} {100 * np.mean(r['false']):>6.1f}% "
              f"{100 * np.mean(r['cover']):>6.1f}% {100 * np.mean(r['power']):>6.1f}% "
              f"{np.mean(r['bias']):>+7.3f}   ({panels} panels, {took:.0f}s)",
              flush=True)  # fmt: skip
    if floor:
        print(f"{SHORT[key]:<62} old rule wrong while the pre-trend test does not reject: "
              f"{100 * np.mean(floor):.1f}% (floor for 'SDID when the pre-trend test fires')")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--permutations", type=int, default=99)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--design", action="append", choices=list(SHORT))
    parser.add_argument("--trend", action="store_true", help="add the trend-adjusted rule (slow)")
    parser.add_argument("--floor", action="store_true",
                        help="already improving: the floor for switching to SDID (slow)")
    args = parser.parse_args()
    print(f"{'design':<62} {'rule':<9} {'false':>7} {'cover':>7} {'power':>7} {'bias':>7}")
    for key in args.design or list(SHORT):
        run(key, args.panels, args.permutations, args.seed, args.trend, args.floor)
