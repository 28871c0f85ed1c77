"""Survey submissions under load on PostgreSQL, through a real WSGI server on loopback.

    python3 -m pip install -e '.[test]'
    python3 benchmarks/survey_load.py \
        [--database-url postgres://postgres@127.0.0.1:5432/clinlead_bench] \
        [--submissions 6000] [--clients 16] [--workers 3] [--threads 4] [--rate 200] \
        [--instances 2 --cache-url redis://127.0.0.1:6379/0]

`--instances N` runs the reference layout of docs/deployment.md on one machine: N application
servers (`clinlead serve`, each `--workers` processes) on their own ports sharing PostgreSQL and
the cache; the clients are spread over them as a load balancer would.

Each simulated respondent opens their single-use link (GET, for the form's CSRF token) and
sends their answers (POST). Prints submissions per second and POST latency percentiles, with a
ratio against a baseline in the same process: the same clients fetching /health/ (the server's
floor). Then sends every one of 200 links from 5 clients at once and checks that exactly one
response per link was stored: nothing lost, nothing duplicated.
"""

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CHOSEN_LEADER = re.compile(rb'<option value="(\d+)" selected>')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(n_links):
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command

    from clinlead.org.models import Organisation, Person, ReportingLine, Unit, UnitMembership
    from clinlead.sealing import make_custody_keys
    from clinlead.surveys.models import Invitation, SurveyCycle
    from clinlead.surveys.services import default_instrument, token_hash

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    org = Organisation.objects.create(name="Load Test Trust", slug="load-test")
    # Teams of 25 under their own leader, as on a ward: the form lists the unit's leaders.
    team_size = 25
    n_teams = -(-n_links // team_size)
    units = Unit.objects.bulk_create(
        [
            Unit(organisation=org, name=f"Ward {t}", path=f"Ward {t}", depth=0)
            for t in range(n_teams)
        ]
    )
    leaders = Person.objects.bulk_create(
        [
            Person(
                organisation=org,
                staff_number=f"L{t}",
                first_name="Lee",
                last_name=f"Leader {t}",
                profession="nurse",
            )
            for t in range(n_teams)
        ]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                organisation=org,
                staff_number=f"S{i}",
                first_name="S",
                last_name=str(i),
                profession="nurse",
            )
            for i in range(n_links)
        ]
    )
    team = [i // team_size for i in range(n_links)]
    UnitMembership.objects.bulk_create(
        [
            UnitMembership(person=p, unit=units[team[i]], start=date(2020, 1, 1))
            for i, p in enumerate(people)
        ]
        + [
            UnitMembership(person=leader, unit=unit, start=date(2020, 1, 1))
            for leader, unit in zip(leaders, units, strict=True)
        ]
    )
    ReportingLine.objects.bulk_create(
        [
            ReportingLine(person=p, leader=leaders[team[i]], start=date(2020, 1, 1))
            for i, p in enumerate(people)
        ]
    )
    # Answers are sealed to the cycle's key (the private key is not needed: nothing is closed here).
    public_key = make_custody_keys(
        passphrases=["load test custodian"], label="load test"
    ).public_key
    cycle = SurveyCycle.objects.create(
        organisation=org,
        name="2026",
        instrument=default_instrument(),
        status="open",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 12, 31),
        snapshot_date=date(2026, 1, 1),
        public_key=public_key,
    )
    Invitation.objects.bulk_create(
        [
            Invitation(
                cycle=cycle,
                person=p,
                leader=leaders[team[i]],
                unit=units[team[i]],
                profession="nurse",
                token_hash=token_hash(f"bench-{i}"),
            )
            for i, p in enumerate(people)
        ],
        batch_size=5000,
    )
    return cycle


def open_form(conn, token):
    """A respondent opens their link: returns (token, cookie, form token, leader shown) or None."""
    conn.request("GET", f"/survey/s/{token}/")
    page = conn.getresponse()
    body = page.read()
    match = CSRF_FIELD.search(body)
    leader = CHOSEN_LEADER.search(body)
    if page.status != 200 or not match or not leader:
        return None
    return (
        token,
        page.getheader("Set-Cookie", "").split(";")[0],
        match.group(1).decode(),
        leader.group(1).decode(),
    )


def send_answers(conn, opened):
    """The respondent sends their answers, keeping the leader the form showed.
    Returns (status, seconds)."""
    token, cookie, csrf, leader_id = opened
    form = {f"q{i}": "4" for i in range(1, 13)} | {
        "burnout": "2",
        "satisfaction": "4",
        "leader": leader_id,
        "csrfmiddlewaretoken": csrf,
    }
    started = time.perf_counter()
    conn.request(
        "POST",
        f"/survey/s/{token}/",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1/survey/s/{token}/",
        },
    )
    answer = conn.getresponse()
    answer.read()
    return answer.status, time.perf_counter() - started


def run_clients(ports, jobs, clients, work):
    """Share `jobs` between `clients` threads, each with its own keep-alive connection (to the
    servers in turn, as a load balancer spreads connections)."""
    results, lock = [], threading.Lock()
    queue = list(jobs)

    def client(port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            outcome = work(conn, job)
            with lock:
                results.append(outcome)
        conn.close()

    threads = [
        threading.Thread(target=client, args=(ports[i % len(ports)],)) for i in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def run_at_rate(ports, jobs, rate, clients, work):
    """Open-loop load: job i is due at start + i/rate whatever happened before, and its latency
    is counted from when it was due, so a slow server cannot hide its queue (no coordinated
    omission). Returns (results, seconds)."""
    jobs = list(jobs)
    results, lock = [], threading.Lock()
    next_job = [0]
    start = time.perf_counter() + 0.2

    def client(port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next_job[0]
                if i >= len(jobs):
                    break
                next_job[0] += 1
            due = start + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            status, _ = work(conn, jobs[i])
            with lock:
                results.append((status, time.perf_counter() - due))
        conn.close()

    threads = [
        threading.Thread(target=client, args=(ports[i % len(ports)],)) for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - start


def health(conn, _):
    started = time.perf_counter()
    conn.request("GET", "/health/")
    r = conn.getresponse()
    r.read()
    return r.status, time.perf_counter() - started


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/clinlead_bench"
    )
    parser.add_argument("--submissions", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--instances", type=int, default=1, help="application servers (clinlead serve)"
    )
    parser.add_argument("--cache-url", default="", help="CLINLEAD_CACHE_URL shared by the servers")
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="offer POSTs at this fixed rate per second (open loop); 0 = as fast as the clients go",
    )
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("--database-url must name a database whose name contains 'bench' (it is flushed)")
    env = dict(
        os.environ,
        DATABASE_URL=args.database_url,
        CLINLEAD_DATA_DIR=tempfile.mkdtemp(prefix="clinlead-load-"),
        DJANGO_SETTINGS_MODULE="clinlead.settings",
        CLINLEAD_DB_CONN_MAX_AGE="600",
    )
    os.environ.update(env)
    race_links = 200
    cycle = setup(args.submissions + race_links)
    if args.cache_url:
        env["CLINLEAD_CACHE_URL"] = args.cache_url
    ports = [free_port() for _ in range(args.instances)]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clinlead",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            env=env,
        )
        for port in ports
    ]
    try:
        for port in ports:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
        # Warm up until every worker has loaded Django and answers quickly.
        deadline = time.perf_counter() + 8
        while time.perf_counter() < deadline:
            run_clients(ports, range(100), args.clients, health)
        base, base_s = run_clients(ports, range(args.submissions), args.clients, health)
        # People open their links first (the form is read before it is filled in), then send.
        tokens = [f"bench-{i}" for i in range(args.submissions + race_links)]
        opened, open_s = run_clients(ports, tokens, args.clients, open_form)
        by_token = {o[0]: o for o in opened if o}
        sends = [by_token[f"bench-{i}"] for i in range(args.submissions)]
        if args.rate:
            done, seconds = run_at_rate(ports, sends, args.rate, args.clients, send_answers)
        else:
            done, seconds = run_clients(ports, sends, args.clients, send_answers)
        ok = [s for status, s in done if status == 302]
        race = [
            by_token[f"bench-{i}"] for i in range(args.submissions, args.submissions + race_links)
        ] * 5
        raced, _ = run_clients(ports, race, 20, send_answers)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()
    from clinlead.surveys.models import Invitation, SealedResponse

    stored = SealedResponse.objects.filter(cycle=cycle).count()
    used = Invitation.objects.filter(cycle=cycle, used=True).count()
    print(
        f"database:                 {args.database_url.split('@')[-1]}  "
        f"({args.instances} x clinlead serve, {args.workers} workers x {args.threads} threads, "
        f"cache {args.cache_url or 'file'}, "
        f"{args.clients} clients, 2 cores shared with the clients)"
    )
    print(
        f"baseline /health/:        {len(base) / base_s:,.0f} requests/s, "
        f"p99 {percentile([s for _, s in base], 99) * 1000:.1f} ms"
    )
    print(
        f"opening the form (GET):   {len(opened):,} in {open_s:.1f} s = "
        f"{len(opened) / open_s:,.0f}/s"
    )
    print(
        f"survey submissions (POST): {len(ok):,} of {len(done):,} accepted in {seconds:.1f} s = "
        f"{len(ok) / seconds:,.0f} submissions/s; "
        f"ratio to baseline {(len(base) / base_s) / (len(ok) / seconds):.1f}x"
    )
    if args.rate:
        print(
            f"offered rate:             {args.rate:.0f} POST/s, "
            f"open loop ({args.clients} client threads); "
            "latency counted from when each POST was due"
        )
    print(
        f"POST latency:             p50 {statistics.median(ok) * 1000:.1f} ms, "
        f"p95 {percentile(ok, 95) * 1000:.1f} ms, "
        f"p99 {percentile(ok, 99) * 1000:.1f} ms"
    )
    accepted = sum(1 for status, _ in raced if status == 302)
    print(
        f"same link x5 at once:     {race_links} links, {accepted} submissions accepted, "
        f"{sum(1 for status, _ in raced if status == 410)} refused as used"
    )
    consistent = stored == used == len(ok) + accepted
    print(
        f"stored responses:         {stored:,} for {used:,} used links "
        f"({'no response lost or duplicated' if consistent else 'MISMATCH'})"
    )


if __name__ == "__main__":
    main()
