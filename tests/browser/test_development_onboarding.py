"""The three-year onboarding in the browser: Erin, the programme lead, enrols a new consultant
from the demo; the consultant uploads evidence for their milestones (a refused file first, then a
small PDF each time); Erin signs off the rest and records the permanent-appointment decision."""

import pytest

from clinlead.accounts.models import User
from clinlead.development.demo import demo_pdf
from clinlead.development.models import AppointmentReview, Enrolment, EvidenceFile, Milestone
from clinlead.org.demo_data import DEMO_PASSWORD
from clinlead.org.models import Person
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ONBOARDING = "Three-year onboarding"


def follow(page, link):
    with page.expect_navigation() as navigation:
        link.click()
    return navigation.value


def main(page):
    return page.get_by_role("main")


def check(page, response=None):
    title = assert_real_page(page, response)
    assert_no_browser_errors(page)
    assert_accessible(page)
    return title


def open_development(page):
    follow(
        page,
        page.get_by_role("navigation", name="Menu").get_by_role(
            "link", name="Development", exact=True
        ),
    )
    assert heading(page) == "Development"


def open_enrolment_as_lead(page, consultant):
    open_development(page)
    follow(page, main(page).get_by_role("link", name="Programmes"))
    follow(page, main(page).get_by_role("link", name=ONBOARDING))
    follow(page, main(page).get_by_role("link", name="2025 intake"))
    follow(page, main(page).get_by_role("link", name=consultant.full_name))
    assert heading(page) == consultant.full_name


def test_new_consultant_goes_through_the_onboarding_to_the_appointment_decision(
    demo, live_server, page, new_page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    consultant = Person.objects.get(pk=demo.development["new_consultant"])
    assert consultant.grade == "Consultant" and not consultant.enrolments.exists()
    user = User(username="newconsultant", person=consultant)
    user.set_password(DEMO_PASSWORD)
    user.save()
    evidence_pdf = tmp_path / "evidence.pdf"
    evidence_pdf.write_bytes(demo_pdf(f"Certificate for {consultant.full_name}"))
    not_a_pdf = tmp_path / "notes.txt"
    not_a_pdf.write_text("not evidence")

    # 1. Erin, the programme lead, enrols the new consultant in the 2025 intake.
    log_in(page, live_server, "erin")
    open_development(page)
    check(page)
    follow(page, main(page).get_by_role("link", name="Programmes"))
    check(page)
    follow(page, main(page).get_by_role("link", name=ONBOARDING))
    check(page)
    follow(page, main(page).get_by_role("link", name="2025 intake"))
    check(page)
    page.get_by_label("Staff number").fill(consultant.staff_number)
    response = follow(page, main(page).get_by_role("button", name="Enrol"))
    check(page, response)
    assert (
        f"{consultant.full_name} is enrolled on {ONBOARDING}"
        in main(page).get_by_role("status").inner_text()
    )
    assert consultant.full_name in page.locator("main table").inner_text()
    enrolment = Enrolment.objects.get(person=consultant)

    # 2. The consultant sees their milestones and uploads evidence; a text file is refused first.
    mine = new_page()
    log_in(mine, live_server, "newconsultant")
    open_development(mine)
    follow(mine, main(mine).get_by_role("link", name="Your development record"))
    check(mine)
    follow(mine, main(mine).get_by_role("link", name=ONBOARDING))
    check(mine)
    assert "0 of 9 milestones done" in mine.locator("#progress-summary").inner_text()
    evidence_titles = list(
        enrolment.cohort.programme.milestones.filter(
            completion=Milestone.Completion.EVIDENCE
        ).values_list("title", flat=True)
    )
    for number, title in enumerate(evidence_titles):
        follow(mine, main(mine).get_by_role("link", name=title, exact=True))
        assert heading(mine) == title
        if number == 0:
            mine.get_by_label("Evidence file").set_input_files(str(not_a_pdf))
            response = follow(mine, main(mine).get_by_role("button", name="Upload evidence"))
            check(mine, response)
            summary = mine.locator(".nhsuk-error-summary")
            assert "The file must be a PDF, PNG, JPEG or Word (.docx) file" in summary.inner_text()
            assert mine.locator(".nhsuk-error-message").count() == 1
            assert EvidenceFile.objects.filter(milestone_record__enrolment=enrolment).count() == 0
        mine.get_by_label("Evidence file").set_input_files(str(evidence_pdf))
        response = follow(mine, main(mine).get_by_role("button", name="Upload evidence"))
        check(mine, response)
        assert "evidence.pdf uploaded" in main(mine).get_by_role("status").inner_text()
        assert "Completed on" in mine.locator("#milestone-status").inner_text()
        follow(mine, main(mine).get_by_role("link", name="All milestones"))
    done = len(evidence_titles)
    assert f"{done} of 9 milestones done" in mine.locator("#progress-summary").inner_text()
    # The consultant cannot sign off or decide for themselves.
    assert mine.get_by_role("button", name="Sign off this milestone").count() == 0
    assert mine.get_by_role("link", name="Record the review decision").count() == 0
    assert EvidenceFile.objects.filter(milestone_record__enrolment=enrolment).count() == done

    # 3. Erin signs off the other milestones and holds the permanent-appointment review.
    open_enrolment_as_lead(page, consultant)
    check(page)
    for title in enrolment.cohort.programme.milestones.filter(
        completion=Milestone.Completion.SIGN_OFF
    ).values_list("title", flat=True):
        follow(page, main(page).get_by_role("link", name=title, exact=True))
        page.get_by_label("Note (optional)").fill("Seen in practice")
        response = follow(page, main(page).get_by_role("button", name="Sign off this milestone"))
        assert_real_page(page, response)
        assert "signed off by Erin Walker" in page.locator("#milestone-status").inner_text()
        follow(page, main(page).get_by_role("link", name="All milestones"))
    check(page)
    assert "9 of 9 milestones done (100%)" in page.locator("#progress-summary").inner_text()
    follow(page, main(page).get_by_role("link", name="Record the review decision"))
    check(page)
    assert heading(page) == "Permanent-appointment review"
    page.get_by_label("Permanent appointment confirmed").check()
    page.get_by_label("Reasons for the decision").fill(
        "Every milestone met; strong feedback from the team."
    )
    response = follow(page, main(page).get_by_role("button", name="Record the decision"))
    check(page, response)
    decision = page.locator("#appointment-decision").inner_text()
    assert "Permanent appointment confirmed" in decision and "Erin Walker" in decision
    review = AppointmentReview.objects.get(enrolment=enrolment)
    assert review.decision == AppointmentReview.Decision.CONFIRMED
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    stored = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert stored and all(p.read_bytes().startswith(b"%PDF-") for p in stored)

    # 4. The consultant sees the decision on their own page.
    mine.reload()
    assert "Permanent appointment confirmed" in mine.locator("#appointment-decision").inner_text()
    assert_no_browser_errors(mine)
