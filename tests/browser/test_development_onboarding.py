"""The three-year onboarding in the browser: Erin, a programme lead, enrols a consultant who
started three years ago, from their start; the consultant uploads evidence for their milestones (a
refused file first, then a small PDF each time), which counts only once Erin accepts it — one is
returned with a reason, which the consultant reads and answers with a new file; Erin signs off the
rest, and the permanent-appointment review is decided by a panel of three (Erin, the other
programme lead and the talent admin), each giving a decision and reasons."""

import hashlib
from datetime import date

import pytest

from clinlead.accounts.models import User
from clinlead.audit.models import AuditEvent
from clinlead.development.demo import demo_pdf
from clinlead.development.models import (
    AppointmentReview,
    Cohort,
    Enrolment,
    EvidenceFile,
    Milestone,
    MilestoneRecord,
    PanelVote,
    ProgrammeLead,
)
from clinlead.org.demo_data import DEMO_PASSWORD
from clinlead.org.models import Appointment, Person, Position, PositionLevel
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    heading,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ONBOARDING = "Three-year onboarding"
# The demo's intake that started 37 months ago: past the 36 months before the review opens.
INTAKE = "2023 intake"
RETURN_REASON = "The certificate does not show the date of the course; upload the dated one."


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
    follow(page, main(page).get_by_role("link", name=INTAKE))
    follow(page, main(page).get_by_role("link", name=consultant.full_name))
    assert heading(page) == consultant.full_name


def user_for(person, username):
    user = User(username=username, person=person)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def review_evidence(page, title, *, accept, reason=""):
    """The programme lead opens the milestone from the enrolment page and records the review."""
    follow(page, main(page).get_by_role("link", name=title, exact=True))
    assert "Evidence waiting for review" in page.locator("#milestone-status").inner_text()
    if accept:
        page.get_by_label("Accept: the milestone is complete").check()
    else:
        page.get_by_label("Return it to the person, with the reason").check()
        page.get_by_label("Reason (needed to return it)").fill(reason)
    response = follow(page, main(page).get_by_role("button", name="Record the review"))
    check(page, response)
    status = page.locator("#milestone-status").inner_text()
    if accept:
        assert "Completed on" in status and "evidence accepted by Erin Walker" in status
    else:
        assert f"Evidence returned by Erin Walker: {reason}" in status
    assert page.get_by_role("button", name="Record the review").count() == 0
    follow(page, main(page).get_by_role("link", name="All milestones"))


def give_panel_decision(page, consultant, reasons):
    """A panel member opens the enrolment and gives their decision and reasons."""
    open_enrolment_as_lead(page, consultant)
    check(page)
    follow(page, main(page).get_by_role("link", name="Give your decision as a panel member"))
    check(page)
    assert heading(page) == "Permanent-appointment review"
    page.get_by_label("Permanent appointment confirmed").check()
    page.get_by_label("Your reasons").fill(reasons)
    response = follow(page, main(page).get_by_role("button", name="Record my decision"))
    check(page, response)
    return main(page).get_by_role("status").inner_text()


def test_new_consultant_goes_through_the_onboarding_to_the_appointment_decision(
    demo, live_server, page, new_page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    consultant = Person.objects.get(pk=demo.development["new_consultant"])
    assert consultant.grade == "Consultant" and not consultant.enrolments.exists()
    # The test's data: the consultant started when the 2023 intake did, 37 months ago, and was
    # never enrolled; Erin enrols them from that date, so the 36 months have passed by the review.
    intake = Cohort.objects.get(programme__name=ONBOARDING, name=INTAKE)
    consultant.start_date = intake.starts_on
    consultant.save(update_fields=["start_date"])
    # ...and has held one post since then (a lowest-level one: the top two cannot be enrolled),
    # against which the panel's decision is recorded.
    level = PositionLevel.objects.filter(organisation=consultant.organisation).order_by("rank")[0]
    unit = consultant.memberships.on(date.today()).get().unit
    post = Position.objects.create(
        organisation=consultant.organisation, unit=unit, level=level, title=f"Clinical lead, {unit}"
    )
    appointment = Appointment.objects.create(
        position=post,
        person=consultant,
        start=intake.starts_on,
        end=intake.starts_on.replace(year=intake.starts_on.year + 4),
    )
    user_for(consultant, "newconsultant")
    erin = User.objects.get(username="erin").person
    # The panel: Erin, the other programme lead (the medical director) and Tara, the talent admin.
    other_lead = ProgrammeLead.objects.exclude(person=erin).get(programme=intake.programme).person
    user_for(other_lead, "otherlead")
    tara = User.objects.get(username="tara").person
    evidence_pdf = tmp_path / "evidence.pdf"
    evidence_pdf.write_bytes(demo_pdf(f"Certificate for {consultant.full_name}"))
    dated_pdf = tmp_path / "dated-certificate.pdf"
    dated_pdf.write_bytes(demo_pdf(f"Dated certificate for {consultant.full_name}"))
    not_a_pdf = tmp_path / "notes.txt"
    not_a_pdf.write_text("not evidence")

    # 1. Erin, a programme lead, enrols the consultant in the 2023 intake, from its start.
    log_in_as(page, live_server, "erin")
    open_development(page)
    check(page)
    follow(page, main(page).get_by_role("link", name="Programmes"))
    check(page)
    follow(page, main(page).get_by_role("link", name=ONBOARDING))
    check(page)
    follow(page, main(page).get_by_role("link", name=INTAKE))
    check(page)
    page.get_by_label("Staff number").fill(consultant.staff_number)
    page.get_by_label("Enrolled from (optional)").fill(intake.starts_on.isoformat())
    response = follow(page, main(page).get_by_role("button", name="Enrol"))
    check(page, response)
    assert (
        f"{consultant.full_name} is enrolled on {ONBOARDING}"
        in main(page).get_by_role("status").inner_text()
    )
    assert consultant.full_name in page.locator("main table").inner_text()
    enrolment = Enrolment.objects.get(person=consultant)
    assert enrolment.enrolled_on == intake.starts_on

    # 2. The consultant sees their milestones and uploads evidence; a text file is refused first.
    #    An upload puts the milestone up for review: it is not complete yet.
    mine = new_page()
    log_in_as(mine, live_server, "newconsultant")
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
        status = mine.locator("#milestone-status").inner_text()
        assert status == "Evidence waiting for review: not complete until accepted"
        # The consultant cannot review their own evidence.
        assert mine.get_by_role("button", name="Record the review").count() == 0
        follow(mine, main(mine).get_by_role("link", name="All milestones"))
    assert "0 of 9 milestones done" in mine.locator("#progress-summary").inner_text()
    # The consultant cannot sign off or decide for themselves.
    assert mine.get_by_role("button", name="Sign off this milestone").count() == 0
    assert mine.get_by_role("link", name="Give your decision as a panel member").count() == 0
    assert EvidenceFile.objects.filter(milestone_record__enrolment=enrolment).count() == len(
        evidence_titles
    )

    # 3. Erin reviews the evidence: the first is returned with a reason, the rest accepted.
    open_enrolment_as_lead(page, consultant)
    check(page)
    returned, *accepted = evidence_titles
    review_evidence(page, returned, accept=False, reason=RETURN_REASON)
    for title in accepted:
        review_evidence(page, title, accept=True)
    check(page)
    done = len(accepted)
    assert f"{done} of 9 milestones done" in page.locator("#progress-summary").inner_text()

    # 4. The consultant reads the reason and uploads the dated certificate; Erin accepts it.
    mine.reload()
    assert f"{done} of 9 milestones done" in mine.locator("#progress-summary").inner_text()
    follow(mine, main(mine).get_by_role("link", name=returned, exact=True))
    check(mine)
    assert (
        mine.locator("#milestone-status").inner_text()
        == f"Evidence returned by Erin Walker: {RETURN_REASON}"
    )
    mine.get_by_label("Evidence file").set_input_files(str(dated_pdf))
    response = follow(mine, main(mine).get_by_role("button", name="Upload evidence"))
    check(mine, response)
    assert "dated-certificate.pdf uploaded" in main(mine).get_by_role("status").inner_text()
    assert "Evidence waiting for review" in mine.locator("#milestone-status").inner_text()
    open_enrolment_as_lead(page, consultant)
    review_evidence(page, returned, accept=True)
    done = len(evidence_titles)
    assert f"{done} of 9 milestones done" in page.locator("#progress-summary").inner_text()

    # 5. Erin signs off the rest (the Year 1 and Year 2 reviews are past their due dates).
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
    assert not MilestoneRecord.objects.filter(enrolment=enrolment, done=False).exists()

    # 6. The panel decides: Erin first; one member's decision records only their vote.
    status = give_panel_decision(
        page, consultant, "Every milestone met; strong feedback from the team."
    )
    assert "the panel's decision follows when every member has given theirs" in status
    assert page.locator("#appointment-decision").count() == 0
    assert not AppointmentReview.objects.filter(enrolment=enrolment).exists()
    # Erin is not offered the decision again: she has given hers.
    assert main(page).get_by_role("link", name="Give your decision as a panel member").count() == 0
    assert "You have given your decision" in page.locator("#your-panel-decision").inner_text()
    assert PanelVote.objects.filter(enrolment=enrolment).count() == 1

    other = new_page()
    log_in_as(other, live_server, "otherlead")
    give_panel_decision(other, consultant, "Safe, thoughtful practice; the QI project was adopted.")
    assert not AppointmentReview.objects.filter(enrolment=enrolment).exists()

    admin = new_page()
    log_in_as(admin, live_server, "tara")
    status = give_panel_decision(admin, consultant, "Led the department's rota review well.")
    assert "The panel's decision is recorded: Permanent appointment confirmed" in status
    decision = admin.locator("#appointment-decision").inner_text()
    assert "Permanent appointment confirmed" in decision
    for member in (erin, other_lead, tara):
        assert member.full_name in decision
    assert "Led the department's rota review well." in decision
    review = AppointmentReview.objects.get(enrolment=enrolment)
    assert review.decision == AppointmentReview.Decision.CONFIRMED
    votes = PanelVote.objects.filter(enrolment=enrolment)
    assert sorted(v.member_id for v in votes) == sorted([erin.pk, other_lead.pk, tara.pk])
    # The decision is recorded against the consultant's appointment, and in its audit trail.
    assert review.appointment == appointment
    on_the_post = AuditEvent.objects.get(
        action="development.appointment_review_decided",
        object_type="org.Appointment",
        object_id=str(appointment.pk),
    )
    assert on_the_post.after["decision"] == AppointmentReview.Decision.CONFIRMED
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    # Six uploads of two files: stored once per content, named by its SHA-256.
    assert EvidenceFile.objects.filter(milestone_record__enrolment=enrolment).count() == (
        len(evidence_titles) + 1
    )
    stored = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert sorted(p.stem for p in stored) == sorted(
        hashlib.sha256(f.read_bytes()).hexdigest() for f in (evidence_pdf, dated_pdf)
    )
    assert all(p.read_bytes().startswith(b"%PDF-") for p in stored)

    # 7. The consultant sees the decision on their own page; Erin's page shows it too.
    follow(mine, main(mine).get_by_role("link", name="All milestones"))
    check(mine)
    decision = mine.locator("#appointment-decision").inner_text()
    assert "Permanent appointment confirmed" in decision and erin.full_name in decision
    assert_no_browser_errors(mine)
    open_enrolment_as_lead(page, consultant)
    check(page)
    assert "Permanent appointment confirmed" in page.locator("#appointment-decision").inner_text()
    assert page.get_by_role("link", name="Give your decision as a panel member").count() == 0
