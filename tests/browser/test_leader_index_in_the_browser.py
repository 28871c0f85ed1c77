"""The leader index in a real browser: a nurse answers on a phone; the leader reads her report."""

import pytest

from clinlead.surveys.models import SealedResponse, SurveyCycle
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nurse_answers_the_survey_on_a_phone(demo, live_server, phone):
    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    before = SealedResponse.objects.filter(cycle=cycle).count()
    log_in_as(phone, live_server, "bob")
    with phone.expect_navigation():
        phone.get_by_role("link", name=f"Your {cycle.name} leader survey").click()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Start the survey").click()
    assert heading(phone) == "About your immediate leader"
    assert_accessible(phone)
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # The survey comes in parts on a phone: a part's questions, then "Continue".
    for number in range(1, 13):
        phone.locator(f"input[name=q{number}][value='4']").check()
        if number % 4 == 0:
            phone.get_by_role("button", name="Continue").locator("visible=true").click()
    phone.locator("input[name=burnout][value='2']").check()
    phone.locator("input[name=satisfaction][value='4']").check()
    phone.get_by_label("Is there anything else you would like your leader to hear?").fill(
        "Thank you for the huddles."
    )
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my answers").click()
    assert heading(phone) == "Thank you"
    assert_no_browser_errors(phone)
    assert SealedResponse.objects.filter(cycle=cycle).count() == before + 1, (
        "sealed until the survey closes"
    )
    # The link is spent: going back to it shows that it cannot be used again.
    phone.go_back()
    phone.reload()
    assert heading(phone) == "This survey link cannot be used"


def test_the_leader_opens_her_report_after_publication(demo, live_server, page):
    log_in_as(page, live_server, "alice")
    with page.expect_navigation():
        page.get_by_role("link", name="Your leader index report").click()
    title = assert_real_page(page)
    assert title == "Leader index report: Alice Morgan"
    assert page.locator("#leader-index").inner_text().strip()
    assert page.locator("figure svg").count() >= 2
    assert_accessible(page)
    assert_no_browser_errors(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_an_executive_reads_the_dashboard(demo, live_server, page):
    log_in_as(page, live_server, "erin")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Leader survey").click()
    page.wait_for_load_state()
    cycle = (
        SurveyCycle.objects.filter(organisation__slug="northgate", status="published")
        .order_by("-opens_on")
        .first()
    )
    with page.expect_navigation():
        page.get_by_role("row", name=cycle.name).get_by_role("link", name="Dashboard").click()
    assert heading(page) == f"Leader index {cycle.name}"
    assert page.locator("#association").count() == 1
    assert_accessible(page)
    assert_no_browser_errors(page)
