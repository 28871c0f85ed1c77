"""The executive dashboard in a real browser, at 1280 px and on a 390 px phone: axe clean, the
charts' text never under 12 px, a division drills down to its departments. Screenshots are kept
as test artefacts (`save_screenshot`)."""

import pytest

from clinlead.surveys.models import SurveyCycle
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    heading,
    log_in_as,
    save_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each SVG text's rendered size: its font size scaled by how much the page shrinks the chart.
SMALLEST_CHART_TEXT = """() => {
    let smallest = Infinity;
    for (const svg of document.querySelectorAll("figure.clinlead-chart svg")) {
        const box = svg.viewBox.baseVal;
        const drawn = box && box.width ? box.width : svg.width.baseVal.value;
        const scale = svg.getBoundingClientRect().width / drawn;
        for (const text of svg.querySelectorAll("text")) {
            if (!text.textContent.trim()) continue;
            smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
        }
    }
    return smallest;
}"""


def open_dashboard(page, live_server):
    log_in_as(page, live_server, "erin")
    cycle = (
        SurveyCycle.objects.filter(organisation__slug="northgate", status="published")
        .order_by("-opens_on")
        .first()
    )
    page.goto(f"{live_server.url}/leader-index/cycles/{cycle.pk}/")
    assert heading(page) == f"Leader index {cycle.name}"
    return cycle


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_executive_reads_filters_and_drills_down_the_dashboard(
    demo, live_server, page, phone, size
):
    page = page if size == "desktop" else phone
    open_dashboard(page, live_server)
    assert page.locator("figure.clinlead-chart svg").count() == 2
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 12, "no chart text under 12 px"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_text("The chart's figures as a table").last.click()
    assert page.locator("#heatmap-table").is_visible()
    assert_accessible(page)
    save_screenshot(page, f"executive-dashboard-{size}")
    # Drill down: from a division to its departments, then back through the filter.
    with page.expect_navigation():
        page.get_by_role("link", name="Medicine's departments").click()
    assert (
        page.locator("#filter-summary")
        .inner_text()
        .startswith("Showing Medicine and its departments")
    )
    units = page.locator("#units tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")
    assert units and all(u == "Medicine" or u.startswith("Medicine/") for u in units)
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 12
    assert_accessible(page)
    save_screenshot(page, f"executive-dashboard-medicine-{size}")
    page.get_by_label("Division").select_option(label="Surgery")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert page.locator("#filter-summary").inner_text().startswith("Showing Surgery")
    assert_no_browser_errors(page)
