"""The succession monitor at NHS scale: 1.5 million staff and 100,000 leadership positions.

    python3 benchmarks/succession_monitor.py [--staff 1500000] [--positions 100000] [--repeat 50]
                                             [--database-url postgres://.../clinlead_bench]

Builds the demo group with `DemoGenerator(staff=...)` (about 30,000 positions at 1.5 M staff),
then adds key positions with bulk inserts until there are `--positions` in all, each held by
someone, most with a succession pool of 0-4 candidates, some administrator partners and some
planned departures, and runs ANALYZE (as autovacuum would after a bulk load). Then it times, for
the largest organisation, `--repeat` times each:

- the baseline: `Position.objects.filter(organisation=..., is_key=True).count()`;
- the background refresh that works the figures out after a change (`compute_and_store`), for
  the whole organisation and one division, and reading the kept figures;
- the monitor's page (`GET /succession/<slug>/`, rendering included, with a year of snapshots):
  the first visit after a change (the refresh is queued; the kept figures are shown, marked as
  being renewed), the first visit after the worker has renewed them, and a visit when nothing
  has changed;

and prints p50/p95, the queries each needs, and the ratio to the baseline. Also prints how long
the daily snapshot takes (it holds the suppressed diversity figures the page shows). Runs on a
fresh SQLite database in a temporary folder unless --database-url names a database whose name
contains "bench" (it is flushed first; `--reuse` times again on one already built). Prints
figures; asserts nothing.
"""

import argparse
import os
import random
import statistics
import time
from datetime import timedelta

from fresh_database import open_fresh_database  # noqa: E402  (beside this script)


def percentiles(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(call, repeat, before=None):
    samples = []
    for _ in range(repeat):
        if before:
            before()  # not timed
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return percentiles(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=1_500_000)
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time again on a PostgreSQL database this script has already built "
        "(no flush, no build)",
    )
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")
    # As in production: background work waits in the database queue for a worker.
    os.environ["CLINLEAD_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    open_fresh_database(args.database_url, flush=not args.reuse)
    from django.conf import settings
    from django.db import connection, transaction

    from clinlead.org.demo import DemoGenerator
    from clinlead.org.models import Organisation, Person, Position

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    demo_s = build_s = added = 0
    if not args.reuse:
        t0 = time.perf_counter()
        generator = DemoGenerator(staff=args.staff, seed=1).build()
        with transaction.atomic(durable=True):
            generator.write()
        demo_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with transaction.atomic(durable=True):
            added = add_positions_and_pools(target=args.positions, generator=generator)
        build_s = time.perf_counter() - t0
    with (
        connection.cursor() as cursor
    ):  # what autovacuum (PostgreSQL) or a DBA (SQLite) does after a bulk load
        cursor.execute("ANALYZE")
    org = max(Organisation.objects.all(), key=lambda o: o.positions.count())
    print(f"database:          {connection.vendor}")
    print(
        f"staff:             {Person.objects.count():,}; positions {Position.objects.count():,} "
        f"({Position.objects.filter(is_key=True).count():,} key); {added:,} added to the demo's"
    )
    print(f"built in:          demo {demo_s:.0f} s; positions, holders, pools {build_s:.0f} s")
    print(
        f"timed organisation: {org.slug} with {org.positions.count():,} positions "
        f"({org.positions.filter(is_key=True).count():,} key); {args.repeat} runs each"
    )

    from clinlead.accounts.models import User
    from clinlead.dates import add_months
    from clinlead.org.models import Unit
    from clinlead.succession.models import MonitorSettings, MonitorSnapshot
    from clinlead.succession.monitor import Scope
    from clinlead.succession.services import take_monitor_snapshot

    MonitorSnapshot.objects.filter(
        organisation=org
    ).delete()  # a rerun on a kept database starts alike
    t0 = time.perf_counter()
    snapshot = take_monitor_snapshot(organisation=org)
    snapshot_s = time.perf_counter() - t0
    MonitorSnapshot.objects.bulk_create(
        [  # a year of history for the trend chart
            MonitorSnapshot(
                organisation=org,
                day=add_months(snapshot.day, -m),
                key_positions=snapshot.key_positions,
                ready_now_1=snapshot.ready_now_1,
                ready_now_2=snapshot.ready_now_2,
                empty_pools=snapshot.empty_pools,
                at_risk=snapshot.at_risk,
            )
            for m in range(1, 12)
        ]
    )

    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from clinlead.succession.monitor_store import (
        compute_and_store,
        data_changed,
        monitor_figures_for_page,
    )

    MonitorSettings.objects.get_or_create(organisation=org)  # as every succession action makes it
    client = Client()
    client.force_login(
        User.objects.filter(username="bench").first()
        or User.objects.create_superuser("bench", "bench@example.org", "not-used-bench-1")
    )
    url = f"/succession/{org.slug}/"
    division = Unit.objects.filter(organisation=org, depth=0).exclude(name="Corporate").first()
    whole = Scope(organisation=org)

    def change():  # what any succession action does: the kept figures go out of date
        with transaction.atomic():
            data_changed(org.pk)
        DBTaskResult.objects.all().delete()  # the worker has not run yet

    def changed_and_renewed():  # ... and then the worker has renewed them
        change()
        compute_and_store(scope=whole)

    calls = [
        (
            "baseline: key positions count()",
            None,
            lambda: Position.objects.filter(organisation=org, is_key=True).count(),
        ),
        ("background refresh, organisation", None, lambda: compute_and_store(scope=whole)),
        (
            f"background refresh, {division.name}",
            None,
            lambda: compute_and_store(scope=Scope(organisation=org, division=division)),
        ),
        ("kept figures, read", None, lambda: monitor_figures_for_page(scope=whole)),
        ("page, visit after a change", change, lambda: _ok(client.get(url), refreshing=True)),
        (
            "page, visit after the refresh",
            changed_and_renewed,
            lambda: _ok(client.get(url), refreshing=False),
        ),
        ("page, nothing changed", None, lambda: _ok(client.get(url), refreshing=False)),
    ]
    baseline = None
    for label, before, call in calls:
        if before:
            before()
        call()  # warm up
        if before:
            before()
        with counting_queries() as queries:
            call()
        p50, p95 = timed(call, args.repeat, before)
        baseline = baseline or p50
        print(
            f"{label:<40} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  queries {queries[0]:3d}  "
            f"ratio to baseline (p50) {p50 / baseline:6.1f}x"
        )
    print(f"daily snapshot (figures, suppressed diversity, trend chart): {snapshot_s:.1f} s")
    import resource

    print(f"peak memory (RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(
        f"load average while timing: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores"
    )


class counting_queries:  # noqa: N801  (used as a context manager)
    """Counts every query, across the connections a request opens and closes."""

    def __enter__(self):
        from django.db import connection

        self.count = [0]
        self.wrapper = connection.execute_wrapper(self._count)
        self.wrapper.__enter__()
        return self.count

    def _count(self, execute, sql, params, many, context):
        self.count[0] += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


def _ok(response, *, refreshing):
    assert response.status_code == 200, response.status_code
    assert (b'id="refreshing"' in response.content) == refreshing
    return response


def add_positions_and_pools(*, target, generator, seed=7):
    """Key positions in the demo's teams until there are `target` positions, each held; pools with
    0-4 candidates for nine key positions in ten; partners and planned departures for some."""
    from django.db.models import Max

    from clinlead.org.models import Appointment, PartnerRole, Position, PositionLevel, Unit
    from clinlead.succession.models import IncumbentPlan, Readiness, SuccessionPool
    from clinlead.succession.readiness import bulk_pool_entries
    from clinlead.succession.services import recount_pools

    rng = random.Random(seed)
    today = generator.world.today
    existing = Position.objects.count()
    staff_by_org = {}
    for row in generator.rows:
        staff_by_org.setdefault(row.organisation_id, []).append(row.id)
    teams = list(
        Unit.objects.filter(kind=Unit.Kind.TEAM).values_list("id", "organisation_id", "name")
    )
    levels = {(lv.organisation_id, lv.rank): lv.id for lv in PositionLevel.objects.all()}
    next_id = (Position.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    positions, appointments, partners, plans = [], [], [], []
    for i in range(max(0, target - existing)):
        team_id, org_id, name = teams[i % len(teams)]
        positions.append(
            Position(
                id=next_id + i,
                organisation_id=org_id,
                unit_id=team_id,
                is_key=True,
                title=f"Clinical Lead {i // len(teams) + 1}, {name}",
                level_id=levels[(org_id, 2)],
            )
        )
    Position.objects.bulk_create(positions, batch_size=5000)
    for p in positions:
        staff = staff_by_org[p.organisation_id]
        start = today - timedelta(days=rng.randint(20, 4 * 365 - 20))
        appointments.append(
            Appointment(
                position_id=p.id,
                person_id=rng.choice(staff),
                start=start,
                end=start + timedelta(days=4 * 365 - 1),
                term_number=rng.choice([1, 1, 2]),
                management_sessions=2,
                clinical_sessions=0 if rng.random() < 0.05 else 6,
            )
        )
        if rng.random() < 0.8:
            partners.append(
                PartnerRole(
                    position_id=p.id,
                    person_id=rng.choice(staff),
                    role="administrator",
                    start=today - timedelta(days=400),
                )
            )
    Appointment.objects.bulk_create(appointments, batch_size=5000)
    PartnerRole.objects.bulk_create(partners, batch_size=5000)
    for a in Appointment.objects.filter(position_id__gte=next_id).only("id", "start", "end")[
        : len(positions) // 20
    ]:
        plans.append(
            IncumbentPlan(appointment_id=a.id, planned_departure=a.start + (a.end - a.start) / 2)
        )
    IncumbentPlan.objects.bulk_create(plans, batch_size=5000)
    key = list(Position.objects.filter(is_key=True).values_list("id", "organisation_id"))
    pools = [SuccessionPool(position_id=pid) for pid, _ in key if rng.random() < 0.9]
    SuccessionPool.objects.bulk_create(pools, batch_size=5000)
    org_of = dict(key)
    entries = []
    readiness = [r.value for r in Readiness]
    pools_by_id = SuccessionPool.objects.in_bulk()
    for pool_id, position_id in SuccessionPool.objects.values_list("id", "position_id"):
        staff = staff_by_org[org_of[position_id]]
        for person_id in set(rng.choice(staff) for _ in range(rng.randint(0, 4))):
            entries.append((pools_by_id[pool_id], person_id, rng.choice(readiness), today,
                            {"nominated_by_label": "benchmark"}))
    bulk_pool_entries(entries, assessed_by_label="benchmark")
    recount_pools(pools=SuccessionPool.objects.all())
    from clinlead.org.demo import _reset_sequences

    _reset_sequences([Position])
    return len(positions)


if __name__ == "__main__":
    main()
