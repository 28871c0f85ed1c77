"""The board's evaluation report on a desktop (1280 px) and a phone (390 px): the verdict in
plain English comes first, the pilots' start dates are labelled on the charts, no chart text is
under 12 px as shown, the technical detail sits in the annex, and axe finds nothing serious.
Screenshots are kept as test artefacts for the closing note (`save_screenshot`)."""

import pytest

from clinlead.evaluation.models import Evaluation
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    log_in_as,
    save_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The size each chart text is shown at: its font size times the SVG's scale on the page.
SHOWN_FONT_SIZES = """() => [...document.querySelectorAll('figure.clinlead-chart svg')]
.flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
    .map(t => ({text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale}));
})"""



@pytest.mark.parametrize("device", ["page", "phone"])
def test_a_board_member_reads_the_verdict_first_and_the_detail_in_the_annex(
    device, demo, live_server, request
):
    page = request.getfixturevalue(device)
    evaluation = Evaluation.objects.get(name="Leadership model pilot")
    log_in_as(page, live_server, "erin")
    page.goto(f"{live_server.url}{evaluation.get_absolute_url()}")
    assert assert_real_page(page) == "Leadership model pilot"
    # The first section after the title and buttons is the verdict, in plain words.
    first = page.locator("main h2").first
    assert first.inner_text() == "In short"
    verdict = page.locator(".clinlead-board-verdict").inner_text()
    assert verdict.startswith(
        "Three pilot trusts took up the model from July 2024 and October 2024.")
    assert "fairly sure" in verdict
    # The main text names no technical term; they are all in the annex.
    annex = page.locator("#annex")
    main_text = page.evaluate("""() => {
        const main = document.querySelector('main').cloneNode(true);
        main.querySelector('#annex').remove(); return main.textContent; }""")
    for term in ("CR1", "G/(G", "pretrend_p_f", "period(s)", "p-value", "95% CI"):
        assert term not in main_text, term
    assert "CR1" in annex.text_content()  # in the closed technical details
    # The trend charts label each pilot start date, and no chart text is shown under 12 px.
    trend = page.locator("figure.clinlead-trend svg").first
    assert "Start Jul 2024" in trend.inner_html() and "Start Oct 2024" in trend.inner_html()
    sizes = page.evaluate(SHOWN_FONT_SIZES)
    assert sizes, "no chart text found"
    small = [s for s in sizes if s["px"] < 12]
    assert small == [], small[:5]
    assert_accessible(page)
    assert_no_browser_errors(page)
    width = page.viewport_size["width"]
    save_screenshot(page, f"evaluation-report-{width}")
    save_screenshot(page, f"evaluation-report-{width}-verdict", page.locator("#verdict"))
    save_screenshot(page, f"evaluation-report-{width}-trend-chart", trend)
