"""Generate an HR extract of N staff (default 100,000) and import it; print time and peak memory.

    python3 benchmarks/import_hr.py [--staff 100000] [--database-url postgres://.../clinlead_bench]

The baseline, run in the same process on the same file, is a plain `csv` read of every row:
the ratio says how much the checks and the writing cost over just reading the file.
Runs against a fresh SQLite database in a temporary folder unless --database-url names a
database whose name contains "bench" (it is flushed first).
"""

import argparse
import csv
import io
import resource
import time

from fresh_database import open_fresh_database  # noqa: E402  (beside this script)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    workdir = open_fresh_database(args.database_url)
    from django.db import connection

    from clinlead.org.demo import DemoGenerator
    from clinlead.org.demo_data import TRUSTS
    from clinlead.org.hr_format import COLUMN_NAMES
    from clinlead.org.hr_import import import_hr_extract
    from clinlead.org.models import Organisation, Person

    for slug, name, _ in TRUSTS:
        Organisation.objects.create(slug=slug, name=name)

    t0 = time.perf_counter()
    rows = list(DemoGenerator(staff=args.staff, seed=1).build().extract_rows())
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    content = out.getvalue().encode()
    del rows, out
    generate_s = time.perf_counter() - t0
    (workdir / "extract.csv").write_bytes(content)

    t0 = time.perf_counter()
    read_rows = sum(1 for _ in csv.reader(io.StringIO(content.decode("utf-8"))))
    baseline_s = time.perf_counter() - t0

    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    first = import_hr_extract(actor=None, content=content, filename="extract.csv", dry_run=False)
    first_s = time.perf_counter() - t0
    rss_after_first = peak_rss_mb()
    assert first.ok, first.problems[:5]

    t0 = time.perf_counter()
    second = import_hr_extract(actor=None, content=content, filename="extract.csv", dry_run=False)
    second_s = time.perf_counter() - t0

    print(f"database:              {connection.vendor}")
    print(f"staff in extract:      {read_rows - 1:,} rows, {len(content) / 1e6:.1f} MB")
    print(f"generate extract:      {generate_s:.1f} s")
    print(f"baseline (csv read):   {baseline_s:.2f} s")
    print(
        f"first import:          {first_s:.1f} s  ({first.created:,} created)  "
        f"ratio to baseline {first_s / baseline_s:.0f}x"
    )
    print(
        f"second import:         {second_s:.1f} s  ({second.unchanged:,} unchanged, "
        f"{second.updated} updated)  ratio to baseline {second_s / baseline_s:.0f}x"
    )
    print(f"people stored:         {Person.objects.count():,}")
    print(
        f"peak memory (RSS):     {rss_after_first:.0f} MB "
        f"(before import {rss_before:.0f} MB; includes the generator)"
    )


if __name__ == "__main__":
    main()
