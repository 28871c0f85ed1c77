"""The one-click disasters of issue 14, tried in a real browser: a file that would mark most of
the trust as having left is stopped until the count is typed and is then reversed; closing the
survey two weeks early asks first and is undone; a blank survey asks once before it is sent."""

import csv
import io
from datetime import date, timedelta

import pytest

from clinlead.org.hr_format import COLUMN_NAMES
from clinlead.org.models import Person
from clinlead.surveys.models import Invitation, Response, SealedResponse, SurveyCycle
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NORTHGATE = "Northgate Teaching Hospitals NHS Foundation Trust"


def expect_refusal_logged(page):
    """A refused form answers 400, which the browser logs as a failed load: expected here only."""
    assert all("status of 400" in error for error in page.browser_errors), page.browser_errors
    page.browser_errors.clear()


def in_post():
    return Person.objects.filter(organisation__slug="northgate", active=True).count()


def test_a_mass_leaver_import_is_stopped_then_reversed(demo, live_server, page, tmp_path):
    log_in_as(page, live_server, "tara")
    page.goto(f"{live_server.url}/org/northgate/import/")
    assert heading(page) == f"Import an HR extract for {NORTHGATE}"
    full_extract = page.get_by_label("This is a full extract")
    assert not full_extract.is_checked(), "a partial update unless ticked"
    # The example file is Northgate's own staff; a careless cut keeps only Tara and Aude.
    with page.expect_download() as download:
        page.get_by_role("link", name="the example file").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    mine = {Person.objects.get(user__username=u).staff_number for u in ("tara", "aude")}
    kept = [dict(r, leader_staff_number="") for r in rows if r["staff_number"] in mine]
    assert len(kept) == 2 and len(rows) == in_post()
    cut = tmp_path / "northgate-cut.csv"
    with cut.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMN_NAMES)
        writer.writeheader()
        writer.writerows(kept)
    before = in_post()
    leaving = before - 2

    page.get_by_label("HR extract (.csv or .xlsx)").set_input_files(str(cut))
    full_extract.check()
    page.get_by_label("Changes take effect on").fill(date.today().isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()

    warning = page.locator("#leaver-warning")
    assert f"This would mark {leaving} people as having left" in warning.inner_text()
    assert "hold a key position" in warning.inner_text()
    first = page.locator("table#leavers tbody tr").first.locator("td").all_inner_texts()
    assert first[2].strip(), "key-position holders are listed first"
    assert_accessible(page)
    # Applying without the words is refused, and nothing is written.
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Apply this import").click()
    assert refused.value.status == 400
    expect_refusal_logged(page)
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert f'type "mark {leaving} as left" in the box' in summary
    assert in_post() == before
    page.get_by_label(f"To apply it, type mark {leaving} as left").fill(f"mark {leaving} as left")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply this import").click()
    status = page.get_by_role("main").get_by_role("status")
    assert f"{leaving} marked as left" in status.inner_text()
    assert in_post() == 2

    # Reversed by one action, from the list of recent imports.
    with page.expect_navigation():
        page.get_by_role("link", name="Reverse this import").first.click()
    assert heading(page) == "Reverse the import of northgate-cut.csv"
    plan = page.locator("#reversal-plan").inner_text()
    assert f"put {leaving} people it marked as having left back in post" in plan
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Reverse this import").click()
    assert f"{leaving} back in post" in page.get_by_role("main").get_by_role("status").inner_text()
    assert in_post() == before
    assert "Reversed" in page.locator("#recent-imports").inner_text()
    assert_no_browser_errors(page)


def test_an_early_close_is_confirmed_then_undone(demo, live_server, page, tmp_path):
    from clinlead.surveys.demo_cycle import DEMO_CUSTODY_PASSPHRASE, custody_folder

    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    SurveyCycle.objects.filter(pk=cycle.pk).update(closes_on=date.today() + timedelta(days=14))
    sealed = SealedResponse.objects.filter(cycle=cycle).count()
    key_file = custody_folder() / f"northgate-{cycle.name}-custody-key.json"
    log_in_as(page, live_server, "tara")
    page.goto(f"{live_server.url}{cycle.get_absolute_url()}")
    assert "This is 14 days early" in page.locator("#early-close").inner_text()
    assert_accessible(page)

    def close(confirm):
        page.get_by_label("First custodian's key file").set_input_files(str(key_file))
        close_form = page.locator("form[action$='/close/']")
        close_form.locator("input[name=passphrase_1]").fill(DEMO_CUSTODY_PASSPHRASE)
        if confirm:
            page.get_by_label("Close it 14 days early").check()
        with page.expect_navigation() as done:
            page.get_by_role("button", name="Close the survey").click()
        return done.value

    assert close(confirm=False).status == 400
    expect_refusal_logged(page)
    assert "closing it now is 14 days early" in page.locator(".nhsuk-error-summary").inner_text()
    assert SurveyCycle.objects.get(pk=cycle.pk).status == SurveyCycle.Status.OPEN
    assert_real_page(page, close(confirm=True))
    assert SurveyCycle.objects.get(pk=cycle.pk).status == SurveyCycle.Status.CLOSED
    assert Response.objects.filter(cycle=cycle).count() == sealed

    page.get_by_label("First custodian's passphrase").fill("a brand new custodian phrase")
    with page.expect_download() as download:
        page.get_by_role("button", name="Reopen the survey and download the new key file").click()
    assert download.value.suggested_filename.endswith("custody-key.json")
    page.reload()
    assert "Open" in page.locator(".nhsuk-summary-list").inner_text()
    assert "New links are on their way" in page.get_by_role("main").inner_text()
    assert SurveyCycle.objects.get(pk=cycle.pk).status == SurveyCycle.Status.OPEN
    assert Response.objects.filter(cycle=cycle).count() == sealed, "the answers opened are kept"
    assert_no_browser_errors(page)


def test_a_blank_survey_asks_once_before_sending(demo, live_server, page):
    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    bob = Invitation.objects.get(cycle=cycle, person__user__username="bob")
    assert not bob.used
    log_in_as(page, live_server, "bob")
    page.goto(f"{live_server.url}/survey/cycles/{cycle.pk}/start/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the survey").click()
    assert heading(page) == "About your immediate leader"

    for _ in range(3):  # the survey comes in parts; the last one sends
        page.get_by_role("button", name="Continue").locator("visible=true").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    warning = page.locator("#unanswered-warning")
    assert "You have not answered any of the 14 questions" in warning.inner_text()
    assert "Send anyway?" in warning.inner_text()
    assert not Invitation.objects.get(pk=bob.pk).used, "the link is not used up unasked"
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    assert heading(page) == "Thank you"
    assert Invitation.objects.get(pk=bob.pk).used
    assert_no_browser_errors(page)
