"""A survey cycle run through the web app, and the copies of the database an attacker would hold.

The cycle: a talent admin creates and opens it (one custodian), links go out through the task
queue (the database backend, as in production), 16 staff answer over three rounds with two
reminders in between, each answer distinct so that the test knows whose it is, and the admin
closes it with the key file. Copies are taken before anyone answers, at the end of the window
and after close: every row of every table with its physical place (SQLite `rowid`, PostgreSQL
`ctid`) and transaction id (`xmin`), as a database administrator or a backup holder sees them.

Only the web app and generic SQL are used, so the same attacks run against any version of
Clinlead's code.
"""

import hashlib
import json
import random
import re
from dataclasses import dataclass, field

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.surveys.models import SurveyCycle
from tests.surveys.world import World

PASSPHRASE = "the custodian's long passphrase"
RESPONDENTS = 16
LINK = re.compile(r"\(it works once\): (\S+)")


def is_postgresql():
    return connection.vendor == "postgresql"


def copy_database():
    """Every row of every table, in physical order, with its physical place and transaction id."""
    copy = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            name = connection.ops.quote_name(table)
            if is_postgresql():
                cursor.execute(f"SELECT ctid::text AS _place, xmin::text AS _xmin, * FROM {name} ORDER BY ctid")
            else:
                cursor.execute(f"SELECT rowid AS _place, NULL AS _xmin, * FROM {name} ORDER BY rowid")
            columns = [d[0] for d in cursor.description]
            copy[table] = [dict(zip(columns, [_plain(v) for v in row], strict=True)) for row in cursor.fetchall()]
    return copy


def _plain(value):
    return bytes(value) if isinstance(value, memoryview) else value


def answers_of(row):
    value = row["answers"]
    return tuple(json.loads(value) if isinstance(value, str) else value)


def database_image():
    """SQLite: the database file's bytes, free pages included (what a file backup holds)."""
    connection.ensure_connection()
    return connection.connection.serialize()


def every_tuple():
    """PostgreSQL: every row version in every table's pages, live or dead, read with pageinspect:
    [(table, xmin, raw bytes)]."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE c.relkind IN ('r', 't') AND n.nspname IN ('public', 'pg_toast') "
                       "AND pg_relation_size(c.oid) > 0")
        for (relation,) in cursor.fetchall():
            cursor.execute("SELECT t_xmin::text, t_data FROM generate_series(0, pg_relation_size(%s::regclass) / "
                           "current_setting('block_size')::int - 1) AS block, "
                           "heap_page_items(get_raw_page(%s, block::int)) WHERE t_data IS NOT NULL",
                           [relation, relation])
            found += [(relation, xmin, bytes(data)) for xmin, data in cursor.fetchall()]
    return found


@dataclass
class Run:
    """What happened (known to the test, and what an attacker would like to learn) and the copies."""

    world: World
    cycle: SurveyCycle
    people: list  # the respondents, in the order they answered
    answers: dict  # person id -> the answers they gave
    comments: dict  # person id -> their comment
    answered_paths: list = field(default_factory=list)  # a proxy's access log: the paths posted, in order
    before: dict = field(default_factory=dict)  # copy after the links went out, before any answer
    middle: dict = field(default_factory=dict)  # copy at the end of the window, everyone has answered
    after: dict = field(default_factory=dict)  # copy after close
    before_reminders: list = field(default_factory=list)  # task rows of each reminder, as queued
    key_file: bytes = b""
    image_after: bytes = b""  # SQLite: the file image after close
    tuples_after: list = field(default_factory=list)  # PostgreSQL: every row version after close

    def linked(self, guesses):
        """How many people a guess {person id: answers} links to their own answers."""
        return sum(1 for person, answers in guesses.items() if self.answers.get(person) == answers)


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def run_tasks():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def finish_deferred_clean_up():
    """If another database's long transaction on a shared test server made the close's clean-up
    defer itself, do now what the deferred task would do later."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path__endswith="reclaim_survey_space", status="READY").exists():
        call_command("survey_reclaim", "--wait", "600")


def latest_links():
    """Each person's newest link, from the mail sent so far: {e-mail address: path}."""
    links = {}
    for message in mail.outbox:
        links[message.to[0]] = LINK.search(message.body).group(1).split("://", 1)[1].split("/", 1)[1]
    return {address: "/" + path for address, path in links.items()}


def run_survey_cycle(*, seed=7):
    world = World(k=5)
    leader = world.person("Medicine/Ward", profession="doctor")
    # Their HR records differ as a ward's do: one pharmacist among the nurses, two in the clinic.
    cells = [("Medicine/Ward", "nurse")] * (RESPONDENTS - 3) + [("Medicine/Ward", "pharmacist")] \
        + [("Medicine/Clinic", "nurse")] * 2
    staff = [world.person(path, leader=leader, profession=profession) for path, profession in cells]
    admin = User.objects.create(username="talent")
    RoleGrant.objects.create(user=admin, role=Role.TALENT_ADMIN, organisation=world.org)
    office = Client()
    office.force_login(admin)
    office.post(reverse("surveys:cycles", kwargs={"slug": world.org.slug}),
                {"name": "2026", "opens_on": "2026-01-05", "closes_on": "2026-02-05"})
    cycle = SurveyCycle.objects.get(organisation=world.org)
    opened = office.post(reverse("surveys:cycle_action", kwargs={"pk": cycle.pk, "action": "open"}),
                         {"passphrase_1": PASSPHRASE})
    key_file = opened.content if opened.get("Content-Disposition", "").startswith("attachment") else b""
    run_tasks()
    order = staff[:]
    random.Random(seed).shuffle(order)  # not the order of their keys
    run = Run(world=world, cycle=cycle, people=order, key_file=key_file,
              answers={p.pk: (1 + i % 2, 1 + i // 2 % 2, 1 + i // 4 % 2, 1 + i // 8 % 2) + (3,) * 8
                       for i, p in enumerate(order)},
              comments={p.pk: f"Comment number {i}" for i, p in enumerate(order)})
    run.before = copy_database()
    respondent = Client()
    for start, end in ((0, 8), (8, 12), (12, RESPONDENTS)):
        links = latest_links()
        for person in order[start:end]:
            path = links[person.work_email]
            form = {f"q{n}": str(a) for n, a in enumerate(run.answers[person.pk], start=1)}
            form |= {"burnout": "2", "satisfaction": "4", "leader": str(leader.pk), "comment": run.comments[person.pk]}
            assert respondent.post(path, form).status_code == 302
            run.answered_paths.append(path)
        if end < RESPONDENTS:
            office.post(reverse("surveys:cycle_action", kwargs={"pk": cycle.pk, "action": "remind"}))
            run_tasks()
    run.middle = copy_database()
    closed = office.post(reverse("surveys:cycle_action", kwargs={"pk": cycle.pk, "action": "close"}),
                         {"key_file_1": SimpleUploadedFile("key.json", key_file), "passphrase_1": PASSPHRASE})
    assert closed.status_code == 302, closed.content.decode()[:2000]
    run_tasks()  # the close's clean-up runs in the background
    finish_deferred_clean_up()
    run.after = copy_database()
    if is_postgresql():
        run.tuples_after = every_tuple()
    else:
        run.image_after = database_image()
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.CLOSED
    return run
