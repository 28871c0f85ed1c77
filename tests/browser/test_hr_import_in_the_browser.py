"""Tara, the talent admin, imports an HR extract through the page, as she would at work: a file
with two bad rows is refused with every problem listed and nothing written; the corrected file
is previewed, applied, and the import appears in the audit log Aude reads.

A full extract marks everyone missing from it as having left, and a leaver's login stops (see
docs/hr-import.md), so the extract lists Tara and Aude too: they still work at Northgate.
"""

import csv
import re
from datetime import date

import pytest

from clinlead.audit.models import AuditEvent
from clinlead.org.demo import DemoGenerator
from clinlead.org.hr_format import COLUMN_NAMES
from clinlead.org.models import Person
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NORTHGATE = "Northgate Teaching Hospitals NHS Foundation Trust"
BAD_PROFESSION_AT, BAD_DATE_AT = 3, 10  # indexes into the data rows
PREVIEW = re.compile(
    r"add (\d+) people\s+update (\d+) people\s+mark (\d+) people as having left\s+"
    r"leave (\d+) people unchanged\s+add (\d+) units"
)
APPLIED = re.compile(
    r"Import applied: (\d+) created, (\d+) updated, (\d+) marked as left, (\d+) unchanged\."
)


def northgate_rows():
    generated = DemoGenerator(staff=200, seed=5).build().extract_rows()
    return [row for row in generated if row["organisation"] == "northgate"]


def still_employed(demo, *usernames):
    """The extract rows of demo personas who still work at Northgate, as HR would send them."""
    wanted = {demo.personas[username] for username in usernames}
    people = {p.staff_number: p for p in Person.objects.filter(id__in=wanted)}
    rows = [dict(row, first_name=people[row["staff_number"]].first_name,
                 last_name=people[row["staff_number"]].last_name,
                 work_email=people[row["staff_number"]].work_email,
                 leader_staff_number="")  # their leader may not be in this extract
            for row in demo.generator.extract_rows() if row["staff_number"] in people]
    assert len(rows) == len(usernames)
    return rows


def write_extract(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMN_NAMES)
        writer.writeheader()
        writer.writerows(rows)
    return path


def file_row_number(index):
    """The header is row 1, so data row 0 is row 2 of the file."""
    return index + 2


def open_import_page(page):
    with page.expect_navigation():
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="HR import").click()
    assert heading(page) == f"Import an HR extract for {NORTHGATE}"


def check_file(page, path):
    page.get_by_label("HR extract (.csv or .xlsx)").set_input_files(str(path))
    # Filled in as a person would: the box starts empty (see test_effective_date_starts_as_today).
    page.get_by_label("Changes take effect on").fill(date.today().isoformat())
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Check the file").click()
    return navigation.value


def northgate_state():
    people = Person.objects.filter(organisation__slug="northgate")
    return {
        "people": people.count(),
        "active": people.filter(active=True).count(),
        "imports": AuditEvent.objects.filter(action="hr.extract_imported").count(),
    }


def test_talent_admin_imports_an_extract(demo, live_server, page, new_page, tmp_path):
    rows = northgate_rows()
    assert len(rows) > 20
    staff = {row["staff_number"] for row in rows}
    employed = still_employed(demo, "tara", "aude")
    assert not staff & {row["staff_number"] for row in employed}
    rows += employed
    bad = [dict(row) for row in rows]
    bad[BAD_PROFESSION_AT]["profession"] = "astronaut"
    bad[BAD_DATE_AT]["start_date"] = "2024-02-31"
    bad_file = write_extract(tmp_path / "northgate-bad.csv", bad)
    good_file = write_extract(tmp_path / "northgate.csv", rows)
    before = northgate_state()

    log_in_as(page, live_server, "tara")
    open_import_page(page)
    assert_accessible(page)

    # 1. Two bad rows: every problem listed, nothing written.
    response = check_file(page, bad_file)
    assert_real_page(page, response)
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "The file has 2 problems. Nothing was written." in summary.inner_text()
    # The design system's script moves focus to the summary so screen readers announce it.
    assert page.evaluate("() => document.activeElement.classList.contains('nhsuk-error-summary')")
    problems = page.locator("table#problems tbody tr")
    listed = sorted(
        (int(cells[0]), cells[1]) for cells in (
            [c.strip() for c in problems.nth(i).locator("td").all_inner_texts()]
            for i in range(problems.count())
        )
    )
    assert listed == [
        (file_row_number(BAD_PROFESSION_AT), "profession"),
        (file_row_number(BAD_DATE_AT), "start_date"),
    ]
    assert page.get_by_role("button", name="Apply this import").count() == 0
    assert_no_browser_errors(page)
    assert_accessible(page)
    assert northgate_state() == before, "a refused file changed the database"

    # 2. The corrected file: a preview of what it would change.
    response = check_file(page, good_file)
    assert_real_page(page, response)
    assert page.locator(".nhsuk-error-summary").count() == 0
    card = page.locator(".nhsuk-card--feature")
    assert "northgate.csv is ready to import" in card.inner_text()
    assert f"No problems found in {len(rows)} rows" in card.inner_text()
    preview = PREVIEW.search(" ".join(page.locator("#import-preview").inner_text().split()))
    assert preview, page.locator("#import-preview").inner_text()
    created, updated, left, unchanged, _units = map(int, preview.groups())
    assert created + updated + unchanged == len(rows)
    assert_no_browser_errors(page)
    assert_accessible(page)
    assert northgate_state() == before, "checking a file changed the database"

    # 3. Apply it: the counts promised are the counts done.
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Apply this import").click()
    assert_real_page(page, navigation.value)
    status = page.get_by_role("main").get_by_role("status")
    applied = APPLIED.search(status.inner_text())
    assert applied, f"no success message; the page says: {page.get_by_role('main').inner_text()}"
    assert tuple(map(int, applied.groups())) == (created, updated, left, unchanged)
    # Tara, in the file, is still in post and still logged in.
    assert heading(page) == f"Import an HR extract for {NORTHGATE}"
    recent = page.get_by_role("main").locator("h2:text-is('Recent imports') + ul")
    assert "northgate.csv" in recent.inner_text()
    assert "Tara Singh" in recent.inner_text()
    assert_no_browser_errors(page)
    assert_accessible(page)
    after = northgate_state()
    assert after["imports"] == before["imports"] + 1
    assert after["people"] == before["people"] + created
    # A partial update (the default): the file's people are in post and nobody else left.
    assert left == 0
    assert after["active"] == before["active"] + created

    # 4. Aude, the auditor, finds the import in the audit log.
    auditor = new_page()
    log_in_as(auditor, live_server, "aude")
    with auditor.expect_navigation():
        auditor.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit log").click()
    assert heading(auditor) == f"Audit log of {NORTHGATE}"
    auditor.get_by_label("Action").fill("hr.extract_imported")
    with auditor.expect_navigation():
        auditor.get_by_role("button", name="Search").click()
    events = auditor.locator("main table tbody tr")
    assert events.count() == 1, events.all_inner_texts()
    cells = [c.strip() for c in events.first.locator("td").all_inner_texts()]
    _when, who, action, _what, details = cells
    assert action == "HR extract imported"  # the label people read, not the machine name
    assert who == "Tara Singh"
    assert "File: northgate.csv" in details
    assert f"Created: {created}" in details
    assert_no_browser_errors(auditor)
    assert_accessible(auditor)


def test_effective_date_starts_as_today(demo, live_server, page):
    """The form offers today as the default; the browser's date box must show it (a date input
    only accepts YYYY-MM-DD, anything else is shown, and submitted, as empty)."""
    log_in_as(page, live_server, "tara")
    open_import_page(page)
    field = page.get_by_label("Changes take effect on")
    assert field.get_attribute("type") == "date"
    assert field.input_value() == date.today().isoformat(), (
        f"the date box is empty: the server rendered value={field.get_attribute('value')!r}"
    )


UNANNOUNCED = """() => {
    const described = [...document.querySelectorAll("main [aria-describedby]")];
    const ids = el => el.getAttribute("aria-describedby").split(/\\s+/).filter(Boolean);
    const dangling = described.flatMap(el => ids(el)
        .filter(id => !document.getElementById(id))
        .map(id => `#${el.id} has aria-describedby="${id}", but no element has that id`));
    const referenced = new Set(described.flatMap(ids));
    const notes = document.querySelectorAll("main .nhsuk-hint, main .nhsuk-error-message");
    const unannounced = [...notes]
        .filter(note => !note.id || !referenced.has(note.id))
        .map(note => `${note.className} #${note.id || "(no id)"} ("${note.textContent.trim()}")`
                     + " is not in any field's aria-describedby");
    return [...dangling, ...unannounced];
}"""


def test_import_form_hints_and_errors_are_announced(demo, live_server, page):
    """A screen reader announces a field's hint and error message only if the field's
    aria-describedby names them: every reference must exist, every hint and error be named."""
    log_in_as(page, live_server, "tara")
    open_import_page(page)
    problems = page.evaluate(UNANNOUNCED)
    # Sent with no file and no date: both fields show an error message.
    page.get_by_label("Changes take effect on").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    assert page.locator("main .nhsuk-error-message").count() == 2
    problems += [f"after a failed submit: {p}" for p in page.evaluate(UNANNOUNCED)]
    assert not problems, "\n".join(problems)
