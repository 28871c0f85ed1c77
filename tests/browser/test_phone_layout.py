"""Bob, on his phone: the pages fit the screen and the header menu can be used with a thumb."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOBS_MENU = ["Home", "Organisation", "Positions"]
# Sam's menu is longer than a phone is wide, so its tail folds into the "More" toggle.
MENUS = {"bob": BOBS_MENU, "sam": [*BOBS_MENU, "Workforce diversity"]}


def overflow(page):
    """How many CSS pixels the page is wider than the screen (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def widest_offenders(page):
    """The elements that stick out past the right edge, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5)
            .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`
                       + ` (right edge at ${Math.round(el.getBoundingClientRect().right)}px)`)"""
    )


def assert_fits(page):
    assert page.evaluate("() => window.innerWidth") == 390
    extra = overflow(page)
    assert extra == 0, (
        f"{page.url} scrolls sideways by {extra}px on a phone; "
        f"sticking out: {widest_offenders(page)}"
    )


def reveal(page, label):
    """The menu link called `label`, made visible the way a person would: via "More" if needed."""
    menu = page.get_by_role("navigation", name="Menu")
    link = menu.get_by_role("link", name=label, exact=True)
    if not link.is_visible():
        more = menu.get_by_role("button", name="Browse More")
        assert more.is_visible(), f"{label!r} is hidden and there is no visible 'More' button"
        if more.get_attribute("aria-expanded") != "true":
            more.tap()
            expect(more).to_have_attribute("aria-expanded", "true")
    expect(link, f"{label!r} cannot be reached from the header menu").to_be_visible()
    return link


@pytest.mark.parametrize("username", MENUS)
def test_home_fits_a_phone_and_the_menu_is_usable(username, demo, live_server, phone):
    log_in(phone, live_server, username)  # through the form: where a phone login lands counts
    assert phone.url == f"{live_server.url}/"
    assert heading(phone) == f"Hello, {username.title()}"
    assert_fits(phone)

    menu = phone.get_by_role("navigation", name="Menu")
    assert menu.is_visible()
    more = menu.get_by_role("button", name="Browse More")
    assert menu.get_by_role("link", name="Home", exact=True).is_visible() or more.is_visible()
    for label in MENUS[username]:
        reveal(phone, label)
    assert_fits(phone)  # an open menu must not push the page sideways either

    # The last item, reached and used through the menu, opens its page.
    last = MENUS[username][-1]
    with phone.expect_navigation() as navigation:
        reveal(phone, last).tap()
    assert_real_page(phone, navigation.value)
    assert_fits(phone)
    assert menu.locator("[aria-current=page]").filter(has_text=last).count() == 1
    assert_no_browser_errors(phone)


def test_bobs_pages_fit_a_phone(demo, live_server, phone):
    log_in_as(phone, live_server, "bob")
    with phone.expect_navigation():
        phone.get_by_role("main").get_by_role("link", name="Your record").tap()
    assert heading(phone) == "Bob Okafor"
    assert_fits(phone)
    for label in BOBS_MENU[1:]:
        with phone.expect_navigation() as navigation:
            reveal(phone, label).tap()
        assert_real_page(phone, navigation.value)
        assert_fits(phone)
        if label == "Organisation":
            with phone.expect_navigation() as unit:
                phone.locator("main .clinlead-tree a").first.tap()
            assert_real_page(phone, unit.value)
            assert_fits(phone)
            phone.go_back()
    assert_no_browser_errors(phone)
