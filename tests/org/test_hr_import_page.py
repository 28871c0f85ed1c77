"""The HR import page as the talent admin uses it: the example file is her organisation's own
staff; a full extract that would mark most of the trust as left is stopped until she types the
count, shows who (key-position holders first, herself flagged), and can be reversed."""

import csv
import html as html_text
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinlead.audit.models import AuditEvent
from clinlead.org.hr_format import COLUMN_NAMES
from clinlead.org.models import Person, Position

pytestmark = pytest.mark.django_db
URL = reverse("org:import_hr", kwargs={"slug": "northgate"})
APPLY = reverse("org:import_hr_apply", kwargs={"slug": "northgate"})


def example(client):
    response = client.get(reverse("org:hr_example", kwargs={"slug": "northgate"}))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def upload(rows, *, full_extract):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES)
    writer.writeheader()
    writer.writerows(rows)
    data = {"file": SimpleUploadedFile("extract.csv", out.getvalue().encode(), content_type="text/csv"),
            "effective": "2026-12-04"}
    return data | ({"full_extract": "on"} if full_extract else {})


def token_of(page):
    html = page.content.decode()
    return html.split('name="token" value="')[1].split('"')[0]


def in_post():
    return Person.objects.filter(organisation__slug="northgate", active=True).count()


def test_the_example_file_is_the_organisations_own_staff_and_changes_nothing(demo, login):
    client = login("tara")
    rows = example(client)
    staff = set(Person.objects.filter(organisation__slug="northgate", active=True).values_list("staff_number",
                                                                                              flat=True))
    assert {r["staff_number"] for r in rows} == staff
    assert {r["organisation"] for r in rows} == {"northgate"}
    assert not any(r["gender"] or r["ethnicity"] for r in rows), "no special-category values for the talent admin"

    page = client.post(URL, upload(rows, full_extract=True))

    text = " ".join(page.content.decode().split())
    assert "add 0 people" in text and "mark 0 people as having left" in text


def test_the_page_offers_a_partial_update_unticked(demo, login):
    page = login("tara").get(URL).content.decode()
    box = page.split('name="full_extract"')[1].split(">")[0]
    assert "checked" not in box


def test_a_mass_leaver_file_is_stopped_until_the_count_is_typed_then_reversed(demo, login):
    client = login("tara")
    everyone = example(client)
    tara = Person.objects.get(user__username="tara")
    key_holders = set(Position.objects.filter(organisation__slug="northgate", is_key=True)
                      .values_list("appointments__person__staff_number", flat=True))
    kept = [dict(r, leader_staff_number="") for r in everyone[:3] if r["staff_number"] != tara.staff_number]
    leaving = in_post() - len(kept)

    preview = client.post(URL, upload(kept, full_extract=True))

    html = " ".join(preview.content.decode().split())
    assert f"This would mark {leaving} people as having left" in html
    assert f"To apply it, type <strong>mark {leaving} as left</strong>" in html
    assert "You are not in this file." in html
    listed = html.split('id="leavers"')[1].split("</table>")[0]
    first_row = listed.split("<tbody")[1].split("</tr>")[0]
    assert any(title in first_row for title in Position.objects.filter(is_key=True).values_list("title", flat=True))
    assert key_holders & set(Person.objects.values_list("staff_number", flat=True))
    assert "You</strong>" in listed

    token = token_of(preview)
    refused = client.post(APPLY, {"token": token, "confirm": "yes"})
    said = html_text.unescape(refused.content.decode())
    assert refused.status_code == 400 and f'You typed "yes". Type "mark {leaving} as left"' in said
    assert client.post(APPLY, {"token": token}).status_code == 400
    assert in_post() == leaving + len(kept), "nothing was written"

    applied = client.post(APPLY, {"token": token, "confirm": f"mark {leaving} as left"})
    assert applied.status_code == 302
    assert in_post() == len(kept)
    event = AuditEvent.objects.get(action="hr.extract_imported")
    assert event.after["leavers_confirmed"] == leaving

    # Tara's own login ended with the import; the superuser reverses it.
    from clinlead.org.models import HrImport

    hr_import = HrImport.objects.get(organisation__slug="northgate")
    admin = login("admin")
    url = reverse("org:import_hr_reverse", kwargs={"slug": "northgate", "pk": hr_import.pk})
    plan = " ".join(admin.get(url).content.decode().split())
    assert f"put {leaving} people it marked as having left back in post" in plan
    assert admin.post(url).status_code == 302
    assert in_post() == leaving + len(kept)
    assert AuditEvent.objects.get(action="hr.import_reversed").after["back_in_post"] == leaving
    tara.refresh_from_db()
    assert tara.active and tara.user.is_active
    refused = admin.get(url).content.decode()
    assert "already reversed" in refused
