"""360 answers at rest: an attacker with a copy of the database after every single answer (as
nightly backups would be, taken more often) and the final state cannot tie any rater to their
scores.

The attacker here knows each copy's every row, with its physical identity (SQLite rowid;
PostgreSQL ctid and xmin), and which rater answered between two copies (their invitation turns
used). Each rater gives a score pattern no one else gives, so any readable pattern in a row that
appeared between two copies names its rater.
"""

import json
import random
import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection

from clinlead.development import services_assessment as svc
from clinlead.development.frameworks import healthcare_leadership_model
from clinlead.development.models import FeedbackResponse, RaterGroup
from clinlead.org.models import Organisation, Person, ReportingLine

pytestmark = pytest.mark.django_db(transaction=True)

CUSTODIAN = "the custodian's passphrase"
TIME_OF_DAY = re.compile(r"\d{2}:\d{2}:\d{2}")


def snapshot():
    """Every row of every table, with the database's own row identity."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if connection.vendor == "postgresql":
                cursor.execute(f'SELECT ctid::text, xmin::text, * FROM "{table}"')
            else:
                cursor.execute(f'SELECT rowid, * FROM "{table}"')
            tables[table] = {tuple(_plain(v) for v in row) for row in cursor.fetchall()}
    return tables


def _plain(value):
    if isinstance(value, memoryview | bytes | bytearray):
        return "bytes:" + bytes(value).hex()
    return value


def readable_patterns(rows, dimension_ids):
    """The score patterns anyone can read in these rows: any JSON object (at any depth) keyed by
    the dimensions, or any list of one score per dimension."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if set(dimension_ids) <= set(node):
                found.append(tuple(node[d] for d in dimension_ids))
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            if len(node) == len(dimension_ids) and all(isinstance(x, int) for x in node):
                found.append(tuple(node))
            for child in node:
                walk(child)

    for row in rows:
        for cell in row:
            if isinstance(cell, dict | list):
                walk(cell)
            elif isinstance(cell, str) and cell[:1] in "{[":
                try:
                    walk(json.loads(cell))
                except ValueError:
                    pass
    return found


def new_rows(before, after):
    return {table: after[table] - before.get(table, set()) for table in after}


@pytest.fixture
def eight_raters():
    org = Organisation.objects.create(name="Forensic Trust", slug="forensic-trust", min_responses=5)
    people = [Person.objects.create(organisation=org, staff_number=f"F{i:03d}", first_name="P", last_name=str(i),
                                    profession="nurse") for i in range(10)]
    manager, subject, raters = people[0], people[1], people[2:]
    ReportingLine.objects.create(person=subject, leader=manager, start=date(2020, 1, 1))
    return subject, manager, raters


def test_no_copy_taken_while_raters_answer_nor_the_final_state_ties_a_rater_to_their_scores(eight_raters):
    subject, manager, raters = eight_raters
    framework = healthcare_leadership_model()
    dimension_ids = [str(d.pk) for d in framework.dimensions.all()]
    rng = random.Random(19)
    patterns = {}
    while len(patterns) < len(raters):
        pattern = tuple(rng.randint(1, 4) for _ in dimension_ids)
        if pattern not in patterns.values():
            patterns[raters[len(patterns)].pk] = pattern

    assessment = svc.start_assessment(actor=None, person=subject, framework=framework)
    svc.invite_raters(actor=None, assessment=assessment, raters=[(r, RaterGroup.PEER) for r in raters])
    keys = svc.approve_raters(actor=None, assessment=assessment, passphrases=[CUSTODIAN])
    invitations = {i.rater_id: i.pk for i in assessment.invitations.all()}

    copies = [snapshot()]
    order = list(raters)
    rng.shuffle(order)
    for rater in order:
        svc.submit_feedback(actor=SimpleNamespace(person_id=rater.pk, pk=None), invitation_id=invitations[rater.pk],
                            scores=dict(zip(dimension_ids, patterns[rater.pk], strict=True)))
        copies.append(snapshot())

    # While the 360 is open: no copy holds a readable answer, and no row written by an answer
    # carries a time of day (the audit trail counts answers per day).
    for number, (before, after) in enumerate(zip(copies, copies[1:], strict=False), start=1):
        assert not readable_patterns([r for rows in after.values() for r in rows], dimension_ids), (
            f"copy {number} holds readable scores, next to the invitation that turned used")
        written = new_rows(before, after)
        timed = [(t, row) for t, rows in written.items() for row in rows
                 if any(isinstance(c, str) and TIME_OF_DAY.search(c) for c in row)]
        assert not timed, f"an answer wrote a timestamp: {timed[:1]}"

    svc.close_assessment(actor=None, assessment=assessment, key_files=keys.key_files, passphrases=[CUSTODIAN])
    final = snapshot()

    # The answers appear only now, all at once, in an order that is not the order of answering.
    answered_in = [patterns[r.pk] for r in order]
    assert sorted(readable_patterns([r for rows in final.values() for r in rows], dimension_ids)) == sorted(answered_in)
    table = FeedbackResponse._meta.db_table
    rows = sorted(final[table], key=lambda row: _physical_order(row))
    stored_in = [p for row in rows for p in readable_patterns([row], dimension_ids)]
    assert stored_in != answered_in, "the stored order of responses is the order of answering"
    by_id = sorted(FeedbackResponse.objects.filter(assessment=assessment), key=lambda r: str(r.pk))
    assert [tuple(r.scores[d] for d in dimension_ids) for r in by_id] != answered_in
    if connection.vendor == "postgresql":
        assert len({row[1] for row in final[table]}) == 1, "every response is written by the one closing transaction"
    # Nothing of the answering moments is left to compare with: no sealed boxes remain.
    assert not assessment.sealed_answers.exists()


def _physical_order(row):
    if connection.vendor == "postgresql":
        block, offset = row[0].strip("()").split(",")
        return int(block), int(offset)
    return row[0]
