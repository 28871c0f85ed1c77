"""The HR extract upload through the API is the HR import page's: the same form checks, the same
service with its row checks, the same leaver guard, the same audited action; a preview belongs to
the token that made it (docs/api.md)."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from clinlead.accounts import api_tokens
from clinlead.audit.models import AuditEvent
from clinlead.org.hr_example import example_rows
from clinlead.org.hr_format import COLUMN_NAMES
from clinlead.org.hr_import import import_hr_extract
from clinlead.org.models import HrImport, Organisation, Person
from tests.api.tokens import bearer, organisation_admin_only, token

UPLOAD = "/api/hr/extracts/"
APPLY = "/api/hr/extracts/{}/apply/"
EFFECTIVE = date.today() + timedelta(days=1)


def to_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def northgate_rows():
    return example_rows(Organisation.objects.get(slug="northgate"))


def upload(client, secret, content, *, name="extract.csv", full_extract=False):
    data = {"file": SimpleUploadedFile(name, content), "effective": EFFECTIVE.isoformat()}
    if full_extract:
        data["full_extract"] = "true"
    return client.post(UPLOAD, data, headers=bearer(secret))


def apply(client, secret, preview_id, body=None):
    return client.post(APPLY.format(preview_id), body or {}, content_type="application/json",
                       headers=bearer(secret))


@pytest.fixture
def hr_secret(demo):
    return token(scopes=["hr:write"], name="HR feed")[1]


def test_the_upload_needs_the_hr_write_scope(demo, client):
    _, secret = token(scopes=["leaderindex:read"])
    assert upload(client, secret, to_csv(northgate_rows()[:3])).status_code == 403
    assert client.post(UPLOAD, {"file": SimpleUploadedFile("x.csv", b"a")}).status_code == 401


def test_only_someone_allowed_the_hr_import_gives_a_token_hr_write(demo):
    """An organisation admin who is not a talent admin may not give a machine the HR import."""
    northgate = Organisation.objects.get(slug="northgate")
    admin_only = organisation_admin_only()
    with pytest.raises(ValidationError, match="hr:write"):
        api_tokens.create_api_token(actor=admin_only, organisation=northgate, name="HR",
                                    scopes=["hr:write"])
    api_tokens.create_api_token(actor=admin_only, organisation=northgate, name="BI",
                                scopes=["leaderindex:read"])


def test_the_form_checks_are_the_pages(demo, hr_secret, settings):
    # An HR system has no CSRF cookie: the token is the proof, so the check does not apply.
    client = Client(enforce_csrf_checks=True)
    refused = upload(client, hr_secret, b"organisation\n", name="extract.txt")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "The file must be a .csv or .xlsx file"
    empty = upload(client, hr_secret, b"", name="empty.csv")
    assert empty.json()["detail"] == "The submitted file is empty."
    settings.CLINLEAD_HR_UPLOAD_MAX_BYTES = 1024 * 1024
    big = upload(client, hr_secret, b"x" * (1024 * 1024 + 1))
    assert big.status_code == 400 and "smaller than 1 MB" in big.json()["detail"]


def test_a_file_that_cannot_be_read_is_refused_as_on_the_page(demo, client, hr_secret):
    """A zip that is not a workbook, a header missing columns: the service's file errors."""
    assert upload(client, hr_secret, b"PK\x03\x04 not a workbook", name="x.xlsx").status_code == 400
    missing = upload(client, hr_secret, b"organisation,staff_number\nnorthgate,1\n")
    assert missing.json()["detail"].startswith("row 1: missing required column(s)")


def test_every_row_problem_is_listed_with_row_column_and_reason_and_nothing_is_written(
        demo, client, hr_secret):
    rows = northgate_rows()[:5]
    rows[1] = dict(rows[1], profession="astronaut")
    rows[2] = dict(rows[2], first_name="=HYPERLINK(1)")  # a spreadsheet formula in a name
    rows[3] = dict(rows[3], organisation="riverside")  # another organisation's row
    before = list(Person.objects.order_by("pk").values())
    answer = upload(client, hr_secret, to_csv(rows))
    assert answer.status_code == 400
    body = answer.json()
    service = import_hr_extract(actor=None, content=to_csv(rows), filename="extract.csv",
                                dry_run=True, effective=EFFECTIVE,
                                allowed_organisations={"northgate"})
    assert body["problems"] == [vars(p) for p in service.problems]
    assert {(p["row"], p["column"]) for p in body["problems"]} >= {
        (3, "profession"), (4, "first_name"), (5, "organisation")}
    assert body["total_problems"] == service.total_problems
    assert list(Person.objects.order_by("pk").values()) == before


def test_a_preview_writes_nothing_and_applying_it_is_the_pages_audited_action(
        demo, client, login, hr_secret):
    rows = northgate_rows()
    changed = rows[0]["staff_number"]
    rows[0] = dict(rows[0], grade="Band 9")
    preview = upload(client, hr_secret, to_csv(rows))
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["counts"]["updated"] == 1 and body["counts"]["deactivated"] == 0
    assert body["needs_confirmation"] is False and body["confirm_leavers"] is None
    person = Person.objects.get(organisation__slug="northgate", staff_number=changed)
    assert person.grade != "Band 9" and not HrImport.objects.exists()

    applied = apply(client, hr_secret, body["preview_id"])
    assert applied.status_code == 200, applied.content
    person.refresh_from_db()
    assert person.grade == "Band 9"
    hr_import = HrImport.objects.get()
    assert applied.json()["imports"][0]["id"] == hr_import.pk
    event = AuditEvent.objects.get(action="hr.extract_imported")
    assert event.actor is None and event.actor_label == "API token 'HR feed' of northgate"
    assert event.after["updated"] == 1 and event.after["imports"] == [hr_import.pk]
    # The HR import page says who applied it (not "the command line"), and it can be reversed.
    page = login("tara").get(reverse("org:import_hr", kwargs={"slug": "northgate"}))
    assert "by API token &#x27;HR feed&#x27; of northgate" in page.content.decode()
    # A preview is applied once.
    assert apply(client, hr_secret, body["preview_id"]).status_code == 404


def test_a_full_extract_that_drops_many_people_needs_the_count_confirmed(demo, client, hr_secret):
    rows = northgate_rows()
    kept = rows[: len(rows) * 3 // 4]
    in_file = {r["staff_number"] for r in kept}
    kept = [dict(r, leader_staff_number=r["leader_staff_number"]
                 if r["leader_staff_number"] in in_file else "") for r in kept]
    body = upload(client, hr_secret, to_csv(kept), full_extract=True).json()
    leaving = len(rows) - len(kept)
    assert body["needs_confirmation"] is True and body["confirm_leavers"] == leaving
    assert body["counts"]["deactivated"] == leaving and body["reasons"]
    assert len(body["leavers"]) == leaving

    in_post = Person.objects.filter(organisation__slug="northgate", active=True).count()
    for wrong in ({}, {"confirm_leavers": leaving - 1}):
        refused = apply(client, hr_secret, body["preview_id"], wrong)
        assert refused.status_code == 409
        assert refused.json()["confirm_leavers"] == leaving
        assert Person.objects.filter(organisation__slug="northgate", active=True).count() == in_post
    # Refused, the preview is kept (as the page keeps the upload after a mistyped phrase).
    applied = apply(client, hr_secret, body["preview_id"], {"confirm_leavers": leaving})
    assert applied.status_code == 200, applied.content
    in_post_now = Person.objects.filter(organisation__slug="northgate", active=True).count()
    assert in_post_now == in_post - leaving
    event = AuditEvent.objects.get(action="hr.extract_imported")
    assert event.after["leavers_confirmed"] == leaving


def test_a_preview_belongs_to_the_token_that_made_it(demo, client, hr_secret):
    preview_id = upload(client, hr_secret, to_csv(northgate_rows()[:3])).json()["preview_id"]
    _, same_organisation = token(scopes=["hr:write"], name="Another HR feed")
    _, elsewhere = token(scopes=["hr:write"], slug="riverside", name="Riverside HR")
    assert apply(client, same_organisation, preview_id).status_code == 404
    assert apply(client, elsewhere, preview_id).status_code == 404
    assert apply(client, hr_secret, "../../../etc/passwd").status_code == 404
    assert apply(client, hr_secret, preview_id).status_code == 200


def test_a_token_imports_its_own_organisation_only(demo, client):
    _, riverside = token(scopes=["hr:write"], slug="riverside", name="Riverside HR")
    answer = upload(client, riverside, to_csv(northgate_rows()[:3]))
    assert answer.status_code == 400
    assert {p["column"] for p in answer.json()["problems"]} == {"organisation"}
