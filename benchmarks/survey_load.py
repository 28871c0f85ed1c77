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
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from open_loop import closed_loop, open_loop, request_bytes  # noqa: E402

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


def form_request(token):
    return request_bytes("GET", f"/survey/s/{token}/")


def opened_form(token, answer):
    """What a respondent's browser keeps from the form: (token, cookie, form token, leader shown),
    or None."""
    if answer is None or answer.status != 200:
        return None
    match = CSRF_FIELD.search(answer.body)
    leader = CHOSEN_LEADER.search(answer.body)
    if not match or not leader:
        return None
    return (
        token,
        answer.header("Set-Cookie").split(";")[0],
        match.group(1).decode(),
        leader.group(1).decode(),
    )


def answers_request(opened):
    """The respondent sends their answers, keeping the leader the form showed."""
    token, cookie, csrf, leader_id = opened
    form = {f"q{i}": "4" for i in range(1, 13)} | {
        "burnout": "2",
        "satisfaction": "4",
        "leader": leader_id,
        "csrfmiddlewaretoken": csrf,
    }
    return request_bytes(
        "POST",
        f"/survey/s/{token}/",
        body=urlencode(form).encode(),
        headers=[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", cookie),
            ("Referer", f"http://127.0.0.1/survey/s/{token}/"),
        ],
    )


HEALTH = request_bytes("GET", "/health/")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latencies(results, status):
    return [s for answer, s in results if answer is not None and answer.status == status]


def ms(values, p):
    return f"{percentile(values, p) * 1000:.1f}" if values else "-"


def server_cpu(pids):
    """CPU seconds used so far by the servers: each gunicorn master, its live workers and the
    workers it has reaped."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        if pid in pids:
            total += sum(int(x) for x in fields[11:15])
        elif ppid in pids:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def load_average():
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/clinlead_bench"
    )
    parser.add_argument("--submissions", type=int, default=6000, help="POSTs per rate")
    parser.add_argument("--clients", type=int, default=16, help="connections of the closed loops")
    parser.add_argument("--workers", type=int, help="processes per server (default: serve's)")
    parser.add_argument("--threads", type=int, help="threads per process (default: serve's)")
    parser.add_argument(
        "--instances", type=int, default=1, help="application servers (clinlead serve)"
    )
    parser.add_argument("--cache-url", default="", help="CLINLEAD_CACHE_URL shared by the servers")
    parser.add_argument(
        "--rate",
        default="0",
        help="offer POSTs at this fixed rate per second (open loop), or several rates one after "
        "the other (250,300,350); 0 = closed loop, as fast as --clients connections go",
    )
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("--database-url must name a database whose name contains 'bench' (it is flushed)")
    rates = [float(r) for r in args.rate.split(",")]
    env = dict(
        os.environ,
        DATABASE_URL=args.database_url,
        CLINLEAD_DATA_DIR=tempfile.mkdtemp(prefix="clinlead-load-"),
        DJANGO_SETTINGS_MODULE="clinlead.settings",
    )
    os.environ.update(env)
    race_links = 200
    cycle = setup(args.submissions * len(rates) + race_links)
    if args.cache_url:
        env["CLINLEAD_CACHE_URL"] = args.cache_url
    ports = [free_port() for _ in range(args.instances)]
    sizing = [
        *(["--workers", str(args.workers)] if args.workers else []),
        *(["--threads", str(args.threads)] if args.threads else []),
    ]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "clinlead", "serve", "--bind", f"127.0.0.1:{port}", *sizing],
            env=env,
        )
        for port in ports
    ]
    from clinlead.surveys.models import Invitation, SealedResponse

    def stored_and_used():
        return (
            SealedResponse.objects.filter(cycle=cycle).count(),
            Invitation.objects.filter(cycle=cycle, used=True).count(),
        )

    command = subprocess.run(
        [sys.executable, "-m", "clinlead", "serve", "--print", *sizing],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(
        f"database:                 {args.database_url.split('@')[-1]}  "
        f"({args.instances} x clinlead serve, cache {args.cache_url or 'file'}, "
        f"2 cores shared with the client)\n"
        f"each server:              {command.split(' -m ', 1)[-1].strip()} (own port)"
    )
    pids = {server.pid for server in servers}
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
            closed_loop(ports, [HEALTH] * 100, args.clients)
        base, base_s, _ = closed_loop(ports, [HEALTH] * 3000, args.clients)
        base_rate = len(latencies(base, 200)) / base_s
        print(
            f"baseline /health/:        {base_rate:,.0f} requests/s closed loop "
            f"({args.clients} connections), p99 {ms(latencies(base, 200), 99)} ms"
        )
        # People open their links first (the form is read before it is filled in), then send.
        tokens = [f"bench-{i}" for i in range(args.submissions * len(rates) + race_links)]
        answers, open_s, open_cpu = closed_loop(
            ports, [form_request(t) for t in tokens], args.clients
        )
        by_token = {t: opened_form(t, a) for t, (a, _) in zip(tokens, answers, strict=True)}
        print(
            f"opening the form (GET):   {len(tokens):,} in {open_s:.1f} s = "
            f"{len(tokens) / open_s:,.0f}/s, {sum(1 for o in by_token.values() if o):,} usable"
        )
        totals = {"accepted": 0}
        for step, rate in enumerate(rates):
            sends = [
                answers_request(by_token[f"bench-{i}"])
                for i in range(step * args.submissions, (step + 1) * args.submissions)
            ]
            before, cpu_before = stored_and_used(), server_cpu(pids)
            if rate:
                floor, _, _, _ = open_loop(ports, [HEALTH] * min(len(sends), int(rate * 4)), rate)
                done, seconds, client_cpu, connections = open_loop(ports, sends, rate)
                mode = f"open loop at {rate:.0f}/s, latency from each POST's scheduled time"
            else:
                floor = base
                done, seconds, client_cpu = closed_loop(ports, sends, args.clients)
                connections, mode = args.clients, f"closed loop, {args.clients} connections"
            served_cpu = server_cpu(pids) - cpu_before
            ok = latencies(done, 302)
            totals["accepted"] += len(ok)
            after = stored_and_used()
            stored, used = after[0] - before[0], after[1] - before[1]
            failed = len(done) - len(ok)
            floor_p99 = percentile(latencies(floor, 200), 99)
            print(
                f"\nsurvey submissions (POST), {mode} ({load_average()}):\n"
                f"  {len(ok):,} of {len(done):,} accepted in {seconds:.1f} s = "
                f"{len(ok) / seconds:,.0f} submissions/s; ratio to the /health/ baseline "
                f"{base_rate / max(len(ok) / seconds, 1e-9):.1f}x\n"
                f"  latency p50 {ms(ok, 50)} ms, p95 {ms(ok, 95)} ms, p99 {ms(ok, 99)} ms "
                f"(/health/ at the same rate p99 {floor_p99 * 1000:.1f} ms: ratio "
                f"{percentile(ok, 99) / floor_p99 if ok else 0:.1f}x); {failed} refused or failed\n"
                f"  in the database: {stored:,} stored for {used:,} links used: "
                f"lost {max(0, len(ok) - stored)}, duplicated {max(0, stored - used)}\n"
                f"  CPU: client {client_cpu:.1f} s ({100 * client_cpu / seconds:.0f}% of a core, "
                f"{connections} connections), servers {served_cpu:.1f} s "
                f"({1000 * served_cpu / max(len(ok), 1):.1f} ms a submission)"
            )
        race = [
            answers_request(by_token[f"bench-{i}"])
            for i in range(
                args.submissions * len(rates), args.submissions * len(rates) + race_links
            )
        ] * 5
        raced, _, _ = closed_loop(ports, race, 20)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()
    accepted = len(latencies(raced, 302))
    print(
        f"\nsame link x5 at once:     {race_links} links, {accepted} submissions accepted, "
        f"{len(latencies(raced, 410))} refused as used"
    )
    stored, used = stored_and_used()
    consistent = stored == used == totals["accepted"] + accepted
    print(
        f"stored responses:         {stored:,} for {used:,} used links, "
        f"{totals['accepted'] + accepted:,} accepted "
        f"({'no response lost or duplicated' if consistent else 'MISMATCH'})"
    )


if __name__ == "__main__":
    main()
