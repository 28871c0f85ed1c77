"""Erin opens the succession chart: an organisation chart of boxes and lines, readable on a
phone (the chart scrolls inside its frame, the page does not; no text under 12 px) and on a
desktop, accessible (axe), with the positions listed under it. Screenshots are kept."""

import pytest

from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    heading,
    log_in_as,
    save_screenshot,
    smallest_chart_text,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.mark.parametrize("device", ["page", "phone"])
def test_the_succession_chart_is_an_organisation_chart_readable_everywhere(
        device, demo, live_server, request):
    browser_page = request.getfixturevalue(device)
    log_in_as(browser_page, live_server, "erin")
    browser_page.goto(f"{live_server.url}/succession/northgate/chart/")
    assert heading(browser_page) == "Succession chart"
    chart = browser_page.locator("svg.clinlead-org-chart")
    assert chart.locator("rect[width='250']").count() > 5
    assert chart.locator("polyline").count() > 5
    assert smallest_chart_text(browser_page, "svg.clinlead-org-chart")[0][0] >= 12
    assert browser_page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert browser_page.locator("#chart a").count() > 5  # the list with links to every pool
    assert_accessible(browser_page)
    save_screenshot(browser_page, f"succession-chart-{'390' if device == 'phone' else '1280'}")
    assert_no_browser_errors(browser_page)
