"""Analyst command for the leader index, on an analyst CSV (one row per response).

    clinlead leaderindex score FILE [--min-n K] [--json [--covers]] [--quiet] [--instrument JSON]
    clinlead leaderindex associate FILE [--min-n K] [--cycle C] [--adjust age_band,sex] [--json] [--quiet]
    clinlead leaderindex published CYCLE_ID --json [--covers]
    clinlead leaderindex republish (CYCLE_ID ... | --all)

`score` prints every leader and every unit at every path level (the organisation root
included), per cycle, sorted by cycle then id / path. The disclosure rule (leader first, see
docs/anonymity.md) decides what is shown: n is the number of respondents whose index counts in
the figure; an unpublished group carries null figures AND a null n. With --covers each entry
lists the [unit, leader_id] cells whose respondents its figures include.

`associate` prints, for one cycle (the latest unless --cycle), the odds ratio per index point
for burnout and satisfaction and the correlations across published leaders and units.

`republish` computes published cycles' figures again from their stored answers (run it once
after upgrading from the subtraction rule). `published` prints, for a cycle published in the web app, exactly the figures it shows (read
from what publication stored), in the shape of `score --json --covers`.

All the work is done in clinlead.analytics and the selectors; this command reads arguments and
prints.
"""

import csv
import json
import sys

import orjson
from django.core.management.base import BaseCommand, CommandError

from clinlead.analytics.association_clustered import DEMOGRAPHIC, clustered_associate_report
from clinlead.analytics.disclosure import DEFAULT_K, MAX_K, MIN_K
from clinlead.analytics.instrument import InstrumentError, default_instrument, load_instrument_file
from clinlead.analytics.json_safe import finite
from clinlead.analytics.leaderindex import leader_trends
from clinlead.analytics.leaderindex_read import CsvFormatError, read_extra_columns, read_responses
from clinlead.analytics.leaderindex_report import (
    cycle_names,
    cycle_report,
    published_percentiles,
    score_cycle,
    score_report,
)


class Command(BaseCommand):
    help = "Leader index for analysts: score a survey file, or relate scores to wellbeing."
    # Pure analytics on a file: no database, so no system or migration checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{score,associate,published,republish}")
        p = sub.add_parser("republish", help="compute published cycles' figures again from their answers")
        p.add_argument("cycle_ids", type=int, nargs="*", help="published cycles' ids")
        p.add_argument("--all", action="store_true", help="every published cycle")
        p = sub.add_parser("published", help="the figures a cycle published in the web app shows")
        p.add_argument("cycle_id", type=int, help="the published cycle's id")
        p.add_argument("--json", action="store_true", help="print JSON (the only format)")
        p.add_argument("--covers", action="store_true", help="list the cells each figure includes")
        for name, text in (
            ("score", "leader and unit figures, the disclosure rule applied"),
            ("associate", "odds ratios per point for burnout and satisfaction"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("file", help="analyst CSV, one row per response")
            p.add_argument(
                "--min-n",
                type=int,
                default=DEFAULT_K,
                help=f"anonymity threshold k ({MIN_K}-{MAX_K}, default {DEFAULT_K})",
            )
            p.add_argument("--json", action="store_true", help="print JSON")
            p.add_argument("--quiet", action="store_true", help="no progress bar")
            p.add_argument("--instrument", help="instrument JSON file (default clbi-v1)")
            if name == "score":
                p.add_argument("--covers", action="store_true",
                               help="with --json: list the [unit, leader_id] cells each figure includes")
            if name == "associate":
                p.add_argument("--cycle", help="cycle to analyse (default: the latest)")
                p.add_argument(
                    "--adjust", metavar="COLUMNS",
                    help="also adjust for these columns of the file, after the instrument's: "
                         f"{','.join(ADJUSTABLE)} (categories with fewer than k respondents are merged)")

    def handle(self, *args, **options):
        if options["action"] == "published":
            return self.published(options["cycle_id"], options["covers"])
        if options["action"] == "republish":
            return self.republish(options["cycle_ids"], options["all"])
        k = options["min_n"]
        if not MIN_K <= k <= MAX_K:
            raise CommandError(f"--min-n must be between {MIN_K} and {MAX_K}, got {k}")
        try:
            instrument = (
                load_instrument_file(path=options["instrument"])
                if options["instrument"]
                else default_instrument()
            )
        except (OSError, InstrumentError, ValueError) as exc:
            raise CommandError(f"instrument: {exc}") from None
        progress = not options["quiet"] and sys.stderr.isatty()
        carried, adjust = ((), [])
        if options["action"] == "associate":
            carried, adjust = _adjust_columns(options.get("adjust"), options["file"], instrument)
        try:
            table = read_responses(path=options["file"], instrument=instrument, progress=progress,
                                   extra=carried)
        except CsvFormatError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror or exc}") from None
        if len(table) == 0:
            raise CommandError(f"{options['file']}: the file holds no responses")
        if options["action"] == "score":
            self.score(table, k, options["json"], options["covers"])
        else:
            try:
                report = clustered_associate_report(
                    table=table, k=k, cycle=options.get("cycle"),
                    demographics=_demographics(table, options["file"], carried, adjust, options.get("cycle")))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.associate(report, options["json"])

    # ------------------------------------------------------------------ score
    def score(self, table, k, as_json, covers=False):
        if as_json:
            report = score_report(table=table, k=k, covers=covers)
            # orjson: the report of a large trust is tens of MB; it writes NaN as null.
            self.stdout.write(orjson.dumps(report, option=orjson.OPT_SERIALIZE_NUMPY).decode())
            return
        out = self.stdout.write
        leaders_all = []
        for cycle in cycle_names(table=table):
            scores = score_cycle(table=table, cycle=cycle, k=k)
            part = cycle_report(scores=scores)
            leaders_all.extend(part["leaders"])
            percentile = published_percentiles(scores=scores)
            shown = [e for e in part["leaders"] if e["published"]]
            out(f"Cycle {cycle}: {len(part['leaders'])} leaders, {len(shown)} published (k={k})")
            out("\nUnits")
            for e in part["units"]:
                depth = e["unit"].count("/")
                name = "  " * depth + e["unit"].rsplit("/", 1)[-1]
                out(f"  {name:<40} {_figure_line(e)}")
            out("\nLeaders")
            for e in part["leaders"]:
                pct = percentile.get(e["leader_id"])
                extra = f"  percentile {pct:.0f}" if pct is not None else ""
                out(f"  {e['leader_id']:<20} {_figure_line(e)}{extra}")
            out("")
        trends = {lid: s for lid, s in leader_trends(leaders=leaders_all).items() if len(s) > 1}
        if trends:
            out("Trends (published cycles only)")
            for lid in sorted(trends):
                points = ", ".join(f"{p['cycle']}: {p['index']}" for p in trends[lid])
                out(f"  {lid:<20} {points}")

    # ------------------------------------------------------------------ published
    def published(self, cycle_id, covers):
        from clinlead.leaderindex.selectors_published import published_figures
        from clinlead.surveys.models import SurveyCycle

        cycle = SurveyCycle.objects.filter(pk=cycle_id, status=SurveyCycle.Status.PUBLISHED).select_related(
            "organisation").first()
        if cycle is None:
            raise CommandError(f"no published cycle with id {cycle_id}")
        report = published_figures(cycle=cycle, covers=covers)
        self.stdout.write(json.dumps(finite(report), allow_nan=False))

    def republish(self, cycle_ids, every):
        from clinlead.leaderindex.services import republish_cycle
        from clinlead.surveys.models import SurveyCycle

        if bool(cycle_ids) == bool(every):
            raise CommandError("name the cycles to publish again, or --all")
        cycles = SurveyCycle.objects.filter(status=SurveyCycle.Status.PUBLISHED).select_related("organisation")
        if every:  # cycles whose answers were deleted under retention keep their figures as stored
            cycles = cycles.filter(answers_deleted_on__isnull=True)
        else:
            cycles = cycles.filter(pk__in=cycle_ids)
            missing = sorted(set(cycle_ids) - set(cycles.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"no published cycle with id {', '.join(map(str, missing))}")
        for cycle in cycles.order_by("pk"):
            result = republish_cycle(actor=None, cycle=cycle)
            self.stdout.write(f"{cycle.organisation} {cycle.name}: {cycle.leader_results.count()} leaders, "
                              f"{cycle.unit_results.count()} units published (k={result.min_responses})")

    # ------------------------------------------------------------------ associate
    def associate(self, report, as_json):
        if as_json:
            self.stdout.write(json.dumps(finite(report), allow_nan=False))
            return
        out = self.stdout.write
        out(f"Cycle {report['cycle']} (k={report['min_n']})")
        for name in ("burnout", "satisfaction"):
            r = report[name]
            adj = f"; {r['adjustment']}"
            if others := [c for c in r["covariates"] if c not in DEMOGRAPHIC]:
                adj += f"; also adjusted for {', '.join(others)}"
            if r.get("leaders"):
                adj += f"; errors clustered by leader ({r['leaders']} leaders)"
            if r["odds_ratio_per_point"] is None:
                out(f"  {name}: not estimated ({r.get('note', '')}); N={r['n']}")
                continue
            low, high = r["ci95"]
            out(
                f"  {name}: odds ratio per point {r['odds_ratio_per_point']:.4f} "
                f"(95% CI {low:.4f}-{high:.4f}), {r['pct_change_odds_per_point']:+.2f}% odds "
                f"per point; N={r['n']}{adj}"
            )
        corr = report["unit_correlation"]
        for level in ("leaders", "units"):
            for name in ("burnout", "satisfaction"):
                c = corr[level][name]
                if c["r"] is None:
                    out(f"  {level} index vs {name} rate: not enough groups (n={c['n']})")
                    continue
                ci = f" (95% CI {c['ci95'][0]:.3f} to {c['ci95'][1]:.3f})" if c["ci95"] else ""
                out(
                    f"  {level} index vs {name} rate: r={c['r']:.3f}{ci}, "
                    f"p={c['p_value']:.3g}, n={c['n']}"
                )


# --adjust's column names in the file and the covariate each is in the model.
ADJUSTABLE = {"age_band": "age band", "sex": "sex"}


def _adjust_columns(raw, path, instrument):
    """(the adjustable columns the file carries after the instrument's, the --adjust ones):
    a clear error naming an --adjust column the file does not have."""
    names = [n.strip() for n in (raw or "").split(",") if n.strip()]
    if unknown := [n for n in names if n not in ADJUSTABLE]:
        raise CommandError(f"--adjust: cannot adjust for {', '.join(map(repr, unknown))}; "
                           f"adjustable columns: {', '.join(ADJUSTABLE)}")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = [h.strip() for h in next(csv.reader(fh), [])]
    except (OSError, UnicodeDecodeError, csv.Error):
        header = []  # read_responses reports it
    trailing = header[len(instrument.csv_header):]
    carried = tuple(trailing) if trailing and all(h in ADJUSTABLE for h in trailing) else ()
    for name in names:
        if name not in carried:
            raise CommandError(
                f"--adjust: {path} has no column {name!r} after the instrument's columns "
                f"(found after them: {', '.join(trailing) or 'nothing'})")
    return carried, names


def _demographics(table, path, carried, names, cycle):
    """{"age band": ..., "sex": ...} per response of the analysed cycle, for the --adjust
    columns only (the others are read past, never used)."""
    if not names:
        return None
    columns = read_extra_columns(path=path, columns=names)
    name = cycle if cycle is not None else (cycle_names(table=table) or [None])[-1]
    if name not in table.cycles:
        return None  # clustered_associate_report says the cycle is not in the file
    in_cycle = table.cycle == table.cycles.index(name)
    return {ADJUSTABLE[c]: values[in_cycle] for c, values in columns.items()}


def _figure_line(e):
    if not e["published"]:
        return "not shown"
    ci = f" ({e['ci95'][0]:.1f}-{e['ci95'][1]:.1f})" if e["ci95"] else ""
    index = f"{e['index']:.1f}" if e["index"] is not None else "-"
    higher = "  (a few answers are counted at a higher level)" if e.get("some_answers_counted_higher_up") else ""
    return f"n={e['n']:<5} index {index}{ci}{higher}"
