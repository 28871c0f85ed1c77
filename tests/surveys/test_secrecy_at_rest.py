"""Forensic attacks on survey answers at rest (docs/secrecy.md).

A real cycle runs through the web app (tests/surveys/forensics.py); the attacker holds a copy of
the database from before anyone answered, one from the end of the window and one after close,
a proxy's access log of the survey paths, the task queue's rows and the audit trail, and knows
in which order people answered. Each test tries one way of joining a person to their answers;
every way must link nobody.

Where an attack pairs rows by chance (a random order pairs about one person in 16 correctly),
"nobody" means no more than chance: at most 6 of 16 (a random order pairs 7 or more with
odds below 1 in 10,000).
"""

import json
import re
from collections import Counter

import nacl.pwhash
import pytest
from django.core.management import call_command
from django.test import override_settings

from clinlead import sealing
from tests.surveys import forensics
from tests.surveys.forensics import RESPONDENTS, is_postgresql

CHANCE = 6
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(scope="module")
def run(django_db_setup, django_db_blocker, shared_demo):
    """One cycle for every attack, in an empty database: each transaction commits, as in
    production; emptied after."""
    cost = sealing._kdf_cost
    sealing.set_kdf_cost(opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN, memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN)
    with django_db_blocker.unblock(), override_settings(TASKS=DATABASE_TASKS):
        shared_demo.use_empty()
        try:
            yield forensics.run_survey_cycle()
        finally:
            sealing.set_kdf_cost(opslimit=cost[0], memlimit=cost[1])
            call_command("flush", interactive=False, verbosity=0)


def readable_answers(copy):
    """Every row, in any table, that holds a survey answer sheet an attacker can read."""
    return [row for rows in copy.values() for row in rows if "answers" in row and "leader_id" in row]


def people_by_token(copies, paths):
    """The proxy log's tokens matched to invitations in the copies: {token: person id}."""
    hashes = {}
    for copy in copies:
        for row in copy["surveys_invitation"]:
            if row["token_hash"]:
                hashes[row["token_hash"]] = row["person_id"]
    tokens = [path.rstrip("/").split("/")[-1] for path in paths]
    return {t: hashes[forensics.token_hash(t)] for t in tokens if forensics.token_hash(t) in hashes}


def test_the_order_of_the_rows_pairs_nobody_with_their_answers(run):
    # The attacker knows the order in which people answered and pairs it with the stored answers
    # in physical order (rowid / ctid) and in key order, in every copy.
    for copy in (run.middle, run.after):
        rows = readable_answers(copy)
        for ordered in (rows, sorted(rows, key=lambda r: str(r["id"]))):
            guesses = {p.pk: forensics.answers_of(r) for p, r in zip(run.people, ordered, strict=False)}
            assert run.linked(guesses) <= CHANCE
    assert len(readable_answers(run.after)) == RESPONDENTS


def test_no_readable_answer_exists_during_the_window(run):
    assert readable_answers(run.before) == [] and readable_answers(run.middle) == []
    # Whatever holds the sealed answers is as long for every person, and no byte of any answer
    # or comment is in it.
    for table, rows in run.middle.items():
        for row in rows:
            for value in row.values():
                text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                assert not any(comment in text for comment in run.comments.values()), table


def test_the_proxy_log_and_any_copy_name_nobody_who_answered_after_the_link_was_used(run):
    # A used link's token hash is erased at once: the end-of-window and after-close copies match
    # no token in the log. (A copy taken before someone answers holds the hash of their unused
    # link: docs/secrecy.md says why proxies must not log survey paths.)
    assert people_by_token([run.middle, run.after], run.answered_paths) == {}
    named = people_by_token([run.before], run.answered_paths)
    # ... and even with the names and times that copy gives, the answers stay unpaired.
    in_log_order = [named[t] for t in (p.rstrip("/").split("/")[-1] for p in run.answered_paths) if t in named]
    for copy in (run.middle, run.after):
        guesses = dict(zip(in_log_order, map(forensics.answers_of, readable_answers(copy)), strict=False))
        assert run.linked(guesses) <= CHANCE


@pytest.mark.skipif(not is_postgresql(), reason="transaction ids (xmin) are PostgreSQL's")
def test_transaction_ids_pair_nobody_with_readable_answers(run):
    # The invitation's "used" update and the stored answer share a transaction. Join them on
    # xmin within a copy and across copies (the answer's xmin after close, the invitation's from
    # the end of the window).
    for invitations, answers in ((run.middle, run.middle), (run.after, run.after), (run.middle, run.after)):
        by_xmin = {}
        for row in readable_answers(answers):
            by_xmin.setdefault(row["_xmin"], []).append(row)
        guesses = {}
        for invitation in invitations["surveys_invitation"]:
            same = by_xmin.get(invitation["_xmin"], [])
            if invitation["used"] and len(same) == 1:
                guesses[invitation["person_id"]] = forensics.answers_of(same[0])
        assert run.linked(guesses) == 0


@pytest.mark.skipif(not is_postgresql(), reason="row versions read with PostgreSQL's pageinspect")
def test_no_row_version_of_an_answering_transaction_survives_the_close(run):
    # The transactions that used the links, as the end-of-window copy shows them.
    answering = {row["_xmin"] for row in run.middle["surveys_invitation"] if row["used"]}
    assert len(answering) == RESPONDENTS
    assert not [(table, xmin) for table, xmin, _ in run.tuples_after if xmin in answering], \
        "a live or dead row version still carries an answering transaction's id"
    # The answers written at close share one transaction, so their xmin orders nothing.
    assert len({row["_xmin"] for row in readable_answers(run.after)}) == 1


def test_the_database_file_after_close_holds_no_used_token_and_no_sealed_answer(run):
    raw = b"".join(data for _, _, data in run.tuples_after) if is_postgresql() else run.image_after
    hashes = {row["token_hash"] for copy in (run.before, run.middle) for row in copy["surveys_invitation"]
              if row["token_hash"]}
    assert hashes, "links were issued"
    assert not [h for h in hashes if h.encode() in raw]
    boxes = [v for rows in run.middle.values() for row in rows for v in row.values()
             if isinstance(v, bytes) and len(v) > 1000]
    assert not [b for b in boxes if b[40:104] in raw], "a sealed answer's bytes are still in the file"


def test_the_task_queue_names_nobody(run):
    # Two reminders' task rows, compared, would say who answered in between if they named people.
    queue = next(table for table in run.after if table.endswith("dbtaskresult"))
    tasks = [row for row in run.after[queue] if "survey" in row["task_path"]]
    assert len(tasks) >= 3, "the opening and two reminders queued their e-mails"
    for task in tasks:
        arguments = task["args_kwargs"] if isinstance(task["args_kwargs"], dict) else json.loads(task["args_kwargs"])
        assert not [name for name in arguments["kwargs"] if "invitation" in name or "person" in name]
        numbers = re.findall(r"\d+", json.dumps(arguments))
        assert len(numbers) <= 4, arguments
        assert task["return_value"] in (None, "null"), "a result counting links sent would count who answered"


def test_the_audit_trail_counts_answers_per_day_and_dates_nobody(run):
    events_before = {row["id"] for row in run.before["audit_auditevent"]}
    during = [row for row in run.middle["audit_auditevent"] if row["id"] not in events_before]
    assert {row["action"] for row in during} <= {"surveys.reminders_sent"}
    counts = [row for row in run.middle["audit_dailycount"] if row["action"] == "surveys.answers_received"]
    assert sum(row["count"] for row in counts) == RESPONDENTS


DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def test_nothing_written_while_people_answered_holds_a_time(run):
    # Rows new or changed between the first and the last answer, outside the administrator's own
    # actions (the reminder events, the queue's rows for them, the admin's session).
    administrative = {"audit_auditevent", "django_session"} | {t for t in run.before if t.endswith("dbtaskresult")}
    before = {table: {json.dumps(row, default=str) for row in rows} for table, rows in run.before.items()}
    for table, rows in run.middle.items():
        if table in administrative:
            continue
        for row in rows:
            if json.dumps(row, default=str) in before.get(table, set()):
                continue
            times = [k for k, v in row.items() if k not in ("_place", "_xmin")
                     and (hasattr(v, "hour") or (isinstance(v, str) and DATETIME.match(v)))]
            assert not times, f"{table} row written while people answered holds a time in {times}"


def test_after_close_no_invitation_knows_its_unit_leader_or_profession(run):
    for row in run.after["surveys_invitation"]:
        assert row["unit_id"] is None and row["leader_id"] is None and not row["profession"]
        assert row["token_hash"] is None
    assert not [row for rows in run.after.values() for row in rows if "box" in row]


def test_hr_records_single_out_no_stored_answer(run):
    # The attacker knows each respondent's unit, leader and profession (HR records; the copy taken
    # before close lists them on the invitations too) and looks for the stored answers that carry
    # exactly those. The ward's only pharmacist would be the first found.
    hr = {row["person_id"]: (row["unit_id"], row["leader_id"], row["profession"])
          for row in run.before["surveys_invitation"]}
    rows = readable_answers(run.after)
    guesses = {}
    for person in run.people:
        same = [row for row in rows if (row["unit_id"], row["leader_id"], row["profession"]) == hr[person.pk]]
        if len(same) == 1:
            guesses[person.pk] = forensics.answers_of(same[0])
    assert guesses == {}
    stored_cells = Counter((row["unit_id"], row["leader_id"], row["profession"]) for row in rows)
    assert min(stored_cells.values()) >= run.cycle.min_responses


@pytest.mark.django_db
def test_no_stored_answer_is_alone_in_its_unit_profession_and_leader():
    # (Also what makes pytest-django set up the database when this file runs alone.)
    from clinlead.surveys import services
    from clinlead.surveys.models import Comment, Invitation, Response, SurveyCycle
    from tests.surveys.world import World

    world = World(k=5)
    ward_leader, small_leader = world.person("Medicine/Ward"), world.person("Medicine/Clinic")
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    # Five nurses and the ward's only pharmacist rate the ward leader; two clinic staff rate a
    # leader of their own (too few for a figure), and four in Surgery rate the ward leader.
    cast = ([("Medicine/Ward", ward_leader, "nurse")] * 5 + [("Medicine/Ward", ward_leader, "pharmacist")]
            + [("Medicine/Clinic", small_leader, "doctor")] * 2 + [("Surgery/Theatre", ward_leader, "ahp")] * 4)
    for n, (path, leader, profession) in enumerate(cast):
        person = world.person(path, leader=leader, profession=profession)
        Invitation.objects.create(cycle=cycle, person=person, leader=leader, unit=world.unit(path),
                                  profession=profession, token_hash=services.token_hash(f"cell-{n}"))
        services.submit_response(token=f"cell-{n}", answers=[4] * 12, burnout=2, satisfaction=4,
                                 comment=f"comment {n}")
    world.close(cycle)
    rows = list(Response.objects.filter(cycle=cycle).values(
        "unit", "leader", "profession", "answers", "burnout", "satisfaction"))
    assert len(rows) == len(cast)
    # Answers (with any content) that share their stored unit, leader and profession with fewer
    # than k-1 others.
    cells = Counter((r["unit"], r["leader"], r["profession"]) for r in rows if any(a is not None for a in r["answers"]))
    assert sum(n for n in cells.values() if n < 5) == 0, "the only pharmacist on the ward is known from HR records"
    assert {(r["unit"], r["leader"]) for r in rows} == {(None, ward_leader.pk), (None, None)}, \
        "the ward leader's block spans Medicine and Surgery (homed at the top); the clinic's two are withheld"
    # No stored answer keeps a profession: the one figure that needs it is computed at close.
    assert Counter(r["profession"] for r in rows) == {"": 12}
    assert cycle.__class__.objects.get(pk=cycle.pk).close_figures["association"]["burnout"]["n"] == 12
    # The withheld two keep no content; the clinic leader's comments could never be shown.
    assert [r["answers"] for r in rows if r["leader"] is None] == [[None] * 12] * 2
    assert set(Comment.objects.filter(cycle=cycle).values_list("leader_id", flat=True)) == {ward_leader.pk}
    assert Invitation.objects.filter(cycle=cycle, unit__isnull=False).count() == 0
