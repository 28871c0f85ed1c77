"""Onboarding rules that hold: the shortcut of a nurse three months in — fake evidence on five
milestones, both annual reviews signed off and the permanent appointment confirmed the same
day — is refused at every step; evidence counts only once reviewed; a panel decides, and its
decision is recorded against the person's appointment; the chief executive cannot be enrolled;
pauses, own due dates and withdrawal; overdue milestones in the cohort and team views."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinlead.accounts.models import User
from clinlead.audit.models import AuditEvent
from clinlead.dates import add_months
from clinlead.development import services
from clinlead.development.models import Enrolment, Milestone, Programme
from clinlead.development.selectors import enrolment_progress, review_opens_on
from clinlead.org.models import Appointment, Person, Position
from tests.development.test_programmes import panel

pytestmark = pytest.mark.django_db

FAKE_PDF = b"%PDF-1.4\n%fake evidence\n"  # 24 bytes that pass the signature check


def onboarding():
    return Programme.objects.get(organisation__slug="northgate", name=services.ONBOARDING_NAME)


def three_months_in(dev):
    """A nurse enrolled three months ago, in the 2025 intake."""
    cohort = onboarding().cohorts.get(name="2025 intake")
    nurse = Person.objects.filter(organisation__slug="northgate", active=True, enrolments__isnull=True,
                                  profession="nurse", appointments__isnull=True).exclude(
        pk__in=dev.personas.values()).first()
    return services.enrol(actor=None, cohort=cohort, person=nurse, enrolled_on=cohort.starts_on)


def test_fake_evidence_on_five_milestones_counts_for_nothing_until_accepted(dev):
    enrolment = three_months_in(dev)
    evidence = enrolment.records.filter(milestone__completion=Milestone.Completion.EVIDENCE)
    assert evidence.count() == 5
    for record in evidence:
        services.upload_evidence(actor=None, record=record, upload=SimpleUploadedFile("proof.pdf", FAKE_PDF))
    progress = enrolment_progress(enrolment)
    assert progress.done == 0 and progress.awaiting_review == 5
    erin = User.objects.get(username="erin")
    first, second = evidence[0], evidence[1]
    with pytest.raises(ValidationError, match="Say why"):
        services.review_evidence(actor=erin, record=first, accept=False)
    services.review_evidence(actor=erin, record=first, accept=False, reason="This file is empty: upload the report")
    first.refresh_from_db()
    assert not first.done and first.evidence_return_reason.startswith("This file is empty")
    services.review_evidence(actor=erin, record=second, accept=True)
    assert enrolment_progress(enrolment).done == 1
    nurse_user = User.objects.create(username="nurse-onboarding", person=enrolment.person)
    with pytest.raises(ValidationError, match="own evidence"):
        services.review_evidence(actor=nurse_user, record=evidence[2], accept=True)


def test_annual_reviews_cannot_be_signed_off_before_their_period_is_over(dev):
    enrolment = three_months_in(dev)
    erin = User.objects.get(username="erin")
    for record in enrolment.records.filter(milestone__kind=Milestone.Kind.REVIEW):
        with pytest.raises(ValidationError, match="cannot be signed off before"):
            services.sign_off_milestone(actor=erin, record=record)
    mentor = enrolment.records.get(milestone__kind=Milestone.Kind.MENTOR)
    services.sign_off_milestone(actor=erin, record=mentor)  # not a review: may be signed off at once


def test_three_months_in_the_review_is_refused_even_with_every_milestone_done(dev):
    enrolment = three_months_in(dev)
    enrolment.records.update(done=True, completed_on=date.today())  # as if every shortcut had worked
    members = panel(dev)
    with pytest.raises(ValidationError, match="opens after 36 months"):
        services.decide_appointment_review(actor=members[0], enrolment=enrolment, decision="confirmed",
                                           reasons="Everything uploaded")
    assert not enrolment.panel_votes.exists()
    assert review_opens_on(enrolment) == add_months(enrolment.enrolled_on, 36)
    assert not enrolment_progress(enrolment).ready_for_review


def test_the_minimum_time_is_set_per_programme(dev):
    enrolment = three_months_in(dev)
    enrolment.records.update(done=True, completed_on=date.today())
    Programme.objects.filter(pk=onboarding().pk).update(min_months_before_review=3)
    assert services.review_blockers(Enrolment.objects.get(pk=enrolment.pk)) == []


def test_the_panels_decision_is_recorded_against_the_persons_appointment(dev):
    ready = Enrolment.objects.get(person_id=dev.development["ready"])
    position = Position.objects.filter(organisation=ready.person.organisation, level__rank=1).first()
    appointment = Appointment.objects.create(position=position, person=ready.person,
                                             start=date.today() - timedelta(days=400),
                                             end=date.today() + timedelta(days=800))
    for member in panel(dev):
        review = services.decide_appointment_review(actor=member, enrolment=ready, decision="confirmed",
                                                    reasons="Met every standard")
    assert review.appointment == appointment and review.appointment.position == position
    event = AuditEvent.objects.get(action="development.appointment_review_decided", object_type="org.Appointment",
                                   object_id=str(appointment.pk))
    assert event.after["decision"] == "confirmed" and event.after["decided_by"].startswith("Panel: ")


def test_the_chief_executive_cannot_be_enrolled_on_the_onboarding(dev):
    top = Appointment.objects.filter(position__organisation__slug="northgate", ended_on__isnull=True,
                                     start__lte=date.today(), end__gte=date.today()).order_by(
        "-position__level__rank").select_related("person").first()
    cohort = onboarding().cohorts.get(name="2025 intake")
    with pytest.raises(ValidationError, match="top positions"):
        services.enrol(actor=None, cohort=cohort, person=top.person)
    confirmed = Person.objects.get(pk=dev.development["confirmed"])
    with pytest.raises(ValidationError, match="already confirmed"):
        services.enrol(actor=None, cohort=cohort, person=confirmed)


def test_a_pause_moves_due_dates_and_the_review_on_and_withdrawal_ends_it(dev):
    enrolment = three_months_in(dev)
    erin = User.objects.get(username="erin")
    opens = review_opens_on(enrolment)
    services.pause_enrolment(actor=erin, enrolment=enrolment, reason="Parental leave",
                             today=date.today() - timedelta(days=60))
    services.resume_enrolment(actor=erin, enrolment=Enrolment.objects.get(pk=enrolment.pk))
    enrolment.refresh_from_db()
    assert enrolment.paused_days == 60 and review_opens_on(enrolment) == opens + timedelta(days=60)
    record = enrolment.records.get(milestone__title="Emotional intelligence assessment")
    progress = enrolment_progress(enrolment)
    due = next(r.due_on for r in progress.records if r.pk == record.pk)
    assert due == add_months(enrolment.enrolled_on, 3) + timedelta(days=60)
    services.set_due_date(actor=erin, record=record, due_on=date.today() + timedelta(days=200), reason="Part-time")
    assert next(r.due_on for r in enrolment_progress(enrolment).records
                if r.pk == record.pk) == date.today() + timedelta(days=200)
    services.withdraw_enrolment(actor=erin, enrolment=enrolment, reason="Left the trust")
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"
    with pytest.raises(ValidationError, match="withdrawn"):
        services.decide_appointment_review(actor=panel(dev)[0], enrolment=enrolment, decision="confirmed",
                                           reasons="x")


def test_overdue_milestones_show_in_the_cohort_and_team_views(dev, login):
    midway = Enrolment.objects.get(person_id=dev.development["midway"])
    assert enrolment_progress(midway).overdue >= 1
    page = login("erin").get(reverse("development:cohort", kwargs={"pk": midway.cohort_id})).content.decode()
    assert "overdue" in page
    bob = Enrolment.objects.get(person_id=dev.personas["bob"])
    overdue = enrolment_progress(bob).overdue
    team = login("alice").get(reverse("development:team")).content.decode()
    assert (f"{overdue} overdue" in team) == bool(overdue)


def test_overdue_milestones_are_sent_as_reminders_to_the_person_and_the_programme_lead(
        dev, mailoutbox, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    midway = Enrolment.objects.get(person_id=dev.development["midway"])
    Person.objects.filter(pk=midway.person_id).update(work_email="midway@northgate.example")
    Person.objects.filter(pk=dev.personas["erin"]).update(work_email="erin@northgate.example")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("milestone_reminders", organisation="northgate")
    to_person = [m for m in mailoutbox if m.to == ["midway@northgate.example"]]
    assert len(to_person) == 1 and "Basics of employment law" in to_person[0].body
    to_lead = [m for m in mailoutbox if m.to == ["erin@northgate.example"]]
    assert len(to_lead) == 1 and midway.person.full_name in to_lead[0].body
    assert AuditEvent.objects.filter(action="development.milestone_reminders_sent").exists()
