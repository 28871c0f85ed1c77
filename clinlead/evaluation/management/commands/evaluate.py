"""`clinlead evaluate FILE --pilot ORG:START ... --metric NAME`: pilots versus comparators.

Reads a metric time-series file (CSV or .xlsx, header organisation,period,metric,value and
optionally exposure), runs the imputation estimate with its randomisation interval and verdict,
the event study, the pre-trend check and the two-way FE annex, and prints a summary with its
assumptions and caveats, or JSON with --json.
"""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinlead.analytics.did_report import EvaluationInputError, evaluate
from clinlead.analytics.did_robustness import robustness
from clinlead.analytics.json_safe import finite
from clinlead.analytics.metric_catalogue import get_metric, is_count_based
from clinlead.analytics.metric_series import MetricSeriesError, read_metric_series, usable_exposure
from clinlead.analytics.periods import PeriodError, describe_granularity, parse_period
from clinlead.analytics.power_simulation import simulated_power


class Command(BaseCommand):
    help = (
        "Compare pilot organisations with comparison organisations on one metric, before and "
        "after each pilot's start (difference-in-differences with an event study)."
    )
    # A pure computation on a file: it must not fail because an unrelated part of the site
    # (URLs, models) has a configuration problem.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="metric series, .csv or .xlsx")
        parser.add_argument(
            "--pilot",
            action="append",
            required=True,
            metavar="ORG:START",
            help="a pilot organisation and its start period, in the file's period format "
            "(e.g. 'Aldermoor Hospitals:2023-10'); repeat for each pilot",
        )
        parser.add_argument("--metric", required=True, help="the metric to analyse")
        parser.add_argument(
            "--comparator",
            action="append",
            metavar="ORG",
            help="a comparison organisation; repeat for each (default: every non-pilot)",
        )
        parser.add_argument("--leads", type=int, default=6, help="event-study periods before")
        parser.add_argument("--lags", type=int, default=12, help="event-study periods after")
        parser.add_argument(
            "--permutations",
            type=int,
            default=499,
            help="most start-date assignments for the randomisation p-values (default 499)",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed for random assignments")
        parser.add_argument(
            "--power",
            type=float,
            metavar="EFFECT",
            help="also the verdict's power to detect EFFECT, by simulation from the figures "
            "before the first pilot's start (the organisations' own history)",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the result as JSON"
        )

    def handle(self, *args, file, pilot, metric, comparator, as_json, **options):
        try:
            series = read_metric_series(path=file)
        except MetricSeriesError as exc:
            raise CommandError(str(exc)) from exc
        if metric not in series.metrics():
            raise CommandError(
                f"{file.name}: metric {metric!r} is not in the file; "
                f"metrics present: {', '.join(series.metrics())}"
            )
        organisations = series.organisations(metric=metric)
        granularity = series.granularity(metric=metric)
        pilots = self._pilots(
            raw=pilot, organisations=organisations, granularity=granularity, where=file.name
        )
        for name in comparator or []:
            if name not in organisations:
                raise CommandError(
                    f"--comparator {name!r}: no {metric!r} rows for it in {file.name}; "
                    f"organisations present: {', '.join(organisations)}"
                )
        if options["leads"] < 1 or options["lags"] < 0:
            raise CommandError("--leads must be at least 1 and --lags at least 0")
        # Exposure only when every figure has one, as in the web app (metric_series.usable_exposure).
        data, exposure_caveat = usable_exposure(frame=series.to_frame(metric=metric))
        try:
            result = evaluate(
                data=data,
                pilots=pilots,
                comparators=comparator,
                metric=metric,
                leads=options["leads"],
                lags=options["lags"],
                permutations=options["permutations"],
                seed=options["seed"],
                rate=is_count_based(name=metric),
            )
        except EvaluationInputError as exc:
            raise CommandError(f"{file.name}, metric {metric!r}: {exc}") from exc
        if exposure_caveat and "rate_model" in result:
            result["caveats"].append(exposure_caveat)
        result |= robustness(data=series.to_frame(metric=metric), pilots=pilots,
                             comparators=result["comparators"], result=result, seed=options["seed"])
        if options.get("power") is not None:
            result["power"] = _power(frame=series.to_frame(metric=metric), pilots=pilots,
                                     comparators=comparator, effect=options["power"],
                                     permutations=min(99, options["permutations"]),
                                     seed=options["seed"])
        if as_json:
            self.stdout.write(json.dumps(finite(result), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(_summary(result=result, source=file.name))

    def _pilots(self, *, raw, organisations, granularity, where):
        pilots = {}
        for value in raw:
            # The start never contains ":", so split at the last one: names may contain it.
            organisation, colon, start = (part.strip() for part in value.rpartition(":"))
            if not colon or not organisation or not start:
                raise CommandError(
                    f"--pilot {value!r}: expected ORGANISATION:START, "
                    "e.g. 'Aldermoor Hospitals:2023-10'"
                )
            if organisation not in organisations:
                raise CommandError(
                    f"--pilot {value!r}: organisation {organisation!r} has no rows for this "
                    f"metric in {where}; organisations present: {', '.join(organisations)}"
                )
            if organisation in pilots:
                raise CommandError(f"--pilot {value!r}: {organisation!r} is given twice")
            try:
                period = parse_period(text=start)
            except PeriodError as exc:
                raise CommandError(f"--pilot {value!r}: {exc}") from exc
            if period.granularity != granularity:
                raise CommandError(
                    f"--pilot {value!r}: start {start!r} is a {period.granularity}, but {where} "
                    f"gives this metric in {describe_granularity(granularity=granularity)}"
                )
            pilots[organisation] = period.label
        return pilots


def _power(*, frame, pilots, comparators, effect, permutations, seed):
    """simulated_power on the figures before the first start: this many organisations, pilots
    starting halfway through a window that long."""
    first = min(parse_period(text=start).ordinal for start in pilots.values())
    ordinal = frame["period"].map(lambda text: parse_period(text=text).ordinal)
    history = frame[ordinal < first]
    if comparators:
        history = history[history["organisation"].isin(set(pilots) | set(comparators))]
    periods = history["period"].nunique()
    organisations = history["organisation"].nunique()
    if periods < 4:
        raise CommandError("--power needs at least 4 periods before the first pilot's start")
    try:
        return simulated_power(
            effect=effect, n_pilots=len(pilots), n_comparators=organisations - len(pilots),
            periods=periods, start_offsets=[periods // 2], history=history,
            simulations=200, permutations=permutations, seed=seed,
        ).to_dict()
    except ValueError as exc:
        raise CommandError(f"--power: {exc}") from exc


def _number(value, digits=3):
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


VERDICTS = {"higher": "higher than comparators (the interval excludes no difference)",
            "lower": "lower than comparators (the interval excludes no difference)",
            "unclear": "no clear difference"}


def _verdict(result):
    """The verdict, saying when the interval alone would have given another one."""
    said, alone = result["verdict"], result.get("interval_verdict", result["verdict"])
    if said == alone:
        return VERDICTS[said]
    return (f"unclear: the pilots were already changing before they started (the interval alone "
            f"says {alone}; the pilots' trend before the start differed, p = "
            f"{_number(result.get('pretrend_slope_p'))})")


def _interval(ci, reason):
    low, high = ci
    if low is None and high is None:
        return f"not available ({reason})"
    return (f"{'no lower limit' if low is None else _number(low, 4)} to "
            f"{'no upper limit' if high is None else _number(high, 4)}")


def _summary(*, result: dict, source: str) -> str:
    info = get_metric(name=result["metric"])
    title = f"{info.label} ({result['metric']})" if info else result["metric"]
    lines = [
        f"Evaluation of {title} in {source}",
        "",
        f"Pilots ({result['n_pilots']}): "
        + "; ".join(f"{org} from {start}" for org, start in result["pilots"].items()),
        f"Comparators ({result['n_comparators']}): {', '.join(result['comparators'])}",
        f"Observations: {result['n']} over {result['n_periods']} {result['granularity']}s",
        "",
        f"Headline ({result['estimator']}): {_number(result['estimate'], 4)}"
        + (f", i.e. {info.describe_change(change=result['estimate'])}" if info else ""),
        f"  95% interval {_interval(result['ci95'], result.get('randomisation_reason'))} "
        f"(randomisation test inverted, {result['randomisation_assignments']} assignments of "
        f"the start dates); p = {_number(result['p_value_randomisation'])}",
        f"  Verdict: {_verdict(result)}",
    ]
    if result.get("pretrend_slope") is not None:
        lines.append(f"  Trend before the start: pilots {_number(result['pretrend_slope'], 4)} a "
                     f"period against comparators; randomisation p = "
                     f"{_number(result.get('pretrend_slope_p'))}")
    if rate := result.get("rate_model"):
        if rate.get("rate_ratio") is not None:
            lines.append(f"  As a rate (Poisson): {rate['percent_change']:+.1f}% against the expected "
                         f"rate; randomisation p = {_number(rate['p_value_randomisation'])}")
            lines.append(f"    rate ratio {_number(rate['rate_ratio'], 4)}, 95% interval "
                         f"{_interval(rate.get('ci95_rate_ratio') or [None, None], rate.get('interval_reason'))}"
                         " (randomisation test inverted)")
    conventional = result["conventional"]
    low, high = conventional["ci95"]
    lines += [
        "",
        "Technical annex: two-way fixed effects (diagnostic)",
        f"  {_number(conventional['estimate'], 4)}, conventional 95% CI {_number(low, 4)} to "
        f"{_number(high, 4)}; SE {_number(conventional['se'])}; p = "
        f"{_number(conventional['p_value'])} (CR1 cluster-robust t, {conventional['df']} df)",
    ]
    for kind, part in ((result.get("bacon") or {}).get("by_kind") or {}).items():
        lines.append(f"  {kind}: weight {100 * part['weight']:.0f}%, "
                     f"estimate {_number(part['estimate'], 4)}")
    if result["pretrend_p"] is None:
        lines.append(f"Pre-trend check: not available - {result['pretrend_reason']}")
    else:
        lines.append(
            f"Pre-trend check (leads all zero): p = {_number(result['pretrend_p'])} "
            f"(randomisation, {result['pretrend_assignments']} assignments)"
        )
    lines += ["", "Event study (change since the period before the start, net of comparators):"]
    for point in result["event_study"]:
        low, high = point["ci95"]
        estimate = "0 (reference)" if point["reference"] else _number(point["estimate"], 4)
        interval = "" if point["reference"] else f"  [{_number(low, 4)}, {_number(high, 4)}]"
        lines.append(f"  {point['label']:>14}  {estimate}{interval}")
    if power := result.get("power"):
        lines += ["", f"Power by simulation ({power['simulations']} panels drawn from the figures "
                  f"before the first start, {power['periods']} periods, start halfway): the verdict "
                  f"detects an effect of {_number(power['effect'])} {100 * power['power']:.0f}% "
                  "of the time"]
    lines += _robustness_lines(result=result)
    lines += ["", "Assumptions (the estimate reads as an effect only if these hold):"]
    lines += [f"  - {text}" for text in result["assumptions"]]
    lines += ["", "Caveats:"]
    lines += [f"  - {text}" for text in result["caveats"]]
    return "\n".join(lines)


def _robustness_lines(*, result: dict) -> list:
    """Synthetic comparators and the sensitivity bound, beside the difference-in-differences."""
    lines = [""]
    for key, name in (("synthetic_did", "Synthetic difference-in-differences"),
                      ("synthetic_control", "Synthetic control")):
        r = result[key]
        if r["estimate"] is None:
            lines.append(f"{name}: not available - {r['reason']}")
            continue
        interval = (f"95% CI {_number(r['ci95'][0], 4)} to {_number(r['ci95'][1], 4)} (placebo "
                    f"variance, {r['placebo_replications']} draws); " if r["ci95"] else "")
        p = _number(r["p_value"]) if r["p_value"] is not None else "n/a"
        lines.append(f"{name}: {_number(r['estimate'], 4)}; {interval}p = {p}")
        for cohort in r["cohorts"]:
            donors = ", ".join(f"{d['organisation']} {d['weight']:.3f}" for d in cohort["donor_weights"][:8])
            more = len(cohort["donor_weights"]) - 8
            lines.append(f"  pilots from {cohort['start']}: {_number(cohort['estimate'], 4)}; donor weights: "
                         f"{donors}{f' and {more} more' if more > 0 else ''}")
    lines.append(f"Sensitivity (parallel trends): {result['sensitivity']['words']}")
    return lines
