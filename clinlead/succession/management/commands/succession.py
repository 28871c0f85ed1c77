"""`clinlead succession report|snapshot|warn`: the monitor's figures, the daily snapshot for the
trend, and the term warnings (each sent once). Run snapshot and warn daily (cron or a scheduler)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from clinlead.org.models import Organisation
from clinlead.succession.monitor import (
    Scope,
    leaving_within,
    monitor_figures,
    vacant_without_successor,
)
from clinlead.succession.monitor_store import compute_and_store, drill_down_scopes
from clinlead.succession.services import take_monitor_snapshot
from clinlead.succession.terms import send_term_warnings


def report(organisation, day):
    """The monitor's figures for the whole organisation, with the complete risk list."""
    scope = Scope(organisation=organisation)
    figures = monitor_figures(scope=scope, day=day, lists=False)
    bench = figures["bench"]
    leaving = leaving_within(scope=scope, day=day, window_end=figures["window_end"])
    vacant = vacant_without_successor(scope=scope, day=day)
    return {
        "organisation": organisation.slug,
        "day": day.isoformat(),
        "bench_strength": {
            "key_positions": bench["key_positions"],
            "with_one_ready_now": bench["ready_now_1"], "with_one_ready_now_percent": bench["share_1"],
            "with_two_ready_now": bench["ready_now_2"], "with_two_ready_now_percent": bench["share_2"],
        },
        "empty_pools": bench["empty_pools"],
        "risk_window_months": figures["settings"].risk_window_months,
        "at_risk": figures["risk_count"],
        "risk_list": [
            {"position": a.position.title, "position_id": a.position_id, "holder": a.person.full_name,
             "leaves_on": a.leaves_on.isoformat(), "term_ends": a.end.isoformat(),
             "candidates": _candidates(a.position)} for a in leaving.iterator(chunk_size=2000)
        ] + [{"position": p.title, "position_id": p.pk, "holder": None, "leaves_on": None, "term_ends": None,
              "candidates": _candidates(p)} for p in vacant.iterator(chunk_size=2000)],
        "terms_ending": {f"within_{m}_months": n for m, n in figures["terms_ending"].items()},
    }


def _candidates(position):
    pool = getattr(position, "succession_pool", None)
    return pool.candidate_count if pool is not None else 0


class Command(BaseCommand):
    help = "Succession: report the monitor's figures, store today's snapshot, or send term warnings."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{report,snapshot,warn}")
        for name, text in (("report", "print bench strength, empty pools, the risk list and terms ending"),
                           ("snapshot", "store today's monitor figures for the trend (once a day)"),
                           ("warn", "e-mail the 18-, 12- and 6-month term warnings due (each once)")):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("--organisation", metavar="SLUG", help="one organisation (default: all)")
            sub.add_argument("--today", type=date.fromisoformat, default=None, help="as if on this day (YYYY-MM-DD)")
            if name == "report":
                sub.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, action, organisation=None, today=None, **options):
        today = today or date.today()
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation with the slug {organisation!r}")
        if action == "report":
            reports = [report(org, today) for org in organisations]
            if options.get("json"):
                self.stdout.write(json.dumps(reports[0] if organisation else reports, indent=2))
            else:
                for r in reports:
                    self._print(r)
        elif action == "snapshot":
            for org in organisations:
                snapshot = take_monitor_snapshot(organisation=org, day=today)
                if today == date.today():  # the day's visitors then find the figures ready
                    for scope in drill_down_scopes(organisation=org):
                        compute_and_store(scope=scope, day=today)
                self.stdout.write(f"{org.slug}: snapshot for {snapshot.day} stored")
        else:
            sent = send_term_warnings(today=today, organisation=organisations.first() if organisation else None)
            self.stdout.write(f"{len(sent)} term warning(s) sent")

    def _print(self, r):
        b = r["bench_strength"]
        self.stdout.write(f"{r['organisation']} on {r['day']}")
        self.stdout.write(f"  key positions {b['key_positions']}; >=1 ready now {b['with_one_ready_now']} "
                          f"({b['with_one_ready_now_percent']}%); >=2 ready now {b['with_two_ready_now']}")
        self.stdout.write(f"  empty pools {r['empty_pools']}; at risk {r['at_risk']} "
                          f"(within {r['risk_window_months']} months)")
        self.stdout.write("  terms ending: " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in r["terms_ending"].items()))
        for item in r["risk_list"]:
            self.stdout.write(f"  at risk: {item['position']} ({item['holder'] or 'vacant'}, leaves {item['leaves_on'] or '-'})")
