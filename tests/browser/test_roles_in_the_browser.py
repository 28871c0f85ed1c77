"""Every demo persona, in a real browser: log in through the form, use every page the header
menu offers, and log out. Each page must be a real page (200, an h1, not an error page), free of
script errors and CSP refusals, and free of serious or critical WCAG 2.1 A/AA violations.

The menus expected per persona are written down here, independently of the code that builds
them, from the roles the personas stand for.
"""

import re

import pytest

from clinlead.accounts.models import User
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in,
)
from tests.conftest import PERSONAS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The foundation's menu starts the same for everyone who sees one organisation; the superuser,
# who sees all three, gets the list of organisations instead. Other parts of Clinlead add their
# own items after these; the test opens whatever the menu offers.
ORG_MENU = ["Home", "Organisation", "Positions"]
MENU_STARTS = {username: ORG_MENU for username in PERSONAS} | {"admin": ["Home", "Organisations"]}
# Items that only one role may see.
ONLY_FOR = {"HR import": "tara", "Workforce diversity": "sam", "Audit log": "aude"}
NORTHGATE = "Northgate Teaching Hospitals NHS Foundation Trust"
HOME_ORGANISATION = {u: NORTHGATE for u in PERSONAS} | {"charlie": "Riverside and Vale NHS Trust"}
NO_ACCESS = "You do not have access to this page"
NHS_BLUE = "rgb(0, 94, 184)"  # #005eb8: the header is styled only if the NHS.UK CSS was served


def menu(page):
    return page.get_by_role("navigation", name="Menu")


def menu_labels(page):
    return [" ".join(t.split()) for t in menu(page).locator("a").all_inner_texts()]


def follow(page, link):
    """Click a link and return the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        link.click()
    return navigation.value


def assert_only_current(page, label):
    """aria-current="page" tells screen-reader users which link is this page: the link to it, and
    only that one, says so. (Checked on every persona's every menu page; a test of its own walked
    Tara's menu a second time for it.)"""
    current = menu(page).locator("[aria-current=page]").all_inner_texts()
    assert current == [label], f"on {label!r} ({page.url}) the links marked current are {current}"


def check(page, response=None, checked=None):
    """The page is real, quiet in the console and accessible; returns its h1. Pages already in
    `checked` (URLs) are not run through axe again."""
    title = assert_real_page(page, response)
    assert_no_browser_errors(page)
    if checked is None or page.url not in checked:
        assert_accessible(page)
    if checked is not None:
        checked.add(page.url)
    return title


@pytest.mark.parametrize("username", PERSONAS)
def test_persona_uses_every_page_of_their_menu(username, demo, live_server, page):
    user = User.objects.select_related("person").get(username=username)
    shown_as = user.person.full_name if user.person_id else username

    log_in(page, live_server, username)
    assert page.url == f"{live_server.url}/", f"{username} landed on {page.url}, not the home page"
    expected_h1 = f"Hello, {user.person.first_name}" if user.person_id else "Clinlead"
    checked = set()
    assert check(page, checked=checked) == expected_h1
    header_colour = page.locator("header.nhsuk-header").evaluate(
        "header => getComputedStyle(header).backgroundColor"
    )
    assert header_colour == NHS_BLUE, "the NHS.UK stylesheet did not load"
    account = page.get_by_role("navigation", name="Account")
    assert shown_as in account.inner_text(), f"the header does not name {shown_as}"
    assert account.get_by_role("button", name="Log out").is_visible()

    labels = menu_labels(page)
    start = MENU_STARTS[username]
    assert labels[: len(start)] == start, f"{username}'s menu is {labels}"
    assert len(set(labels)) == len(labels), f"{username}'s menu repeats an item: {labels}"
    for label, only in ONLY_FOR.items():
        assert (label in labels) == (username == only), f"{username}'s menu is {labels}"
    assert_only_current(page, labels[0])  # home, where the login lands
    for label in labels[1:]:
        response = follow(page, menu(page).get_by_role("link", name=label, exact=True))
        title = check(page, response, checked)
        assert_only_current(page, label)
        if label == "Organisation":
            assert title == HOME_ORGANISATION[username]

    if username == "charlie":
        response = page.goto(f"{live_server.url}/org/northgate/")
        assert response.status == 403
        assert heading(page) == NO_ACCESS
        # The refused page is the one error the console may report here.
        assert [e for e in page.browser_errors if "status of 403" not in e] == []
        page.browser_errors.clear()
        assert_accessible(page)
    else:
        walk_northgate(page, username, checked)

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/accounts/login/(\?.*)?", page.url), page.url
    assert heading(page) == "Log in to Clinlead"
    assert page.get_by_role("navigation", name="Account").count() == 0
    # The session really ended: home now asks for a login again.
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert_no_browser_errors(page)


def walk_northgate(page, username, checked):
    """Organisation → a unit → a position in it; find a person by name → their record."""
    if username == "admin":
        follow(page, menu(page).get_by_role("link", name="Organisations", exact=True))
        response = follow(page, page.get_by_role("main").get_by_role("link", name=NORTHGATE))
    else:
        response = follow(page, menu(page).get_by_role("link", name="Organisation", exact=True))
    assert check(page, response, checked) == NORTHGATE

    units = page.locator("main .clinlead-tree a")
    assert units.count() > 0, "the organisation page lists no units"
    unit_name = units.first.inner_text().strip()
    response = follow(page, units.first)
    assert re.search(r"/org/units/\d+/$", page.url), page.url
    assert check(page, response, checked) == unit_name

    leadership = page.locator("main table a[href*='/org/positions/']")
    if leadership.count() == 0:  # a unit without positions: take one from the positions list
        follow(page, menu(page).get_by_role("link", name="Positions", exact=True))
        leadership = page.locator("main table a[href*='/org/positions/']")
    position_title = leadership.first.inner_text().strip()
    response = follow(page, leadership.first)
    assert re.search(r"/org/positions/\d+/$", page.url), page.url
    assert check(page, response, checked) == position_title

    page.goto(page.url.split("/org/")[0] + "/org/northgate/")
    follow(page, page.get_by_role("main").get_by_role("link", name="Find a person"))
    check(page, checked=checked)
    page.get_by_label("Name or staff number").fill("Okafor")
    response = follow(page, page.get_by_role("main").get_by_role("button", name="Search"))
    check(page, response, checked)
    results = page.locator("main ul.nhsuk-list a[href*='/org/people/']")
    names = results.all_inner_texts()
    assert "Bob Okafor" in names, f"searching 'Okafor' did not find Bob: {names}"
    response = follow(page, results.filter(has_text="Bob Okafor").first)
    assert re.search(r"/org/people/\d+/$", page.url), page.url
    assert check(page, response, checked) == "Bob Okafor"


def test_keyboard_user_can_skip_to_main_content(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("link => link === document.activeElement"), "Tab misses the skip link"
    assert skip.is_visible(), "the focused skip link is not shown"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "maincontent"


def test_wrong_password_is_explained(live_server, page):
    log_in(page, live_server, "nobody", password="not-the-password")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert heading(page) == "Log in to Clinlead"
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.evaluate("() => document.activeElement.classList.contains('nhsuk-error-summary')")
    assert page.get_by_role("navigation", name="Account").count() == 0
    assert_accessible(page)
    assert_no_browser_errors(page)


def test_the_accessibility_check_can_fail(live_server, page):
    """Guards the guard: a page with a known critical violation must fail assert_accessible."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "'<img src=\"/static/none.png\" id=\"unlabelled\">')")
    with pytest.raises(AssertionError, match=r"image-alt \(critical\).*\n.*#unlabelled"):
        assert_accessible(page)
