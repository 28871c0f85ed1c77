"""The charts outside the reports' chart style (a 360's ratings, the leadership pathway, the
succession monitor's bench strength) keep their size on a phone and scroll sideways in a frame
a keyboard can reach: no text under 12 px, the page itself never wider than the screen."""

import pytest

from clinlead.development.models import Assessment
from tests.browser.conftest import assert_accessible, log_in, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALLEST_TEXT = """() => {
  let smallest = 1000;
  for (const svg of document.querySelectorAll("main svg[role=img], #maincontent svg[role=img]")) {
    const box = svg.getBoundingClientRect();
    const view = svg.viewBox && svg.viewBox.baseVal;
    const scale = view && view.width ? box.width / view.width : 1;
    for (const text of svg.querySelectorAll("text")) {
      if (!text.textContent.trim()) continue;
      smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
    }
  }
  return smallest;
}"""


def pages():
    closed = Assessment.objects.filter(state=Assessment.State.CLOSED).order_by("pk").first()
    return [("admin", f"/development/assessments/{closed.pk}/", "360-ratings"),
            ("tara", "/development/northgate/pathway/", "pathway"),
            ("tara", "/succession/northgate/", "succession-monitor")]


def test_the_other_charts_are_readable_on_a_phone(demo, live_server, phone):
    for username, path, name in pages():
        phone.context.clear_cookies()
        log_in(phone, live_server, username)
        phone.goto(f"{live_server.url}{path}")
        assert phone.locator("svg[role=img] text").count() > 0, f"{path} draws no chart"
        assert phone.evaluate(SMALLEST_TEXT) >= 12, path
        fits = "() => document.documentElement.scrollWidth <= window.innerWidth"
        assert phone.evaluate(fits), path
        assert_accessible(phone)
        save_screenshot(phone, f"{name}-390")
