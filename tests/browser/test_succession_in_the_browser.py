"""Succession in a real browser. Tara, the talent admin, creates a pool for a key position that
has none, nominates two candidates with their readiness, sees the scorecard, and sees the monitor
change. Alice, holder of Clinical Director, Cardiology, manages her own pool but is refused
Tara's new one; Bob and Charlie are refused pools and the monitor. Every page is accessible.
"""

import re

import pytest

from clinlead.org.models import Person, Position
from clinlead.succession.models import PoolCandidate
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_ACCESS = "You do not have access to this page"


def check(page):
    title = assert_real_page(page)
    assert_no_browser_errors(page)
    assert_accessible(page)
    return title


def follow(page, link):
    with page.expect_navigation():
        link.click()


def number(page, selector):
    return int(re.match(r"\d+", page.locator(selector).inner_text().replace(",", "")).group())


def candidates_for(position):
    """Two Northgate staff who hold no position and sit in no pool."""
    taken = set(PoolCandidate.objects.values_list("person_id", flat=True))
    people = (
        Person.objects.filter(
            organisation=position.organisation,
            active=True,
            appointments__isnull=True,
            user__isnull=True,
            profession="doctor",
        )
        .exclude(id__in=taken)
        .order_by("id")
    )
    return list(people[:2])


def nominate(page, person, readiness):
    follow(page, page.get_by_role("link", name="Nominate a candidate"))
    check(page)
    page.get_by_label("Find a person by name or staff number").fill(person.staff_number)
    follow(page, page.get_by_role("button", name="Find"))
    follow(page, page.locator("#found").get_by_role("link", name=f"Choose {person.full_name}"))
    assert page.get_by_label("Staff number", exact=True).input_value() == person.staff_number
    page.get_by_label("Readiness").select_option(label=readiness)
    page.get_by_label("Development actions agreed").fill("Lead the department's audit programme")
    follow(page, page.get_by_role("button", name="Add to the pool"))
    assert f"{person} is in the pool" in page.get_by_role("main").inner_text()


def test_a_talent_admin_builds_a_pool_and_the_monitor_changes(demo, live_server, page):
    position = (
        Position.objects.filter(
            organisation__slug="northgate", is_key=True, succession_pool__isnull=True
        )
        .order_by("title")
        .first()
    )
    assert position is not None, "the demo leaves some key positions without a pool"
    first, second = candidates_for(position)

    log_in_as(page, live_server, "tara")
    follow(
        page,
        page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Succession", exact=True
        ),
    )
    assert check(page) == "Succession monitor"
    ready_before, empty_before = number(page, "#ready-now-1"), number(page, "#empty-pools")

    page.goto(f"{live_server.url}/succession/positions/{position.pk}/pool/")
    assert check(page) == position.title
    assert "This position has no succession pool yet" in page.get_by_role("main").inner_text()
    follow(page, page.get_by_role("button", name="Create the succession pool"))
    assert "ready for candidates" in page.get_by_role("main").inner_text()

    nominate(page, first, "Ready now")
    nominate(page, second, "1–2 years")
    check(page)
    depth = page.locator("#depth")
    assert depth.get_by_role("row", name="Ready now 1").count() == 1
    assert depth.get_by_role("row", name="1–2 years 1").count() == 1
    assert depth.get_by_role("row", name="All 2").count() == 1
    assert page.locator("#pool-risk").inner_text() == "Low risk"
    listed = page.locator("#candidates").inner_text()
    assert first.full_name in listed and second.full_name in listed
    assert (
        "only to a role granted access to special-category data"
        in page.locator("#no-demographics").inner_text()
    )

    follow(
        page,
        page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Succession", exact=True
        ),
    )
    check(page)
    assert number(page, "#ready-now-1") == ready_before + 1
    assert number(page, "#empty-pools") == empty_before - 1


def test_an_incumbent_manages_only_her_own_pool_and_others_are_refused(
    demo, live_server, page, new_page
):
    cardiology = Position.objects.get(
        organisation__slug="northgate", title="Clinical Director, Cardiology"
    )
    other = (
        Position.objects.filter(organisation__slug="northgate", is_key=True)
        .exclude(pk=cardiology.pk)
        .first()
    )

    log_in_as(page, live_server, "alice")
    follow(
        page, page.get_by_role("navigation", name="Menu").get_by_role("link", name="My successors")
    )
    assert check(page) == "My successors"
    follow(page, page.get_by_role("link", name="Manage the pool for Clinical Director, Cardiology"))
    assert check(page) == "Clinical Director, Cardiology"
    before = PoolCandidate.objects.filter(pool__position=cardiology).count()
    nominate(page, candidates_for(cardiology)[0], "3–5 years")
    assert PoolCandidate.objects.filter(pool__position=cardiology).count() == before + 1

    response = page.goto(f"{live_server.url}/succession/positions/{other.pk}/pool/")
    assert response.status == 403 and heading(page) == NO_ACCESS
    response = page.goto(f"{live_server.url}/succession/northgate/")
    assert response.status == 403

    for username in ("bob", "charlie"):
        visitor = new_page()
        log_in_as(visitor, live_server, username)
        for path in (f"/succession/positions/{cardiology.pk}/pool/", "/succession/northgate/"):
            response = visitor.goto(f"{live_server.url}{path}")
            assert response.status == 403, (username, path)
            assert heading(visitor) == NO_ACCESS
