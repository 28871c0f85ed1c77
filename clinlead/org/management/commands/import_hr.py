import sys
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from clinlead.org import hr_reversal
from clinlead.org.hr_format import HrFileError
from clinlead.org.hr_import import import_hr_extract
from clinlead.tabular import MAX_FILE_BYTES
from clinlead.validation import check_plausible_date


class Command(BaseCommand):
    help = ("Import an HR extract (CSV or .xlsx; columns in docs/hr-import.md). Nothing is written if any row is "
            "bad. A partial update unless --full-extract is given.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        extent = parser.add_mutually_exclusive_group()
        extent.add_argument(
            "--full-extract", action="store_true",
            help="the file lists everyone in post: mark people missing from it as having left",
        )
        extent.add_argument(
            "--partial", action="store_true",
            help="the file is a partial update (the default): nobody is marked as having left",
        )
        parser.add_argument(
            "--confirm-leavers", type=int, metavar="N",
            help="with --full-extract: the number of people it marks as having left, confirmed; needed when "
                 "that is more than CLINLEAD_HR_LEAVER_CONFIRM_PERCENT of staff in post or includes a "
                 "key-position holder",
        )
        parser.add_argument("--effective", type=date.fromisoformat, help="date the changes take effect (default today)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, file, dry_run, full_extract, partial, confirm_leavers, effective, quiet, **options):
        if confirm_leavers is not None and not full_extract:
            raise CommandError("--confirm-leavers goes with --full-extract: a partial update marks nobody as left")
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        if effective is not None:
            try:
                check_plausible_date(effective)
            except ValidationError as exc:
                raise CommandError(f"--effective {effective}: {' '.join(exc.messages)}") from None
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{file}: {file.stat().st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        content = file.read_bytes()
        total = content.count(b"\n") if file.suffix.lower() == ".csv" else None
        show = not quiet and sys.stderr.isatty()

        def progress(rows):
            return tqdm(rows, total=total, unit=" rows", desc="Checking", file=sys.stderr, disable=not show)

        try:
            result = import_hr_extract(
                actor=None, content=content, filename=file.name, dry_run=dry_run,
                full_extract=full_extract, effective=effective, progress=progress,
                confirm_leavers=confirm_leavers,
            )
        except HrFileError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"{file}: {problem}")
            hidden = result.total_problems - len(result.problems)
            if hidden:
                self.stderr.write(f"... and {hidden} more")
            raise CommandError(f"{result.total_problems} problem(s) found; nothing was written")
        counts = result.counts()
        prefix = "Dry run, nothing written. Would have: " if dry_run else ""
        self.stdout.write(
            prefix + f"created {counts['created']}, updated {counts['updated']}, "
            f"deactivated {counts['deactivated']}, unchanged {counts['unchanged']} "
            f"({counts['rows']} rows, {counts['units_created']} new units)"
        )
        if dry_run and result.leaver_check.needs_confirmation:
            self.stdout.write(f"Applying it needs --confirm-leavers {result.deactivated}: "
                              + "; ".join(result.leaver_check.reasons))
        for applied in result.imports:
            self.stdout.write(f"Import {applied.pk} ({applied.organisation.slug}): reverse it with "
                              f"`clinlead reverse-hr-import {applied.pk}` within "
                              f"{hr_reversal.reversible_days()} days")
