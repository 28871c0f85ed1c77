"""Reading evaluations: which an organisation takes part in, and a report in plain words.

Everything comes from stored results (`MetricResult`); nothing is computed here but wording.
Wording describes associations only: "changed by ... compared with the comparison
organisations", never that the programme brought a change about.
"""

from django.db.models import Count, Q

from clinlead.analytics.board_verdict import Finding, board_verdict
from clinlead.analytics.did import assumptions
from clinlead.analytics.metric_catalogue import exposure_of, is_count_based
from clinlead.evaluation.analysis import current_fingerprints
from clinlead.evaluation.models import (
    LEADER_INDEX,
    Evaluation,
    Metric,
    MetricResult,
    Observation,
    first_day,
)

BETTER, WORSE, UNCLEAR = "better", "worse", "unclear"
# A metric with no estimate and at most this many figures has them listed as they are.
FIGURES_SHOWN = 40


def evaluations_for(*, organisation):
    """Evaluations the organisation takes part in (as pilot, comparator or organiser)."""
    return Evaluation.objects.filter(Q(organisation=organisation) | Q(organisations__organisation=organisation)) \
        .distinct().select_related("organisation").annotate(
            pilots=Count("organisations", filter=Q(organisations__role="pilot"), distinct=True),
            comparators=Count("organisations", filter=Q(organisations__role="comparator"), distinct=True))


def catalogue():
    return Metric.objects.select_related("organisation").order_by("organisation__name", "label")


def number(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}g}"


def p_value(value):
    if value is None:
        return "n/a"
    return "below 0.001" if value < 0.001 else f"{value:.3f}"


def report(*, evaluation) -> dict:
    participants = list(evaluation.organisations.select_related("organisation"))
    results = {r.metric_id: r for r in MetricResult.objects.filter(evaluation=evaluation)}
    fingerprints = current_fingerprints(evaluation=evaluation)
    coverage = {row["metric"]: row for row in Observation.objects.filter(participant__evaluation=evaluation)
                .values("metric").annotate(n=Count("id"), organisations=Count("participant", distinct=True))}
    metrics = [_metric_entry(metric, results.get(metric.pk), fingerprints[metric.pk], coverage.get(metric.pk))
               for metric in evaluation.metrics.order_by("label")]
    estimated = [m for m in metrics if m["estimated"]]
    common = set.intersection(*(set(m["result"]["caveats"]) for m in estimated)) if estimated else set()
    for m in estimated:
        m["own_caveats"] = [c for c in m["result"]["caveats"] if c not in common]
    shared = [c for c in estimated[0]["result"]["caveats"] if c in common] if estimated else []
    pilots = [p for p in participants if p.is_pilot]
    comparators = [p for p in participants if not p.is_pilot]
    return {
        "evaluation": evaluation,
        "pilots": pilots,
        "comparators": comparators,
        "verdict": verdict_paragraph(pilots=pilots, comparators=comparators, metrics=metrics),
        "metrics": metrics,
        "assumptions": assumptions(),
        "caveats": shared,
        "stale": any(m["stale"] for m in metrics),
        "computed_at": max((r.computed_at for r in results.values()), default=None),
        "unused_cycles": unused_leader_index_cycles(evaluation=evaluation, participants=participants),
    }


def verdict_paragraph(*, pilots, comparators, metrics) -> str:
    """The board's one-paragraph verdict, in plain English, from the stored headline results."""
    findings = [Finding(label=m["metric"].label, unit=m["metric"].unit,
                        change=m["result"]["estimate"] if m["estimated"] else None,
                        verdict=m.get("verdict", UNCLEAR),
                        interval=m["estimated"] and any(v is not None for v in m["result"]["ci95"]),
                        drifting=m.get("pretrend_doubtful", False),
                        already_changing=m.get("already_changing", False)) for m in metrics]
    starts = [_month_words(p.start) for p in sorted(pilots, key=lambda p: first_day(p.start))]
    return board_verdict(pilots=len(pilots), comparators=len(comparators),
                         starts=list(dict.fromkeys(starts)), findings=findings)


def _month_words(period: str) -> str:
    """"2024-07" -> "July 2024"; a quarter or a date reads as the month it starts in."""
    return first_day(period).strftime("%B %Y")


def _metric_entry(metric, result, current, coverage):
    entry = {"metric": metric, "result": None, "estimated": False, "stale": False, "reason": "",
             "observations": coverage["n"] if coverage else 0,
             "organisations": coverage["organisations"] if coverage else 0, "own_caveats": [],
             "exposure_label": exposure_of(name=metric.name) or "unit of exposure"}
    if result is None:
        entry["reason"] = "Not computed yet." if coverage else "No data for this metric yet."
        entry["stale"] = bool(coverage)
        return entry
    entry.update(record=result, stale=result.fingerprint != current, reason=result.reason,
                 estimated=result.status == MetricResult.Status.ESTIMATED)
    if entry["estimated"]:
        entry["result"] = result.result
        entry.update(_words(metric, result.result))
    elif coverage and coverage["n"] <= FIGURES_SHOWN:
        entry["figures"] = list(Observation.objects.filter(participant__evaluation=result.evaluation_id, metric=metric)
                                .select_related("participant").order_by("participant__name", "ordinal"))
    return entry


def _words(metric, r):
    estimate, (low, high) = r["estimate"], r["ci95"]
    # The verdict comes only from the interval valid with few pilots (the randomisation one).
    way = r.get("verdict") or ("higher" if low is not None and low > 0 else
                               "lower" if high is not None and high < 0 else "unclear")
    if way == "unclear":
        verdict = UNCLEAR
    else:
        verdict = BETTER if (way == "higher") == (metric.direction == Metric.Direction.HIGHER) else WORSE
    label = metric.label if metric.label[:2].isupper() else metric.label[:1].lower() + metric.label[1:]
    summary = (f"Compared with the comparison organisations over the same time, the pilots' figures for "
               f"{label} were {metric.describe_change(change=estimate)} after their start.")
    return {
        "verdict": verdict,
        "summary": summary,
        "change_text": metric.describe_change(change=estimate),
        "estimate_text": number(estimate),
        "ci_text": f"{number(low)} to {number(high)}",
        "p_text": p_value(_conventional(r)["p_value"]),
        "p_random_text": p_value(r["p_value_randomisation"]),
        "pretrend_text": p_value(r["pretrend_p"]) if r["pretrend_p"] is not None else "not available",
        "pretrend_doubtful": (r["pretrend_p"] is not None and r["pretrend_p"] < 0.05)
                             or bool(r.get("already_changing")),
        # The interval alone excluded no difference, but the pilots were already moving apart
        # before they started, so the verdict rule (analytics.verdict) says "unclear".
        "already_changing": way == "unclear" and bool(r.get("already_changing"))
                            and r.get("interval_verdict", "unclear") != "unclear",
        "slope_text": (p_value(r["pretrend_slope_p"]) if r.get("pretrend_slope_p") is not None
                       else "not available"),
    }


def _conventional(r):
    """The two-way FE estimate with its CR1 interval: the technical annex (older results held it
    at the top level)."""
    return r.get("conventional") or r


def unused_leader_index_cycles(*, evaluation, participants=None) -> int:
    """Published cycles of the Clinlead organisations taking part not yet in the figures."""
    from clinlead.leaderindex.models import CycleResult

    if not evaluation.metrics.filter(name=LEADER_INDEX).exists():
        return 0
    participants = participants if participants is not None else list(evaluation.organisations.all())
    linked = [p.organisation_id for p in participants if p.organisation_id]
    published = set(CycleResult.objects.filter(cycle__organisation_id__in=linked, cycle__status="published",
                                               index__isnull=False).values_list("cycle_id", flat=True))
    taken = set(Observation.objects.filter(participant__evaluation=evaluation, metric__name=LEADER_INDEX)
                .values_list("cycle_id", flat=True))
    return len(published - taken)


def export_sheets(*, evaluation, data: dict) -> dict:
    """The report's tables for Excel: {sheet: (header, rows)}."""
    estimates, events, trends = [], [], []
    for m in data["metrics"]:
        metric, r = m["metric"], m["result"]
        if r:
            estimates.append([metric.name, metric.label, metric.unit, metric.get_direction_display(), r["estimate"],
                              r["ci95"][0], r["ci95"][1], _conventional(r)["se"], _conventional(r)["p_value"],
                              r["p_value_randomisation"],
                              r["pretrend_p"], r["n"], r["n_pilots"], r["n_comparators"], ""])
            events += [[metric.name, p["relative_period"], p["label"], p["estimate"], p["ci95"][0], p["ci95"][1],
                        "reference" if p["reference"] else ""] for p in r["event_study"]]
        else:
            estimates.append([metric.name, metric.label, metric.unit, metric.get_direction_display(),
                              *[None] * 10, m["reason"]])
        if m.get("record"):
            trends += [[metric.name, t["period"], t["group"], t["mean"], t["n"]] for t in m["record"].trends]
    figures = Observation.objects.filter(participant__evaluation=evaluation).select_related(
        "participant", "metric").order_by("metric__name", "participant__name", "ordinal")
    explained = [[text] for text in data["assumptions"]] + [[""], ["Caveats"]] + [[c] for c in data["caveats"]]
    return {
        "Estimates": (["metric", "label", "unit", "which way is good", "estimate", "ci95 low (randomisation)",
                       "ci95 high (randomisation)", "se (two-way FE, annex)",
                       "p (cluster-robust t, two-way FE)", "p (randomisation)", "pre-trend p", "observations", "pilots",
                       "comparators", "no estimate because"], estimates),
        "Event study": (["metric", "relative period", "label", "estimate", "ci95 low", "ci95 high", "note"], events),
        "Trends": (["metric", "period", "group", "mean", "organisations"], trends),
        "Organisations": (["name", "code", "role", "start", "Clinlead organisation"],
                          [[p.name, p.code, p.get_role_display(), p.start, str(p.organisation or "")]
                           for p in data["pilots"] + data["comparators"]]),
        "Figures": (["organisation", "period", "metric", "value", "exposure", "source"],
                    [[o.participant.name, o.period, o.metric.name, o.value, o.exposure, o.get_source_display()]
                     for o in figures]),
        "Assumptions": (["Assumptions (the estimates read as effects only if these hold)"], explained),
    }


def import_template(*, evaluation):
    """The workbook to fill in for `services.import_observations`: a "Figures" sheet with the four
    columns and the optional exposure, one example row per organisation and metric (period and
    value to fill in), and the names and codes the evaluation accepts beside it."""
    participants = list(evaluation.organisations.all())
    metrics = list(evaluation.metrics.exclude(name="leader_index").order_by("label"))
    figures = [[p.code or p.name, "", m.name, "", ""] for p in participants for m in metrics]
    return {
        "Figures": (["organisation", "period", "metric", "value", "exposure"], figures),
        "Organisations": (["name", "code", "role"], [[p.name, p.code, p.get_role_display()] for p in participants]),
        "Metrics": (["metric", "what it measures", "unit", "exposure (optional)"],
                    [[m.name, m.label, m.unit, _exposure_hint(m.name)] for m in metrics]),
        "How to fill it in": (["step"], [[line] for line in TEMPLATE_STEPS]),
    }


TEMPLATE_STEPS = [
    "One figure a row on the Figures sheet: organisation (name or code), period, metric, value.",
    "A period is a month (2025-01), a quarter (2025-Q1) or a date (2025-01-15), the same kind "
    "throughout for each metric.",
    "Copy a row for each period; delete rows you have no figure for.",
    "Exposure is optional, for counts per exposure only (the Metrics sheet says which): give "
    "the count as the value (deaths, infections) and its denominator as the exposure (expected "
    "deaths, occupied bed days), a number above zero, on every row of that metric; otherwise "
    "leave it blank.",
    "Every row is checked before anything is written, and every problem is listed at once.",
]


def _exposure_hint(name):
    if not is_count_based(name=name):
        return "none: leave blank"
    return f"{exposure_of(name=name) or 'the denominator'}; the value is then the count"
