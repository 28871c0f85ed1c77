"""Alice reads her leader report on a desktop and on her phone: the summary, the comparisons,
strengths and opportunities, suggested actions, and charts whose text stays readable, with
their figures as tables. Screenshots are kept as test artefacts (`save_screenshot`)."""

import pytest

from tests.browser.conftest import (
    DESKTOP,
    IPHONE,
    assert_axe_clean,
    assert_no_browser_errors,
    assert_real_page,
    log_in_as,
    save_screenshot,
    smallest_chart_text,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = {"desktop": DESKTOP, "phone": IPHONE}
SECTIONS = ["Strengths and opportunities", "Suggested actions", "Behaviours", "Each question"]


def open_report(page, live_server):
    log_in_as(page, live_server, "alice")
    page.goto(f"{live_server.url}/leader-index/my-report/")
    assert assert_real_page(page) == "Leader index report: Alice Morgan"


@pytest.mark.parametrize("screen", SCREENS)
def test_alice_reads_her_report(screen, demo, live_server, new_page):
    page = new_page(**SCREENS[screen])
    open_report(page, live_server)
    for section in SECTIONS:
        assert page.get_by_role("heading", name=section, exact=True).is_visible(), section
    assert "Higher than about" not in page.inner_text("main")
    assert page.locator("#against-organisation").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        "the report scrolls sideways"
    )
    save_screenshot(page, f"leader-report-{screen}")
    assert_axe_clean(page)
    # Every chart has its figures behind it, as a table a screen reader can walk.
    charts = page.locator("figure.clinlead-chart")
    assert charts.count() >= 3
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.get_by_text("Show the figures as a table").click()
        assert chart.get_by_role("table").is_visible()
    save_screenshot(page, f"leader-report-{screen}-tables-open")
    assert_axe_clean(page)
    assert_no_browser_errors(page)


def test_no_chart_text_is_under_12px_on_a_phone(demo, live_server, phone):
    open_report(phone, live_server)
    sizes = smallest_chart_text(phone)
    assert sizes, "the report draws no chart text"
    small = [s for s in sizes if s[0] < 12]
    assert not small, f"chart text under 12 px at 390 px wide: {small[:5]}"


def test_the_questions_are_named_in_the_chart_in_full(demo, live_server, phone):
    open_report(phone, live_server)
    drawn = " ".join(t for _, t in smallest_chart_text(phone))
    assert "(develop)" not in drawn
    assert "My leader gives me useful feedback" in drawn
    assert "…" not in drawn, "a label or legend is cut"
