import csv
import random
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinlead.org.demo import DemoGenerator
from clinlead.org.hr_format import COLUMN_NAMES

BREAKAGES = [
    ("profession", "surgeon-wizard"),
    ("start_date", "31/02/2020"),
    ("last_name", ""),
    ("work_email", "not-an-email"),
    ("staff_number", ""),
]


class Command(BaseCommand):
    help = "Write an example HR extract made by the demo generator (CSV, or .xlsx by the file's suffix)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--staff", type=int, default=1000, help="about how many rows (default 1000)")
        parser.add_argument("--organisation", default="", help="write every row for this organisation slug")
        parser.add_argument("--bad-rows", type=int, default=0, help="break this many rows, for trying the checks")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, file, staff, organisation, bad_rows, seed, **options):
        rows = list(DemoGenerator(staff=staff, seed=seed).build().extract_rows())
        if organisation:
            rows = [dict(r, organisation=organisation) for r in rows]
        if bad_rows > len(rows):
            raise CommandError(f"--bad-rows {bad_rows} is more than the {len(rows)} rows")
        rng = random.Random(seed)
        for i, index in enumerate(sorted(rng.sample(range(len(rows)), bad_rows))):
            column, value = BREAKAGES[i % len(BREAKAGES)]
            rows[index][column] = value
            self.stderr.write(f"broke row {index + 2}, column {column}")
        if file.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("HR extract")
            sheet.append(COLUMN_NAMES)
            for row in rows:
                sheet.append([row[c] for c in COLUMN_NAMES])
            book.save(file)
        else:
            with file.open("w", newline="", encoding="utf-8") as out:
                writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
                writer.writeheader()
                writer.writerows(rows)
        self.stdout.write(f"Wrote {len(rows):,} rows to {file}")
