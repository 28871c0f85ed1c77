"""CPU and queries per survey submission (POST), through the whole WSGI stack in this process.

    python3 benchmarks/survey_post_cpu.py \
        [--database-url postgres://postgres@127.0.0.1:5432/clinlead_bench] [--posts 600] \
        [--profile 30]

The load benchmark (`survey_load.py`) measures throughput, which a busy machine makes
meaningless. What decides it on two cores is the CPU each submission costs the application and
PostgreSQL, and that a busy machine hardly changes: this script counts it. It sets up invitations
as `survey_load.py` does, opens every form (GET, as a browser would, keeping the session cookie
and the form's CSRF token), then sends the answers (POST) through Django's WSGI handler with the
environ a server would give it, and prints per POST:

- the application's CPU time (time.process_time of this process; the handler runs here),
- PostgreSQL's CPU (utime + stime of this connection's backend, from /proc, when local),
- the SQL statements Django sent (the connection health check's SELECT 1 is not among them),

beside the same figures for GET /health/ (the server's floor), as a ratio. `--profile N` then
profiles N more POSTs with cProfile and prints the top functions by cumulative time.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROUNDS = 10


def environ(method, path, *, body=b"", headers=()):
    env = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers:
        if name == "Content-Type":
            env["CONTENT_TYPE"] = value
        else:
            env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app, env):
    status = []
    response = app(env, lambda s, h, exc_info=None: status.append((s, h)))
    try:
        body = b"".join(response)
    finally:
        response.close()  # as a WSGI server does: Django's request_finished work runs here
    return int(status[0][0].split()[0]), status[0][1], body


def backend_ticks(pid):
    """CPU clock ticks used so far by the PostgreSQL backend `pid`, or None when not local."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/clinlead_bench")
    parser.add_argument("--posts", type=int, default=600)
    parser.add_argument("--profile", type=int, default=0, help="profile this many more POSTs")
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("--database-url must name a database whose name contains 'bench' (it is flushed)")
    # One connection throughout, so its backend's CPU can be read (a server reconnects every
    # CLINLEAD_DB_CONN_MAX_AGE seconds: a connection a minute per thread, nothing per answer).
    os.environ.update(DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="clinlead.settings",
                      CLINLEAD_DB_CONN_MAX_AGE="36000",
                      CLINLEAD_DATA_DIR=tempfile.mkdtemp(prefix="clinlead-post-cpu-"))
    from survey_load import CHOSEN_LEADER, CSRF_FIELD, setup

    warm = 50
    n = warm + args.posts + 1 + args.profile  # one more to list its statements
    cycle = setup(n)
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinlead.audit.models import DailyCount
    from clinlead.surveys.models import Invitation, SealedResponse

    app = get_wsgi_application()
    tick = os.sysconf("SC_CLK_TCK")

    def backend_pid():
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    def opened(i):
        token = f"bench-{i}"
        status, headers, body = call(app, environ("GET", f"/survey/s/{token}/"))
        assert status == 200, status
        cookie = next(v for k, v in headers if k == "Set-Cookie").split(";")[0]
        return (token, cookie, CSRF_FIELD.search(body).group(1).decode(),
                CHOSEN_LEADER.search(body).group(1).decode())

    def post_environ(form):
        token, cookie, csrf, leader = form
        data = {f"q{i}": "4" for i in range(1, 13)} | {
            "burnout": "2", "satisfaction": "4", "leader": leader, "csrfmiddlewaretoken": csrf}
        return environ("POST", f"/survey/s/{token}/", body=urlencode(data).encode(), headers=[
            ("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie),
            ("Referer", f"http://127.0.0.1/survey/s/{token}/")])

    forms = [opened(i) for i in range(n)]
    posts = [post_environ(f) for f in forms]
    health = [environ("GET", "/health/") for _ in range(args.posts)]

    def measure(envs, expect):
        pid = backend_pid() if connection.vendor == "postgresql" else None
        ticks = backend_ticks(pid) if pid else None
        with CaptureQueriesContext(connection) as queries:
            cpu, wall = time.process_time(), time.perf_counter()
            for env in envs:
                status, _, _ = call(app, env)
                assert status == expect, status
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        # conn_max_age keeps the connection, so the backend is the same throughout.
        assert pid is None or backend_pid() == pid
        pg = (backend_ticks(pid) - ticks) / tick if ticks is not None else None
        return cpu / len(envs), wall / len(envs), len(queries) / len(envs), (
            pg / len(envs) if pg is not None else None)

    for env in posts[:warm]:
        call(app, env)
    for env in health[:warm]:
        call(app, env)
    # Rounds of the baseline then the POSTs, side by side, so the machine's load (which changes
    # CPU time per request: shared caches, frequency) weighs on both alike; medians of the rounds.
    rounds, size = ROUNDS, args.posts // ROUNDS
    measured = [(measure(health[r * size:(r + 1) * size], 200),
                 measure(posts[warm + r * size:warm + (r + 1) * size], 302)) for r in range(rounds)]

    def medians(figures):
        return [None if figures[0][i] is None else statistics.median(f[i] for f in figures)
                for i in range(4)]

    base, got = medians([b for b, _ in measured]), medians([p for _, p in measured])
    ratios = sorted(p[0] / b[0] for b, p in measured)

    def line(name, figures):
        cpu, wall, queries, pg = figures
        pg_text = f", PostgreSQL {pg * 1000:.2f} ms" if pg is not None else ""
        return (f"{name:<22} app CPU {cpu * 1000:.2f} ms{pg_text}, {queries:.1f} queries, "
                f"wall {wall * 1000:.2f} ms")

    load = "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print(f"database: {connection.vendor} ({load}); {rounds} rounds of {size} requests each, "
          f"after {warm} to warm up; medians")
    print(line("GET /health/", base))
    print(line("POST /survey/s/<t>/", got))
    print(f"ratio POST / health:   app CPU {statistics.median(ratios):.1f}x "
          f"(rounds from {ratios[0]:.1f}x to {ratios[-1]:.1f}x)")
    with CaptureQueriesContext(connection) as one:
        call(app, posts[-1 - args.profile])
    print("one POST's statements:\n" + "\n".join("  " + q["sql"][:150] for q in one))
    stored = SealedResponse.objects.filter(cycle=cycle).count()
    used = Invitation.objects.filter(cycle=cycle, used=True).count()
    counts = DailyCount.objects.filter(object_type=cycle._meta.label, object_id=str(cycle.pk))
    counted = sum(counts.values_list("count", flat=True))
    print(f"stored {stored} boxes for {used} used links, today's count {counted} "
          f"(expected {warm + rounds * size + 1} of each)")
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on PostgreSQL
        profiler.enable()
        for env in posts[len(posts) - args.profile:]:
            call(app, env)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(90)
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
