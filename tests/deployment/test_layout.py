"""The reference layout of docs/deployment.md, for real: PostgreSQL, Redis, two application
servers (`clinlead serve`) on loopback ports and one `clinlead worker`.

A survey, a succession change and a ballot are driven through both servers, as a load balancer
would spread people between them; both servers then show the same figures. The worker is killed
while it runs a task and started again: the task is run to its end once, nothing is lost.

Runs in the PostgreSQL pass (production's database; `.ci/run` starts Redis). Everything here is
a separate process that the test talks to over HTTP, as a browser would.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "clinlead-demo"
KEY_PASSPHRASE = "clinlead-demo-custodian"
REDIS = ("127.0.0.1", 6379)

# The servers use a database of their own, not the test database: `postgresql` keeps these tests
# in the PostgreSQL pass, which skips tests that ask for no test database (tests/conftest.py).
pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="the multi-server layout runs on PostgreSQL (set DATABASE_URL)",
    ),
]


def _answers(address):
    try:
        socket.create_connection(address, timeout=0.5).close()
        return True
    except OSError:
        return False


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Layout:
    def __init__(self, tmp, frontend):
        self.name = f"clinlead_layout_{uuid.uuid4().hex[:8]}"
        base = settings.DATABASES["default"]
        self.admin_url = f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/postgres"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinlead.settings",
            "DATABASE_URL": f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{self.name}",
            "CLINLEAD_DATA_DIR": str(tmp),
            "CLINLEAD_CACHE_URL": "redis://127.0.0.1:6379/13",
            "CLINLEAD_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "CLINLEAD_DB_CONN_MAX_AGE": "60",
            "PYTHONPATH": str(REPO),
        }
        # The demo needs the NHS.UK design system; the suite has already fetched it once.
        (tmp / "frontend").symlink_to(frontend.parent if frontend.name == "static" else frontend)
        self.ports = [_free_port(), _free_port()]
        self.servers, self.worker = [], None

    # -- processes
    def run(self, *arguments, **kwargs):
        done = subprocess.run(
            [sys.executable, *arguments],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
            **kwargs,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
        return done.stdout

    def sql(self, statement, *, database=None):
        import psycopg

        url = self.admin_url if database is None else self.env["DATABASE_URL"]
        with psycopg.connect(url, autocommit=True) as connection:
            rows = connection.execute(statement)
            return rows.fetchall() if rows.description else None

    def start(self):
        import redis

        self.sql(f'CREATE DATABASE "{self.name}"')
        redis.Redis(*REDIS, db=13).flushdb()
        self.run("-m", "clinlead", "demo", "--no-serve", "--staff", "200", "--seed", "11")
        self.found = json.loads(
            self.run("-m", "tests.deployment.layout_setup").strip().splitlines()[-1]
        )
        for port in self.ports:
            self.servers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "clinlead",
                        "serve",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--threads",
                        "4",
                    ],
                    env=self.env,
                    cwd=REPO,
                )
            )
        self.start_worker()
        for port in self.ports:
            self.wait_ready(port)

    def start_worker(self):
        self.worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "clinlead",
                "worker",
                "--worker-id",
                "layout-worker",
                "--interval",
                "0.2",
            ],
            env=self.env,
            cwd=REPO,
        )

    def wait_ready(self, port):
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{port}/health/ready/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"clinlead serve on port {port} was not ready in a minute")

    def stop(self):
        for process in [*self.servers, self.worker]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [*self.servers, self.worker]:
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    # -- people at the servers
    def browser(self, server):
        return Browser(f"http://127.0.0.1:{self.ports[server]}")

    def task_rows(self, task_path):
        return self.sql(
            "SELECT id, status, worker_ids FROM django_tasks_database_dbtaskresult "
            f"WHERE task_path = '{task_path}' ORDER BY enqueued_at",
            database=True,
        )


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """A person's browser: cookies kept, the form's CSRF token sent back."""

    def __init__(self, base):
        self.base, self.session = base, requests.Session()

    def get(self, path):
        page = self.session.get(self.base + path, timeout=60)
        assert page.status_code == 200, (path, page.status_code)
        return page

    def post(self, path, data, *, files=None, form_path=None):
        form = self.session.get(self.base + (form_path or path), timeout=60)
        token = CSRF.search(form.text)
        assert token, f"no form at {form_path or path}"
        answer = self.session.post(
            self.base + path,
            data={**data, "csrfmiddlewaretoken": token.group(1)},
            files=files,
            headers={"Referer": self.base + (form_path or path)},
            timeout=120,
            allow_redirects=False,
        )
        assert answer.status_code in (200, 302), (path, answer.status_code, answer.text[-3000:])
        return answer

    def log_in(self, username):
        answer = self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert answer.status_code == 302, f"{username} could not log in"
        return self


def figures(html):
    """A page as its reader sees it, without what differs per request (tokens, nonces)."""
    html = re.sub(r'(nonce|value)="[^"]*"', "", html)
    return re.sub(r"\s+", " ", html)


@pytest.fixture(scope="module")
def layout(tmp_path_factory, installed_frontend):
    if not _answers(REDIS) and not os.environ.get("CI"):
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")
    running = Layout(tmp_path_factory.mktemp("layout"), Path(installed_frontend))
    try:
        running.start()
        yield running
    finally:
        running.stop()


def test_a_survey_answered_on_both_servers_closes_once_and_both_show_the_same_figures(layout):
    survey = layout.found["survey"]
    for number, token in enumerate(survey["links"]):
        person = layout.browser(number % 2)
        page = person.get(f"/survey/s/{token}/")
        leader = re.search(r'<option value="(\d+)" selected>', page.text).group(1)
        answers = {f"q{i}": str(1 + (number + i) % 5) for i in range(1, 13)}
        sent = person.post(
            f"/survey/s/{token}/",
            {**answers, "burnout": "2", "satisfaction": "4", "leader": leader},
        )
        assert sent.status_code == 302, f"link {number} was not accepted"
    # The same link again, on the other server: used once only.
    again = layout.browser(1).session.get(
        f"{layout.browser(1).base}/survey/s/{survey['links'][0]}/"
    )
    assert again.status_code == 410

    tara = layout.browser(1).log_in("tara")
    cycle = survey["cycle"]
    page = tara.get(f"/survey/cycles/{cycle}/").text
    early = re.search(r'name="confirm_early"[^>]*value="(\d+)"', page)
    with open(survey["key_file"], "rb") as key_file:
        closed = tara.post(
            f"/survey/cycles/{cycle}/close/",
            {
                "passphrase_1": KEY_PASSPHRASE,
                **({"confirm_early": early.group(1)} if early else {}),
            },
            files={"key_file_1": key_file},
            form_path=f"/survey/cycles/{cycle}/",
        )
    assert closed.status_code == 302, closed.text[-3000:]
    published = (
        layout.browser(0)
        .log_in("tara")
        .post(f"/leader-index/cycles/{cycle}/publish/", {}, form_path=f"/survey/cycles/{cycle}/")
    )
    assert published.status_code == 302

    dashboards = [
        figures(layout.browser(s).log_in("erin").get(f"/leader-index/cycles/{cycle}/").text)
        for s in (0, 1)
    ]
    assert dashboards[0] == dashboards[1]
    assert layout.sql(
        f"SELECT status FROM surveys_surveycycle WHERE id = {cycle}", database=True
    ) == [("published",)]
    closes = layout.sql(
        "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'surveys.cycle_closed'"
        f" AND object_id = '{cycle}'",
        database=True,
    )
    assert closes == [(1,)]


def test_votes_cast_on_either_server_are_one_ballot_each(layout):
    found = layout.found["ballot"]
    selection, voters = found["selection"], found["voters"]
    assert len(voters) == 2, "the demo's open ballot has electors who may vote"
    for server, username in enumerate(voters):
        person = layout.browser(server).log_in(username)
        paper = person.get(f"/selection/{selection}/vote/").text
        choices = re.findall(r'name="(c\d+)"', paper)
        assert choices, paper[-2000:]
        ranks = {name: str(rank) for rank, name in enumerate(dict.fromkeys(choices), start=1)}
        receipt = person.post(f"/selection/{selection}/vote/", ranks)
        assert receipt.status_code == 200 and "receipt" in receipt.text.lower()
        # Voting again, on the other server, is refused: one ballot a voter.
        other = layout.browser(1 - server).log_in(username)
        assert "already voted" in other.get(f"/selection/{selection}/vote/").text.lower()
    counts = [
        figures(layout.browser(s).log_in("tara").get(f"/selection/{selection}/close/").text)
        for s in (0, 1)
    ]
    assert counts[0] == counts[1]  # the turnout, as each server shows it


def test_a_worker_killed_mid_task_is_restarted_and_the_task_runs_to_its_end_once(layout):
    """The succession change queues the monitor's refresh; the worker is killed while running it
    (held on a table lock so the moment is certain) and started again under the same name."""
    pool = layout.found["pool"]
    task = "clinlead.succession.monitor_store.refresh_monitor_figures"
    layout.worker.send_signal(signal.SIGTERM)  # a clean stop first, so the task waits its turn
    layout.worker.wait(timeout=30)
    before = {row[0] for row in layout.task_rows(task)}

    tara = layout.browser(0).log_in("tara")
    position = pool["position"]
    form = tara.get(
        f"/succession/positions/{position}/pool/nominate/?staff_number={pool['staff_number']}"
    ).text
    readiness = re.search(r'name="readiness"[^>]*>.*?<option value="([^"]+)"', form, re.S).group(1)
    added = tara.post(
        f"/succession/positions/{position}/pool/nominate/",
        {"staff_number": pool["staff_number"], "readiness": readiness},
        form_path=f"/succession/positions/{position}/pool/nominate/",
    )
    assert added.status_code == 302
    queued = [row for row in layout.task_rows(task) if row[0] not in before]
    assert len(queued) == 1 and queued[0][1] == "READY"

    import psycopg

    with psycopg.connect(layout.env["DATABASE_URL"]) as holder:
        holder.execute("LOCK TABLE org_position IN ACCESS EXCLUSIVE MODE")
        layout.start_worker()
        for _ in range(300):
            if layout.task_rows(task)[-1][1] == "RUNNING":
                break
            time.sleep(0.1)
        else:
            pytest.fail("the worker did not take the task")
        layout.worker.kill()  # power lost: no chance to tidy up
        layout.worker.wait(timeout=30)
        holder.rollback()
    assert layout.task_rows(task)[-1][1] == "RUNNING"  # left behind by the dead worker

    layout.start_worker()
    for _ in range(600):
        (_, status, worker_ids) = [row for row in layout.task_rows(task) if row[0] not in before][0]
        if status == "SUCCESSFUL":
            break
        time.sleep(0.1)
    assert status == "SUCCESSFUL"
    assert worker_ids == ["layout-worker", "layout-worker"]  # taken twice, finished once
    assert len([row for row in layout.task_rows(task) if row[0] not in before]) == 1

    pools = [
        figures(
            layout.browser(s).log_in("tara").get(f"/succession/positions/{position}/pool/").text
        )
        for s in (0, 1)
    ]
    assert pools[0] == pools[1] and pool["name"] in pools[0]
    # Both servers read the refreshed monitor from the shared cache.
    monitors = [
        figures(layout.browser(s).log_in("erin").get("/succession/northgate/").text) for s in (0, 1)
    ]
    assert monitors[0] == monitors[1]
