"""Forensics: a ballot run through the web app, attacked as a database administrator, a backup
holder, an auditor and a coercer holding receipts would attack it.

Twenty-one voters each cast a different ranking (so a ballot, once found, names its voter) and
each records taking part in the interview just before voting. Then the attacker takes a full
copy of the database while the ballot is open (every row of every table with its physical
place: SQLite's rowid, PostgreSQL's ctid and xmin) and another after the close and the count,
reads PostgreSQL's old row versions straight from the pages (pageinspect), and tries every
join: physical order, transaction ids, the receipts, the audit trail's times, task rows, keys
carried from one copy to the other, old row versions. Each attack guesses a ranking for some
voters; it links a voter when the guess is that voter's ranking.

A random order pairs about one voter in 21 correctly by chance; pairing more than seven happens
by chance less than once in 90,000 runs, so that is the line between luck and a link. Every
exact join (same transaction, same key, same receipt) must link nobody at all.

The test uses only the web pages and the factories' helpers that the product has always had, so
it runs unchanged against the code before ballots were sealed (where it fails).
"""

import itertools
import json
import re
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clinlead.selection import selectors
from clinlead.selection.models import Selection
from tests.selection import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
VOTERS = 21
BY_CHANCE = 7
PASSPHRASE = "forensic custodian passphrase"
RECEIPT = re.compile(r'id="receipt-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<')
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's row versions")


# ------------------------------------------------------------------ the ballot, through the pages
def url(name, pk):
    return reverse(f"selection:{name}", kwargs={"pk": pk})


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


class Run:
    """What the test knows and the attacker does not: who cast which ranking, and their codes."""

    def __init__(self, selection):
        self.selection = selection
        self.truth, self.codes, self.key_file = {}, {}, None


def run_ballot(client):
    selection = f.interviewing(title=f.MEDICINE, candidates=4)
    f.seat_committee(selection)
    # A few voters from a large electorate: the forensic run is about secrecy, not turnout.
    Selection.objects.filter(pk=selection.pk).update(quorum_percent=1)
    f.attend_all(selection, f.electors(selection)[:VOTERS])  # the admin saw them at the interview
    paper = [c.pk for c in selection.candidates.order_by("id")]
    run = Run(selection)
    client.force_login(f.user("tara"))
    now = timezone.now()
    answer = client.post(url("schedule_ballot", selection.pk), {
        "method": "scottish-stv", "shortlist_size": 2, "opens_at": local(now - timedelta(minutes=2)),
        "closes_at": local(now + timedelta(days=7)), "passphrase_1": PASSPHRASE})
    assert answer.status_code in (200, 302)
    if answer.get("Content-Disposition", "").startswith("attachment"):
        run.key_file = answer.content
    assert Selection.objects.get(pk=selection.pk).stage == Selection.Stage.BALLOT
    rankings = [list(r) for n in (4, 3, 2, 1) for r in itertools.permutations(paper, n)]
    for person, ranking in zip(f.electors(selection)[:VOTERS], rankings, strict=False):
        client.force_login(f.make_login(person))
        answer = client.post(url("vote", selection.pk), {f"c{pk}": str(n) for n, pk in enumerate(ranking, 1)})
        run.codes[person.pk] = RECEIPT.search(answer.content.decode()).group(1)
        run.truth[person.pk] = ranking
    assert len(run.truth) == VOTERS
    return run


def close_and_count(client, run):
    f.time_passes(run.selection)
    client.force_login(f.user("tara"))
    data = {"passphrase_1": PASSPHRASE}
    if run.key_file:
        data["key_file_1"] = SimpleUploadedFile("key.json", run.key_file, content_type="application/json")
    client.post(url("close", run.selection.pk), data)
    client.post(url("count", run.selection.pk))
    assert Selection.objects.get(pk=run.selection.pk).stage == Selection.Stage.COUNTED


# ------------------------------------------------------------------ the attacker's copies
def place_of(row):
    place = row["_place"]
    if isinstance(place, str):  # PostgreSQL's ctid: "(page,item)"
        return tuple(int(n) for n in place.strip("()").split(","))
    return place


def copy_database():
    """Every row of every table, with its physical place (and PostgreSQL's transaction id)."""
    copy = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if connection.vendor == "postgresql":
                cursor.execute(f'SELECT ctid::text AS "_place", xmin::text AS "_xmin", * FROM "{table}"')
            else:
                cursor.execute(f'SELECT rowid AS "_place", * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            copy[table] = sorted((dict(zip(names, row, strict=True)) for row in cursor.fetchall()), key=place_of)
    return copy


def as_ranking(value):
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return value
    return None


def ballot_rows(copy, selection):
    """Rows that hold a ranking in the clear, table by table, in physical order."""
    found = {}
    for table, rows in copy.items():
        for row in rows:
            if row.get("selection_id") != selection.pk:
                continue
            for name, value in row.items():
                ranking = as_ranking(value) if name not in ("_place", "_xmin") else None
                if ranking is not None:
                    found.setdefault(table, []).append((row, ranking))
    return found


def voter_rows(copy, selection):
    return [r for r in copy.get("selection_voterrecord", []) if r["selection_id"] == selection.pk]


def linked(guesses, run):
    """How many voters an attack's guesses name correctly."""
    return sum(1 for person, ranking in guesses.items() if run.truth.get(person) == ranking)


# ------------------------------------------------------------------ the attacks
def by_physical_order(copy, run):
    voters = voter_rows(copy, run.selection)
    guesses = {}
    for rows in ballot_rows(copy, run.selection).values():
        for voter, (_, ranking) in zip(voters, rows, strict=False):
            guesses.setdefault(voter["person_id"], ranking)
    return guesses


def by_transaction_id(copy, run):
    """A voter record and a ballot written by one transaction share xmin."""
    guesses = {}
    for rows in ballot_rows(copy, run.selection).values():
        by_xmin = {}
        for row, ranking in rows:
            by_xmin.setdefault(row["_xmin"], []).append(ranking)
        for voter in voter_rows(copy, run.selection):
            same = by_xmin.get(voter["_xmin"], [])
            if len(same) == 1:
                guesses[voter["person_id"]] = same[0]
    return guesses


def receipt_rows(copy, run):
    """Where a coercer holding each voter's receipt code, hashed as the receipt page explains,
    finds it: (person, table, index of the row in physical order, the row)."""
    found = []
    for person, code in run.codes.items():
        digest = selectors.receipt_hash(selection_id=run.selection.pk, code=code)
        for table, rows in copy.items():
            for index, row in enumerate(rows):
                text = [str(v) for v in row.values()]
                if digest in text or any(code in t or code.replace("-", "") in t for t in text):
                    found.append((person, table, index, row))
    return found


def by_receipt(copies, run):
    """The receipt in a ballot's own row."""
    guesses = {}
    for copy in copies:
        for person, _, _, row in receipt_rows(copy, run):
            in_row = [as_ranking(v) for k, v in row.items() if k not in ("_place", "_xmin") and as_ranking(v)]
            if in_row:
                guesses[person] = in_row[0]
    return guesses


def by_receipt_place(copies, run):
    """The receipt's place among the receipts taken as the ballot's place among the ballots."""
    guesses = {}
    for copy in copies:
        ballots = ballot_rows(copy, run.selection)
        for person, table, index, _ in receipt_rows(copy, run):
            for ballot_table, rows in ballots.items():
                if ballot_table != table and index < len(rows):
                    guesses.setdefault(person, rows[index][1])
    return guesses


def by_audit_times(during, after, run):
    """The auditor's export: each voter's "interview attended" time, then the next "ballot cast"
    event, whose place in the order of votes is the ballot's place in the table."""
    guesses = {}
    for copy in (during, after):
        events = copy.get("audit_auditevent", [])
        casts = sorted(e["occurred_at"] for e in events if e["action"] == "selection.ballot_cast")
        if not casts:
            continue
        ballots = next(iter(ballot_rows(during, run.selection).values()), [])
        for event in events:
            if event["action"] != "selection.interview_attended":
                continue
            person = (json.loads(event["after"]) if isinstance(event["after"], str) else event["after"]).get("person")
            later = [i for i, t in enumerate(casts) if t >= event["occurred_at"]]
            if person in run.truth and later and later[0] < len(ballots):
                guesses[person] = ballots[later[0]][1]
    return guesses


def by_keys_carried_over(during, after, run):
    """A backup taken while the ballot was open pairs voters with rows (same transaction, or the
    same place); any key, hash or box of such a row found again beside a ranking after the
    close names the voter's ballot."""
    after_values = {}
    for rows in ballot_rows(after, run.selection).values():
        for row, ranking in rows:
            for name, value in row.items():
                if name not in ("_place", "_xmin", "selection_id") and value is not None:
                    after_values[str(value)] = ranking
    guesses = {}
    voters = voter_rows(during, run.selection)
    for table, rows in during.items():
        if not table.startswith("selection_") or table == "selection_voterrecord":
            continue
        mine = [r for r in rows if r.get("selection_id") == run.selection.pk]
        for index, voter in enumerate(voters):
            partners = [r for r in mine if "_xmin" in r and r["_xmin"] == voter["_xmin"]]
            partners += [mine[index]] if index < len(mine) else []
            for row in partners:
                for name, value in row.items():
                    if name not in ("_place", "_xmin", "selection_id") and str(value) in after_values:
                        guesses.setdefault(voter["person_id"], after_values[str(value)])
    return guesses


def task_rows_naming_voters(copies, run):
    """Queued tasks (reminders and the like) that carry a voter's id, dating them."""
    named = set()
    for copy in copies:
        for table, rows in copy.items():
            if "task" not in table:
                continue
            for row in rows:
                text = " ".join(str(v) for v in row.values())
                named |= {p for p in run.truth if re.search(rf"\b{p}\b", text)}
    return named


# ------------------------------------------------------------------ PostgreSQL's old row versions
def row_versions(tables):
    """Every tuple on the tables' pages, live or dead, read with pageinspect: xmin and columns."""
    versions = {}
    with connection.cursor() as cursor:
        tables = [t for t in tables if t in connection.introspection.table_names(cursor)]
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        cursor.execute("SELECT current_setting('block_size')::int")
        block = cursor.fetchone()[0]
        for table in tables:
            cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                           "ORDER BY attnum", [table])
            names = [n for (n,) in cursor.fetchall()]
            cursor.execute("SELECT pg_relation_size(%s::regclass)", [table])
            found = []
            for page in range(cursor.fetchone()[0] // block):
                cursor.execute("SELECT t_xmin::text, t_xmax::text, t_attrs FROM heap_page_item_attrs("
                               "get_raw_page(%s, %s), %s::regclass) WHERE t_xmin IS NOT NULL", [table, page, table])
                for xmin, xmax, attrs in cursor.fetchall():
                    found.append({"xmin": xmin, "xmax": xmax,
                                  **{n: bytes(a) if a is not None else None for n, a in zip(names, attrs, strict=False)}})
            versions[table] = found
    return versions


def by_old_row_versions(versions, copies, run):
    """Dead versions keep the transaction id of the vote that wrote them: a voter record's and a
    ballot's old versions with one xmin pair them; the ballot's key finds its ranking."""
    rankings = {}
    for copy in copies:
        for rows in ballot_rows(copy, run.selection).values():
            for row, ranking in rows:
                rankings[str(row["id"])] = ranking
    voters_by_xmin = {}
    for version in versions.get("selection_voterrecord", []):
        if version.get("person_id") and len(version["person_id"]) == 8:
            person = int.from_bytes(version["person_id"], "little", signed=True)
            voters_by_xmin.setdefault(version["xmin"], set()).add(person)
    guesses = {}
    for table, found in versions.items():
        if table == "selection_voterrecord":
            continue
        by_xmin = {}
        for version in found:
            raw = version.get("id")
            key = str(uuid.UUID(bytes=raw)) if raw and len(raw) == 16 else None
            if key in rankings:
                by_xmin.setdefault(version["xmin"], set()).add(key)
        for xmin, keys in by_xmin.items():
            people = voters_by_xmin.get(xmin, set())
            if len(keys) == 1 and len(people) == 1:
                guesses.setdefault(next(iter(people)), rankings[next(iter(keys))])
    return guesses


# ------------------------------------------------------------------ the tests
@pytest.fixture
def ballot(demo, client):
    run = run_ballot(client)
    run.during = copy_database()
    run.versions_during = row_versions(SELECTION_TABLES) if connection.vendor == "postgresql" else {}
    close_and_count(client, run)
    run.after = copy_database()
    run.versions_after = row_versions(SELECTION_TABLES) if connection.vendor == "postgresql" else {}
    return run


SELECTION_TABLES = ["selection_voterrecord", "selection_ballot", "selection_sealedballot", "selection_receipt"]


def test_no_join_of_a_database_copy_links_a_voter_to_their_ballot(ballot):
    run = ballot
    attacks = {
        "physical order while open": linked(by_physical_order(run.during, run), run),
        "physical order after the close": linked(by_physical_order(run.after, run), run),
        "receipts (coercer)": linked(by_receipt([run.during, run.after], run), run),
        "physical order of receipts and ballots": linked(by_receipt_place([run.during, run.after], run), run),
        "audit trail times": linked(by_audit_times(run.during, run.after, run), run),
        "open-window backup carried to after the close": linked(by_keys_carried_over(run.during, run.after, run), run),
    }
    if connection.vendor == "postgresql":
        attacks["xmin while open"] = linked(by_transaction_id(run.during, run), run)
        attacks["xmin after the close"] = linked(by_transaction_id(run.after, run), run)
    exact = {k: v for k, v in attacks.items() if "physical order" not in k}
    assert all(v == 0 for v in exact.values()), sorted(attacks.items())
    assert all(v <= BY_CHANCE for v in attacks.values()), sorted(attacks.items())


def test_no_copy_holds_a_ranking_in_the_clear_while_the_ballot_is_open(ballot):
    assert ballot_rows(ballot.during, ballot.selection) == {}


def test_no_task_row_names_a_voter(ballot):
    assert task_rows_naming_voters([ballot.during, ballot.after], ballot) == set()


def test_the_audit_trail_dates_no_vote(ballot):
    events = [e for e in ballot.during["audit_auditevent"] + ballot.after["audit_auditevent"]
              if e["action"] == "selection.ballot_cast"]
    assert events == []


@postgres_only
def test_old_row_versions_link_nobody_and_none_survive_the_close(ballot):
    run = ballot
    assert linked(by_old_row_versions(run.versions_during, [run.during, run.after], run), run) == 0
    assert linked(by_old_row_versions(run.versions_after, [run.during, run.after], run), run) == 0
    # VACUUM ran after the close: every version left on the pages is a live row.
    for table in SELECTION_TABLES:
        dead = [v for v in run.versions_after.get(table, []) if v["xmax"] not in (None, "0")]
        assert dead == [], f"{len(dead)} old row versions left in {table}"
