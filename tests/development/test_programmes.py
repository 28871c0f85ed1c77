"""Programmes: the three-year onboarding as the default template, cohorts mixing professions,
enrolment, milestones completed by evidence or a named person's sign-off, progress for the
person, their leader and the programme lead, and the permanent-appointment review."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinlead.accounts.models import User
from clinlead.audit.models import AuditEvent
from clinlead.development import services
from clinlead.development.demo import demo_pdf
from clinlead.development.models import (
    AppointmentReview,
    Enrolment,
    Milestone,
    MilestoneRecord,
    Programme,
)
from clinlead.development.selectors import enrolment_progress
from clinlead.org.models import Organisation, Person

pytestmark = pytest.mark.django_db


def onboarding():
    return Programme.objects.get(organisation__slug="northgate", name=services.ONBOARDING_NAME)


def test_the_default_onboarding_has_the_three_year_milestones(dev, login):
    response = login("tara").post(reverse("development:programme_create", kwargs={"slug": "northgate"}), {
        "name": "Onboarding for new consultants, 2027", "length_months": "36", "use_onboarding_template": "on",
        "ends_with_appointment_review": "on", "min_months_before_review": "36", "panel_size": "3"})
    assert response.status_code == 302
    programme = Programme.objects.get(name="Onboarding for new consultants, 2027")
    kinds = set(programme.milestones.values_list("kind", flat=True))
    assert {"emotional_intelligence", "simulation", "quality_improvement", "finance", "law", "human_resources",
            "mentor", "review"} <= kinds
    assert [m.title for m in programme.milestones.filter(kind="review")] == ["Year 1 review", "Year 2 review"]
    assert programme.ends_with_appointment_review
    assert (programme.min_months_before_review, programme.panel_size) == (36, 3)
    assert AuditEvent.objects.filter(action="development.programme_created", object_id=str(programme.pk)).exists()


def test_demo_cohorts_mix_professions_at_different_stages(dev):
    programme = onboarding()
    professions = set(Enrolment.objects.filter(cohort__programme=programme).values_list("person__profession", flat=True))
    assert "doctor" in professions and len(professions) >= 3
    stages = {enrolment_progress(e).percent for e in Enrolment.objects.filter(cohort__programme=programme)}
    assert 0 in stages and 100 in stages and stages - {0, 100}
    ready = Enrolment.objects.get(person_id=dev.development["ready"])
    assert enrolment_progress(ready).ready_for_review
    assert ready.person.grade == "Consultant"


def test_a_person_enrols_uploads_evidence_and_a_lead_signs_off(dev, login):
    erin = login("erin")
    cohort = onboarding().cohorts.get(name="2025 intake")
    newcomer = Person.objects.filter(organisation__slug="northgate", active=True, enrolments__isnull=True).exclude(
        pk__in=dev.personas.values()).first()
    response = erin.post(reverse("development:enrol", kwargs={"pk": cohort.pk}), {"staff_number": newcomer.staff_number})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person=newcomer)
    assert enrolment.records.count() == onboarding().milestones.count()
    # Enrolling twice is refused with the reason.
    page = erin.post(reverse("development:enrol", kwargs={"pk": cohort.pk}),
                     {"staff_number": newcomer.staff_number}).content.decode()
    assert "already enrolled" in page
    record = enrolment.records.get(milestone__kind="emotional_intelligence")
    sign_off = enrolment.records.get(milestone__kind="simulation")
    user = User.objects.create(username="newcomer", person=newcomer)
    erin.force_login(user)
    response = erin.post(reverse("development:upload_evidence", kwargs={"pk": record.pk}),
                         {"file": _pdf("ei-report.pdf")})
    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.done and record.evidence_state == "submitted", "uploading alone completes nothing"
    # The person cannot sign off their own milestone, nor review their own evidence.
    assert erin.post(reverse("development:sign_off", kwargs={"pk": sign_off.pk})).status_code == 403
    assert erin.post(reverse("development:review_evidence", kwargs={"pk": record.pk}),
                     {"decision": "accept"}).status_code == 403
    erin = login("erin")
    assert erin.post(reverse("development:review_evidence", kwargs={"pk": record.pk}),
                     {"decision": "accept"}).status_code == 302
    assert erin.post(reverse("development:sign_off", kwargs={"pk": sign_off.pk}), {"note": "Observed"}).status_code == 302
    sign_off.refresh_from_db()
    assert sign_off.done and sign_off.signed_off_by_name == "Erin Walker" and sign_off.note == "Observed"
    assert enrolment_progress(enrolment).done == 2


def _pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, demo_pdf(name))


def test_the_immediate_leader_can_sign_off_and_sees_progress(dev, login):
    bob = dev.personas["bob"]
    record = MilestoneRecord.objects.get(enrolment__person_id=bob, milestone__kind="mentor")
    alice = login("alice")
    assert alice.post(reverse("development:sign_off", kwargs={"pk": record.pk})).status_code == 302
    record.refresh_from_db()
    assert record.done and record.signed_off_by_name == "Alice Morgan"
    team = alice.get(reverse("development:team")).content.decode()
    assert "Bob Okafor" in team and "1 of 9 milestones" in team


def panel(dev):
    """Three review panel members: Erin and the medical director (programme leads) and Tara
    (talent admin)."""
    md = onboarding().leads.exclude(person_id=dev.personas["erin"]).get().person
    md_user = User.objects.filter(person=md).first() or User.objects.create(username="medical-director", person=md)
    return [User.objects.get(username="erin"), User.objects.get(username="tara"), md_user]


def test_the_review_needs_every_milestone_and_is_decided_by_a_panel(dev, login):
    erin_user, tara_user, md_user = panel(dev)
    enrolment = Enrolment.objects.get(person_id=dev.personas["bob"])
    with pytest.raises(ValidationError, match="not complete yet"):
        services.decide_appointment_review(actor=erin_user, enrolment=enrolment, decision="confirmed", reasons="Good")
    ready = Enrolment.objects.get(person_id=dev.development["ready"])
    url = reverse("development:appointment_review", kwargs={"pk": ready.pk})
    assert login("alice").get(url).status_code == 403  # the line manager is not on the panel
    erin = login("erin")
    page = erin.post(url, {"decision": "confirmed"}).content.decode()
    assert "This field is required" in page
    assert erin.post(url, {"decision": "confirmed", "reasons": "All milestones met."}).status_code == 302
    assert not AppointmentReview.objects.filter(enrolment=ready).exists(), "one member does not decide alone"
    with pytest.raises(ValidationError, match="already given your decision"):
        services.decide_appointment_review(actor=erin_user, enrolment=ready, decision="confirmed", reasons="Again")
    assert services.decide_appointment_review(actor=tara_user, enrolment=ready, decision="not_confirmed",
                                              reasons="The QI project is not finished") is None
    review = services.decide_appointment_review(actor=md_user, enrolment=ready, decision="confirmed",
                                                reasons="Safe and effective")
    assert review.decision == "confirmed", "the majority decides"
    assert review.decided_by_name.startswith("Panel: ") and "Erin Walker" in review.decided_by_name
    assert "The QI project is not finished" in review.reasons and "Safe and effective" in review.reasons
    ready.refresh_from_db()
    assert ready.status == Enrolment.Status.COMPLETED
    event = AuditEvent.objects.get(action="development.appointment_review_decided", object_type="development.Enrolment",
                                   object_id=str(ready.pk))
    assert event.after["decision"] == "confirmed"
    with pytest.raises(ValidationError, match="already been recorded|enrolment is completed"):
        services.decide_appointment_review(actor=erin_user, enrolment=ready, decision="not_confirmed", reasons="x")


def test_an_extension_can_be_followed_by_a_final_decision(dev):
    members = panel(dev)
    ready = Enrolment.objects.get(person_id=dev.development["ready"])
    for member in members:
        review = services.decide_appointment_review(actor=member, enrolment=ready, decision="extended",
                                                    reasons="Six more months")
    assert review.decision == "extended"
    ready.refresh_from_db()
    assert ready.status == Enrolment.Status.ACTIVE
    for member in members:
        review = services.decide_appointment_review(actor=member, enrolment=ready, decision="confirmed", reasons="Done")
    assert AppointmentReview.objects.get(enrolment=ready).decision == "confirmed"
    assert ready.panel_votes.filter(round=2).count() == 3


def test_a_new_milestone_reaches_current_enrolments_only_when_the_lead_says_so(dev, login):
    programme = onboarding()
    current = Enrolment.objects.filter(cohort__programme=programme, status__in=["active", "paused"]).count()
    finished = Enrolment.objects.get(person_id=dev.development["confirmed"])
    before = enrolment_progress(finished)
    erin = login("erin")
    response = erin.post(reverse("development:milestone_add", kwargs={"pk": programme.pk}), {
        "title": "Board shadowing", "kind": "other", "completion": "sign_off", "due_month": "30"})
    assert response.status_code == 302
    milestone = Milestone.objects.get(programme=programme, title="Board shadowing")
    assert not MilestoneRecord.objects.filter(milestone=milestone).exists(), "only new enrolments get it"
    erin.post(reverse("development:milestone_add", kwargs={"pk": programme.pk}), {
        "title": "Finance deep dive", "kind": "finance", "completion": "sign_off", "due_month": "30",
        "apply_to_current": "on"})
    milestone = Milestone.objects.get(programme=programme, title="Finance deep dive")
    assert MilestoneRecord.objects.filter(milestone=milestone).count() == current
    after = enrolment_progress(finished)
    assert (after.done, after.total, after.overdue) == (before.done, before.total, 0), "a finished enrolment is left alone"


def test_only_people_of_the_organisation_can_lead_or_enrol(dev):
    programme = onboarding()
    charlie = Person.objects.get(pk=dev.personas["charlie"])
    with pytest.raises(ValidationError):
        services.add_programme_lead(actor=None, programme=programme, person=charlie)
    with pytest.raises(ValidationError):
        services.enrol(actor=None, cohort=programme.cohorts.first(), person=charlie)


def test_the_programme_lead_sees_the_cohort_and_others_do_not(dev, login, client):
    cohort = onboarding().cohorts.get(name="2024 intake")
    url = reverse("development:cohort", kwargs={"pk": cohort.pk})
    page = login("erin").get(url).content.decode()
    assert "Doctor" in page and "Professions in this cohort" in page
    for username in ("alice", "bob", "charlie"):
        client.logout()
        assert login(username).get(url).status_code == 403


def test_the_person_page_shows_progress_to_the_person_and_their_leader(dev, login):
    url = reverse("development:person", kwargs={"pk": dev.personas["bob"]})
    for username in ("bob", "alice"):
        page = login(username).get(url).content.decode()
        assert services.ONBOARDING_NAME in page and "0 of 9" in page
    # The leader sees progress, not the 360 report.
    assert "Assessments and 360 feedback" not in login("alice").get(url).content.decode()
    assert Organisation.objects.get(slug="northgate")
