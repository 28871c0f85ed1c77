"""Build the demo group at NHS scale with bulk inserts; print time, rows and peak memory.

    python3 benchmarks/demo_scale.py [--staff 1500000] [--database-url postgres://.../clinlead_bench]

The baseline, run in the same process, is the generator alone (no database): the ratio is what
writing costs over making the rows in memory.
"""

import argparse
import resource
import time

from fresh_database import open_fresh_database  # noqa: E402  (beside this script)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=1_500_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    open_fresh_database(args.database_url)
    from django.db import connection, transaction

    from clinlead.org.demo import DemoGenerator
    from clinlead.org.models import Person, Position, ReportingLine, Unit, UnitMembership

    t0 = time.perf_counter()
    generator = DemoGenerator(staff=args.staff, seed=1).build()
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic(durable=True):
        generator.write()
    write_s = time.perf_counter() - t0
    rows = sum(m.objects.count() for m in (Person, UnitMembership, ReportingLine, Unit, Position))
    print(f"database:            {connection.vendor}")
    print(
        f"staff:               {Person.objects.count():,}; positions {Position.objects.count():,}; "
        f"units {Unit.objects.count():,}"
    )
    print(
        f"rows written:        {rows:,} (people, memberships, reporting lines, units, positions; "
        f"plus demographics and appointments)"
    )
    print(f"baseline (generate): {build_s:.1f} s")
    print(
        f"write (bulk insert): {write_s:.1f} s  ratio to baseline {write_s / build_s:.1f}x  "
        f"({rows / write_s:,.0f} rows/s)"
    )
    print(
        f"peak memory (RSS):   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
