import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinlead.analytics.approval import count_approval
from clinlead.analytics.blt import BltError, read_blt
from clinlead.analytics.stv import count_scottish_stv
from clinlead.analytics.stv_report import format_report

METHODS = ("scottish-stv", "approval")


class Command(BaseCommand):
    help = (
        "Count the ballots in a BLT file (Scottish STV by default) and print the result, "
        "stage by stage, or as JSON with --json."
    )
    # A pure computation on a file: it must not fail because an unrelated part of the site
    # (URLs, models) has a configuration problem.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="ballots in BLT format")
        parser.add_argument("--method", choices=METHODS, default="scottish-stv")
        parser.add_argument("--seats", type=int, help="seats to fill (default: the file's)")
        parser.add_argument("--seed", type=int, help="seed for drawing lots, to repeat a count")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the result as JSON"
        )
        parser.add_argument(
            "--unranked",
            action="store_true",
            help="approval only: each line is a set of approvals, so first preferences break no "
            "tie (as Clinlead counts an approval selection)",
        )

    def handle(self, *args, file, method, seats, seed, as_json, unranked=False, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            election = read_blt(path=file)
        except BltError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        if seats is not None and seats < 1:
            raise CommandError(f"--seats must be at least 1, not {seats}")
        common = {
            "candidates": election.candidates,
            "ballots": election.ballots,
            "seats": election.seats if seats is None else seats,
            "seed": seed,
            "withdrawn": election.withdrawn,
        }
        if unranked and method != "approval":
            raise CommandError("--unranked applies to --method approval only")
        if method == "approval":
            result = count_approval(ranked=not unranked, **common)
        else:
            result = count_scottish_stv(**common)
        if as_json:
            data = {"title": election.title, **result.as_dict()}
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(format_report(result, title=election.title), ending="")
