"""Peak memory and time of reading and checking the largest uploads Clinlead accepts, and of the
hostile files it refuses; each in its own process, so each peak is that file's alone.

    python3 benchmarks/upload_memory.py [--rows 200000]

Cases: the largest HR extract the limits allow (200,000 rows as CSV, under 50 MB), the same as
.xlsx (--xlsx-rows, default 50,000: writing a larger workbook takes minutes), evaluation figures
of 200,000 rows, the 5 KB workbook whose only cell is XFD1048576 (it claims 17 billion cells),
and a CSV with a 200 KB field. The target: every case in seconds and under 1.5 GB.
"""

import argparse
import io
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

READ_HR = """
    from datetime import date
    from clinlead.org.hr_format import HrFileError, parse_extract, read_rows
    try:
        extract = parse_extract(
            read_rows(path=PATH), known_organisations={"northgate"}, today=date(2028, 2, 29)
        )
        outcome = f"{len(extract.rows):,} rows read, {extract.total_problems} problems"
    except HrFileError as exc:
        outcome = f"refused: {exc}"
"""
READ_FIGURES = """
    from clinlead.analytics.metric_series import MetricSeriesError, read_metric_series
    try:
        outcome = f"{len(read_metric_series(path=PATH).observations):,} figures read"
    except MetricSeriesError as exc:
        outcome = f"refused: {str(exc)[:120]}"
"""


def measure(code, path):
    child = (
        textwrap.dedent(f"""
        import os, resource, sys, time
        sys.path.insert(0, {str(REPO)!r})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinlead.settings")
        import django
        django.setup()
        from pathlib import Path
        PATH = Path({str(path)!r})
        started = time.perf_counter()
    """)
        + textwrap.dedent(code)
        + textwrap.dedent("""
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{seconds:6.1f} s  {peak:7.0f} MB peak  {outcome}")
    """)
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=900
    )
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def hr_rows(n):
    from clinlead.org.hr_format import COLUMN_NAMES

    units = [
        f"Division {d}/Department {d}{e}/Ward {d}{e}{w}"
        for d in range(8)
        for e in range(5)
        for w in range(6)
    ]
    for i in range(n):
        yield {
            "organisation": "northgate",
            "staff_number": f"{100000 + i}",
            "first_name": f"Firstname{i % 977}",
            "last_name": f"Lastname-{i % 1213}",
            "work_email": f"person.{i}@northgate.nhs.example",
            "profession": "nurse",
            "grade": "Band 6",
            "start_date": "2015-06-01",
            "site": "NGH",
            "unit_path": units[i % len(units)],
            "leader_staff_number": f"{100000 + i // 10}" if i >= 10 else "",
            "gender": "woman",
            "ethnicity": "white_british",
        } | {c: "" for c in COLUMN_NAMES if c in ()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--xlsx-rows", type=int, default=50_000)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    import csv
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinlead.settings")
    import django

    django.setup()
    from openpyxl import Workbook

    from clinlead.org.hr_format import COLUMN_NAMES

    folder = Path(tempfile.mkdtemp(prefix="clinlead-upload-memory-"))
    hr_csv = folder / "largest.csv"
    with hr_csv.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
        writer.writeheader()
        writer.writerows(hr_rows(args.rows))
    hr_xlsx = folder / "large.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(COLUMN_NAMES)
    for row in hr_rows(args.xlsx_rows):
        sheet.append([row[c] for c in COLUMN_NAMES])
    book.save(hr_xlsx)
    figures = folder / "figures.csv"
    with figures.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["organisation", "period", "metric", "value"])
        for i in range(args.rows):
            writer.writerow(
                [
                    f"Trust {i % 40}",
                    f"{2000 + (i // 40) // 12 % 100:04d}-{(i // 40) % 12 + 1:02d}",
                    f"metric_{i // 48000}",
                    f"{i % 1000 / 7:.3f}",
                ]
            )
    bomb = folder / "claims-a-whole-sheet.xlsx"
    book = Workbook()
    for column, name in enumerate(COLUMN_NAMES, start=1):
        book.active.cell(row=1, column=column, value=name)
    book.active["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    bomb.write_bytes(out.getvalue())
    big_field = folder / "big-field.csv"
    big_field.write_text(
        ",".join(COLUMN_NAMES) + "\nnorthgate,1," + "A" * 200_000 + ",Lee,,nurse,,,,Surgery,,,\n"
    )

    cases = [
        (
            f"HR extract, {args.rows:,} rows CSV ({hr_csv.stat().st_size / 2**20:.1f} MB)",
            READ_HR,
            hr_csv,
        ),
        (
            f"HR extract, {args.xlsx_rows:,} rows .xlsx ({hr_xlsx.stat().st_size / 2**20:.1f} MB)",
            READ_HR,
            hr_xlsx,
        ),
        (
            f"evaluation figures, {args.rows:,} rows CSV ({figures.stat().st_size / 2**20:.1f} MB)",
            READ_FIGURES,
            figures,
        ),
        (f"HR: .xlsx claiming XFD1048576 ({bomb.stat().st_size / 1024:.1f} KB)", READ_HR, bomb),
        (
            f"figures: .xlsx claiming XFD1048576 ({bomb.stat().st_size / 1024:.1f} KB)",
            READ_FIGURES,
            bomb,
        ),
        ("HR: CSV with a 200 KB name", READ_HR, big_field),
    ]
    baseline = measure("outcome = 'python and django only'\n", hr_csv)
    print(f"{'baseline (start-up only)':55s} {baseline}")
    for label, code, path in cases:
        print(f"{label:55s} {measure(code, path)}")


if __name__ == "__main__":
    main()
