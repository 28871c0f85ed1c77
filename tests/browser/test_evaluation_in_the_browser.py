"""The evaluation in a real browser: an executive reads what the demo pilot found, and a talent
admin's bad file is turned away row by row."""

import pytest

from clinlead.evaluation.models import Evaluation, Observation
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_executive_reads_what_the_pilot_found_and_its_caveats(demo, live_server, page):
    evaluation = Evaluation.objects.get(name="Leadership model pilot")
    log_in_as(page, live_server, "erin")
    menu = page.get_by_role("navigation", name="Menu")
    link = menu.get_by_role("link", name="Evaluation", exact=True)
    if not link.is_visible():  # the header folds items that do not fit into "More"
        menu.get_by_role("button", name="More").click()
    with page.expect_navigation():
        link.click()
    assert heading(page) == "Evaluations"
    with page.expect_navigation():
        page.get_by_role("link", name="Leadership model pilot").click()
    assert assert_real_page(page) == "Leadership model pilot"
    # The estimate of every metric, with its 95% confidence interval or the reason there is none.
    for metric in evaluation.metrics.all():
        row = page.locator(f"#estimate-{metric.name}")
        assert metric.label in row.inner_text()
        if metric.name != "leader_index":
            assert " to " in row.locator("td").nth(1).inner_text()
    assert (
        "No comparison organisation has figures"
        in page.locator("#estimate-leader_index").inner_text()
    )
    # The event-study charts, drawn on the server with an accessible name.
    charts = page.locator("figure.clinlead-event-study svg[role=img]")
    assert charts.count() == 8
    assert "event study" in charts.first.get_attribute("aria-label")
    assert charts.first.is_visible()
    # The assumptions and caveats, in plain words.
    assert "Parallel trends" in page.locator("#assumptions").inner_text()
    caveats = page.locator("#caveats")
    assert caveats.is_visible() and "does not prove the pilot caused it" in caveats.inner_text()
    assert_accessible(page)
    assert_no_browser_errors(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_talent_admin_sees_every_bad_row_and_nothing_is_written(
    demo, live_server, page, tmp_path
):
    evaluation = Evaluation.objects.get(name="Leadership model pilot")
    held = Observation.objects.filter(participant__evaluation=evaluation).count()
    bad = tmp_path / "figures.csv"
    bad.write_text(
        "organisation,period,metric,value\n"
        "Eastmere Health,2026-01,hsmr,98.1\n"
        "Eastmere Health,2026-13,hsmr,98.3\n"
        "Eastmere Health,2026-03,hsmr,high\n"
        ",2026-04,hsmr,97.9\n",
        encoding="utf-8",
    )
    log_in_as(page, live_server, "tara")
    page.goto(f"{live_server.url}{evaluation.get_absolute_url()}")
    with page.expect_navigation():
        page.get_by_role("link", name="Import figures").click()
    assert heading(page) == "Import figures"
    page.set_input_files("#id_file", str(bad))
    with page.expect_navigation():
        page.get_by_role("button", name="Check and import").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "The file has 3 problems. Nothing was written." in summary.inner_text()
    rows = page.locator("#problems tbody tr")
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == [
        "3",
        "4",
        "5",
    ]
    assert_accessible(page)
    assert_no_browser_errors(page)
    assert Observation.objects.filter(participant__evaluation=evaluation).count() == held
