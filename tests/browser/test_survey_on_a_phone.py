"""Bob answers the leader survey on his phone: a part at a time, with his progress shown, his
answers kept when he goes back, nothing on screen naming him; the same page works at desktop
width. Screenshots of each part are kept (test-artefacts/ in the data folder)."""

import pytest
from playwright.sync_api import expect

from clinlead.surveys.models import Invitation, SurveyCycle
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    heading,
    log_in_as,
    save_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def start_survey(page, live_server):
    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    log_in_as(page, live_server, "bob")
    page.goto(f"{live_server.url}/survey/cycles/{cycle.pk}/start/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the survey").click()
    assert heading(page) == "About your immediate leader"
    return cycle


def visible_parts(page):
    return page.locator(".clinlead-survey-part:visible h2").all_inner_texts()


def answer_the_rest_of_this_part(page):
    for question in page.locator(".clinlead-survey-part:visible fieldset").all():
        if not question.locator("input[type=radio]:checked").count():
            question.locator("input[type=radio]").nth(3).check()


def fits_the_screen(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_bob_answers_a_part_at_a_time_on_his_phone_and_goes_back_without_losing_answers(
        demo, live_server, phone):
    cycle = start_survey(phone, live_server)
    progress = phone.locator("#survey-progress")
    assert visible_parts(phone) == ["Part 1 of 4: your leader"]
    expect(progress).to_have_text("Part 1 of 4: 0 of 4 answered on this part")
    assert "Bob" not in phone.locator("header").inner_text()
    assert fits_the_screen(phone)
    assert_accessible(phone)
    save_screenshot(phone, "survey-390-part-1")

    first = phone.get_by_role("group", name="Question 1 of 14", exact=False)
    first.get_by_label("Agree", exact=True).check()
    expect(progress).to_have_text("Part 1 of 4: 1 of 4 answered on this part")
    phone.get_by_role("button", name="Continue").locator("visible=true").click()
    assert visible_parts(phone) == ["Part 2 of 4: your leader"]
    expect(phone.locator("#part-2")).to_be_focused()
    assert_accessible(phone)
    save_screenshot(phone, "survey-390-part-2")

    phone.get_by_role("button", name="Back").locator("visible=true").click()
    assert visible_parts(phone) == ["Part 1 of 4: your leader"]
    expect(first.get_by_label("Agree", exact=True)).to_be_checked()

    answer_the_rest_of_this_part(phone)
    for _ in (2, 3, 4):
        phone.get_by_role("button", name="Continue").locator("visible=true").click()
        answer_the_rest_of_this_part(phone)
    assert visible_parts(phone) == ["Part 4 of 4: about you at work"]
    assert fits_the_screen(phone)
    save_screenshot(phone, "survey-390-part-4")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my answers").click()
    assert heading(phone) == "Thank you"
    assert Invitation.objects.get(cycle=cycle, person__user__username="bob").used
    assert_no_browser_errors(phone)


def test_the_survey_in_parts_is_accessible_at_desktop_width(demo, live_server, page):
    start_survey(page, live_server)
    assert visible_parts(page) == ["Part 1 of 4: your leader"]
    assert_accessible(page)
    save_screenshot(page, "survey-1280-part-1")
    assert_no_browser_errors(page)
