"""The report's robustness section (reads only): primary and secondary outcomes with Holm- and
Romano-Wolf-adjusted p-values, the synthetic comparators beside the difference-in-differences, and the sensitivity
of each conclusion to parallel trends failing.

Everything comes from stored results; nothing is computed here but the Holm adjustment (a
sort of at most a few dozen p-values) and wording.
"""

from clinlead.analytics.multiplicity import holm, romano_wolf
from clinlead.evaluation.models import Metric
from clinlead.evaluation.preregistration import primary_outcome_of
from clinlead.evaluation.selectors import BETTER, UNCLEAR, WORSE, number, p_value, report

PRIMARY, SECONDARY = "primary", "secondary"
ALPHA = 0.05


def tested_p(result) -> float | None:
    """The p-value a metric's reading is tested with: the randomisation p-value (the safer
    guide with few pilots), else the cluster-robust one."""
    randomised = result.get("p_value_randomisation")
    return randomised if randomised is not None else result.get("p_value")


def report_as_shown(*, evaluation) -> dict:
    """The report as its page, PDF, export and the API show it: the stored results in words
    (selectors.report) with this section's reading added. Read it through here: without the
    additions a secondary outcome that is not clear after Holm's adjustment would read "better"
    or "worse" where the report says "unclear"."""
    data = report(evaluation=evaluation)
    return data | report_additions(evaluation=evaluation, metrics=data["metrics"])


def report_additions(*, evaluation, metrics) -> dict:
    """Marks each metric entry primary or secondary (a secondary whose Holm-adjusted p-value
    is 0.05 or more reads "no clear difference"), and adds the section's figures in words."""
    registration = primary_outcome_of(evaluation=evaluation)
    primary_id = registration.metric_id if registration else None
    secondary = {m["metric"].name: tested_p(m["result"]) for m in metrics
                 if m["estimated"] and m["metric"].pk != primary_id}
    adjusted = holm(secondary)
    stepdown = shared_draws_adjustment(results={m["metric"].name: m["result"] for m in metrics
                                                if m["metric"].name in secondary})
    for m in metrics:
        m["role"] = PRIMARY if m["metric"].pk == primary_id else SECONDARY
        if not m["estimated"]:
            continue
        m["tested_p_text"] = p_value(tested_p(m["result"]))
        if m["role"] == SECONDARY:
            m["holm_p"] = adjusted[m["metric"].name]
            m["holm_p_text"] = p_value(m["holm_p"])
            m["romano_wolf_p"] = stepdown.get(m["metric"].name) if stepdown else None
            m["romano_wolf_p_text"] = (p_value(m["romano_wolf_p"]) if stepdown
                                       else "not available (metrics with different organisations)")
            # Romano-Wolf when every secondary metric shares the assignments (never less
            # powerful than Holm there); Holm otherwise.
            m["adjusted_p"] = m["romano_wolf_p"] if stepdown else m["holm_p"]
            m["adjusted_p_text"] = p_value(m["adjusted_p"])
            m["raw_verdict"] = m["verdict"]
            if m["verdict"] != UNCLEAR and (m["adjusted_p"] is None or m["adjusted_p"] >= ALPHA):
                m["verdict"] = UNCLEAR
        m["synthetic"] = _synthetic(m["metric"], m["result"])
        m["sensitivity"] = m["result"].get("sensitivity")
    return {"primary_outcome": registration, "secondary_count": len(secondary),
            "romano_wolf": bool(stepdown)}


def shared_draws_adjustment(*, results) -> dict | None:
    """Romano-Wolf adjusted p-values for these metrics' results, or None when they were not
    all tested with the same randomisation assignments (then only Holm applies)."""
    usable = {name: r for name, r in results.items() if r and r.get("randomisation_statistics")}
    keys = {r.get("randomisation_draws") for r in usable.values()}
    if not usable or len(usable) != len(results) or len(keys) != 1 or None in keys:
        return None
    return romano_wolf(observed={name: r["estimate"] for name, r in usable.items()},
                       permuted={name: r["randomisation_statistics"] for name, r in usable.items()},
                       exact=bool(next(iter(usable.values())).get("randomisation_exact")))


def _synthetic(metric, result) -> list:
    """The difference-in-differences and the synthetic comparators, one row each, in words."""
    rows = [{"method": "Headline estimate", "estimate": number(result["estimate"]),
             "interval": f"{number(result['ci95'][0])} to {number(result['ci95'][1])}",
             "p": p_value(tested_p(result)), "reading": _reading(metric, result["estimate"], result["ci95"]),
             "cohorts": []}]
    for key, method in (("synthetic_did", "Synthetic difference-in-differences"),
                        ("synthetic_control", "Synthetic control")):
        r = result.get(key)
        if not r:
            continue
        if r.get("estimate") is None:
            rows.append({"method": method, "reason": r.get("reason", "")})
            continue
        ci = r.get("ci95")
        rows.append({
            "method": method, "estimate": number(r["estimate"]),
            "interval": f"{number(ci[0])} to {number(ci[1])}" if ci else "none (placebo p-value only)",
            "p": p_value(r.get("p_value")), "reading": _reading(metric, r["estimate"], ci, r.get("p_value")),
            "cohorts": r["cohorts"], "caveats": r.get("caveats", []),
        })
    return rows


def _reading(metric, estimate, ci, p=None) -> str:
    """better / worse / unclear, from the interval (or, without one, the placebo p-value)."""
    if estimate is None:
        return UNCLEAR
    if ci:
        clear = ci[0] is not None and ci[1] is not None and (ci[0] > 0 or ci[1] < 0)
    else:
        clear = p is not None and p < ALPHA
    if not clear:
        return UNCLEAR
    return BETTER if (estimate > 0) == (metric.direction == Metric.Direction.HIGHER) else WORSE


def export_sheets(*, data: dict) -> dict:
    """The section's tables for Excel: outcomes with adjusted p-values, and every weight."""
    outcomes, estimates, weights = [], [], []
    for m in data["metrics"]:
        if not m["estimated"]:
            continue
        r, name = m["result"], m["metric"].name
        outcomes.append([name, m["role"], tested_p(r), m.get("holm_p"), m.get("romano_wolf_p"),
                         m["verdict"]])
        for key in ("synthetic_did", "synthetic_control"):
            s = r.get(key) or {}
            ci = s.get("ci95") or [None, None]
            estimates.append([name, key, s.get("estimate"), ci[0], ci[1], s.get("p_value"), s.get("reason", "")])
            for cohort in s.get("cohorts", []):
                weights += [[name, key, cohort["start"], d["organisation"], d["weight"]]
                            for d in cohort["donor_weights"]]
        sensitivity = r.get("sensitivity") or {}
        estimates.append([name, "sensitivity (breakdown M)", sensitivity.get("breakdown_m"), None, None, None,
                          sensitivity.get("words", "")])
    return {
        "Outcomes": (["metric", "outcome", "p", "Holm-adjusted p (secondary)",
                      "Romano-Wolf adjusted p (secondary)", "reading"], outcomes),
        "Synthetic comparators": (["metric", "method", "estimate", "ci95 low", "ci95 high", "p", "note"], estimates),
        "Comparator weights": (["metric", "method", "pilots from", "organisation", "weight"], weights),
    }
