import sys
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from clinlead.org.hr_format import HrFileError
from clinlead.org.hr_import import import_hr_extract
from clinlead.tabular import MAX_FILE_BYTES
from clinlead.validation import check_plausible_date


class Command(BaseCommand):
    help = "Import an HR extract (CSV or .xlsx; columns in docs/hr-import.md). Nothing is written if any row is bad."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--partial", action="store_true",
            help="the file is not a full extract: do not mark people missing from it inactive",
        )
        parser.add_argument("--effective", type=date.fromisoformat, help="date the changes take effect (default today)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, file, dry_run, partial, effective, quiet, **options):
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
                full_extract=not partial, effective=effective, progress=progress,
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
