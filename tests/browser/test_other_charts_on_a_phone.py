"""The charts outside the reports' chart style (a 360's ratings, the leadership pathway, the
succession monitor's bench strength) keep their size on a phone and scroll sideways in a frame
a keyboard can reach: no text under 12 px, the page itself never wider than the screen."""

import pytest

from clinlead.development.models import Assessment
from tests.browser.conftest import (
    assert_accessible,
    log_in_as,
    save_screenshot,
    smallest_chart_text,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def pages():
    closed = Assessment.objects.filter(state=Assessment.State.CLOSED).order_by("pk").first()
    return [("admin", f"/development/assessments/{closed.pk}/", "360-ratings"),
            ("tara", "/development/northgate/pathway/", "pathway"),
            ("tara", "/succession/northgate/", "succession-monitor")]


def test_the_other_charts_are_readable_on_a_phone(demo, live_server, phone):
    for username, path, name in pages():
        phone.context.clear_cookies()
        log_in_as(phone, live_server, username)
        phone.goto(f"{live_server.url}{path}")
        assert phone.locator("svg[role=img] text").count() > 0, f"{path} draws no chart"
        sizes = smallest_chart_text(phone, "#maincontent svg[role=img]")
        assert sizes and sizes[0][0] >= 12, (path, sizes[:3])
        fits = "() => document.documentElement.scrollWidth <= window.innerWidth"
        assert phone.evaluate(fits), path
        assert_accessible(phone)
        save_screenshot(phone, f"{name}-390")
