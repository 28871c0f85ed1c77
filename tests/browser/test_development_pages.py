"""Every development page a persona reaches, in the browser: a real page, no script errors or
CSP refusals, no serious WCAG 2.1 A/AA findings. Bob answers a 360 request by its single-use
link; Tara reads a 360 report with its chart; Sam reads the pathway's diversity."""

import pytest
from django.urls import reverse

from clinlead.development.models import Assessment, FeedbackInvitation, MentoringAgreement
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visit(page, url):
    response = page.goto(url)
    title = assert_real_page(page, response)
    assert_no_browser_errors(page)
    assert_accessible(page)
    return title


def test_bob_answers_a_feedback_request_once(demo, live_server, page):
    invitation = FeedbackInvitation.objects.get(rater_id=demo.personas["bob"], used=False)
    log_in_as(page, live_server, "bob")
    visit(page, f"{live_server.url}{reverse('development:feedback_requests')}")
    with page.expect_navigation():
        page.get_by_role("main").get_by_role(
            "link", name=f"Give feedback to {invitation.assessment.person.full_name}"
        ).click()
    assert_accessible(page)
    # Sent with nothing chosen: every dimension is named in the error summary.
    with page.expect_navigation():
        page.get_by_role("button", name="Send my feedback").click()
    assert page.locator(".nhsuk-error-summary li").count() == 9
    assert_accessible(page)
    for group in page.locator("main fieldset").all():
        group.get_by_label("3 – Strong").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my feedback").click()
    assert "your feedback for" in page.get_by_role("main").get_by_role("status").inner_text()
    assert "No one is waiting for your feedback" in page.get_by_role("main").inner_text()
    invitation.refresh_from_db()
    assert invitation.used
    page.goto(f"{live_server.url}{invitation.get_absolute_url()}")
    assert "You have already given this feedback" in page.get_by_role("main").inner_text()


def test_the_talent_admins_development_pages(demo, live_server, page):
    log_in_as(page, live_server, "tara")
    base = live_server.url
    ready = Assessment.objects.get(person_id=demo.development["ready"])
    midway = Assessment.objects.get(person_id=demo.development["midway"])
    assert visit(page, f"{base}{ready.get_absolute_url()}").startswith("Assessment of")
    assert page.locator("main svg[role=img]").count() == 1
    assert page.locator("main td[data-group=peer] .clinlead-suppressed").count() == 0
    visit(page, f"{base}{midway.get_absolute_url()}")
    assert page.locator("main td[data-group=peer] .clinlead-suppressed").count() == 9
    for name in (
        "programmes",
        "learning_overview",
        "pathway",
        "mentor_pool",
        "frameworks",
        "programme_create",
    ):
        visit(page, f"{base}{reverse(f'development:{name}', kwargs={'slug': 'northgate'})}")
    bob = demo.personas["bob"]
    for name in (
        "person",
        "learning_create",
        "plan_create",
        "mentor_suggestions",
        "assessment_start",
    ):
        visit(page, f"{base}{reverse(f'development:{name}', kwargs={'pk': bob})}")
    agreement = MentoringAgreement.objects.get(mentee_id=bob)
    visit(page, f"{base}{agreement.get_absolute_url()}")
    assert "private to the mentor and mentee" in page.get_by_role("main").inner_text()


def test_bob_and_alice_and_sam(demo, live_server, page, new_page):
    base = live_server.url
    bob = demo.personas["bob"]
    log_in_as(page, live_server, "bob")
    visit(page, f"{base}{reverse('development:home')}")
    visit(page, f"{base}{reverse('development:person', kwargs={'pk': bob})}")
    assessment = Assessment.objects.get(person_id=bob)
    for name in ("assessment", "self_assessment", "invite_raters", "close_assessment"):
        visit(page, f"{base}{reverse(f'development:{name}', kwargs={'pk': assessment.pk})}")
    agreement = MentoringAgreement.objects.get(mentee_id=bob)
    visit(page, f"{base}{agreement.get_absolute_url()}")
    alice = new_page()
    log_in_as(alice, live_server, "alice")
    assert visit(alice, f"{base}{reverse('development:team')}") == "Your team's development"
    assert "Bob Okafor" in alice.get_by_role("main").inner_text()
    sam = new_page()
    log_in_as(sam, live_server, "sam")
    visit(sam, f"{base}{reverse('development:pathway_diversity', kwargs={'slug': 'northgate'})}")
    assert heading(sam).startswith("Diversity of the leadership pathway")
