"""`clinlead evaluate FILE --pilot ORG:START ... --metric NAME`: pilots versus comparators.

Reads a metric time-series file (CSV or .xlsx, header organisation,period,metric,value),
runs the difference-in-differences, event study and pre-trend check, and prints a
summary with its assumptions and caveats, or JSON with --json.
"""

import json
import math
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinlead.analytics.did import EvaluationInputError, evaluate
from clinlead.analytics.did_robustness import robustness
from clinlead.analytics.json_safe import finite
from clinlead.analytics.metric_catalogue import get_metric
from clinlead.analytics.metric_series import MetricSeriesError, read_metric_series
from clinlead.analytics.periods import PeriodError, describe_granularity, parse_period


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
        try:
            result = evaluate(
                data=series.to_frame(metric=metric),
                pilots=pilots,
                comparators=comparator,
                metric=metric,
                leads=options["leads"],
                lags=options["lags"],
                permutations=options["permutations"],
                seed=options["seed"],
            )
        except EvaluationInputError as exc:
            raise CommandError(f"{file.name}, metric {metric!r}: {exc}") from exc
        result |= robustness(data=series.to_frame(metric=metric), pilots=pilots,
                             comparators=result["comparators"], result=result, seed=options["seed"])
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


def _number(value, digits=3):
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def _summary(*, result: dict, source: str) -> str:
    info = get_metric(name=result["metric"])
    title = f"{info.label} ({result['metric']})" if info else result["metric"]
    low, high = result["ci95"]
    lines = [
        f"Evaluation of {title} in {source}",
        "",
        f"Pilots ({result['n_pilots']}): "
        + "; ".join(f"{org} from {start}" for org, start in result["pilots"].items()),
        f"Comparators ({result['n_comparators']}): {', '.join(result['comparators'])}",
        f"Observations: {result['n']} over {result['n_periods']} {result['granularity']}s",
        "",
        f"Difference-in-differences: {_number(result['estimate'], 4)}"
        + (f", i.e. {info.describe_change(change=result['estimate'])}" if info else ""),
        f"  95% CI {_number(low, 4)} to {_number(high, 4)}; SE {_number(result['se'])}; "
        f"p = {_number(result['p_value'])} (cluster-robust t, {result['df']} df)",
        f"  randomisation p = {_number(result['p_value_randomisation'])} "
        f"({result['randomisation_assignments']} assignments of the start dates)",
    ]
    if result["pretrend_p"] is None:
        lines.append(f"Pre-trend check: not available - {result['pretrend_reason']}")
    else:
        lines.append(
            f"Pre-trend check (leads all zero): p = {_number(result['pretrend_p'])} "
            f"(randomisation, {result['pretrend_assignments']} assignments; "
            f"cluster-robust F-test p = {_number(result['pretrend_p_f'])})"
        )
    lines += ["", "Event study (change since the period before the start, net of comparators):"]
    for point in result["event_study"]:
        low, high = point["ci95"]
        estimate = "0 (reference)" if point["reference"] else _number(point["estimate"], 4)
        interval = "" if point["reference"] else f"  [{_number(low, 4)}, {_number(high, 4)}]"
        lines.append(f"  {point['label']:>14}  {estimate}{interval}")
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
