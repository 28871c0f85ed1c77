"""Coaching and mentoring: suggestions from the pool, never from the mentee's own line and only
with capacity left; agreements; a session log whose notes only the pair read; feedback at the end."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinlead.development import services_people as svc
from clinlead.development.models import MentoringAgreement, MentoringSession, MentorProfile
from clinlead.development.selectors import mentor_suggestions
from clinlead.development.services_people import reporting_chain
from clinlead.org.models import Person, ReportingLine

pytestmark = pytest.mark.django_db


def pool_everyone_senior(world):
    """Put every Northgate leader (anyone with reports) in the pool with room to spare."""
    day = world.today
    leaders = set(ReportingLine.objects.on(day).filter(person__organisation__slug="northgate")
                  .values_list("leader_id", flat=True))
    for pid in leaders:
        MentorProfile.objects.update_or_create(person_id=pid, defaults={"capacity": 10, "active": True,
                                                                        "mentoring": True, "coaching": True})
    return leaders


def test_suggestions_never_come_from_the_mentees_own_line(dev):
    pool_everyone_senior(dev)
    bob = Person.objects.get(pk=dev.personas["bob"])
    chain = reporting_chain(bob, dev.today)
    assert dev.personas["alice"] in chain and len(chain) >= 2
    suggested = {s["person"].pk for s in mentor_suggestions(mentee=bob, day=dev.today, limit=500)}
    assert suggested, "someone outside Bob's line is suggested"
    assert not suggested & set(chain), "a leader in Bob's own line was suggested"
    assert bob.pk not in suggested


def test_a_mentor_in_the_mentees_line_is_refused_even_if_asked_for(dev):
    pool_everyone_senior(dev)
    bob = Person.objects.get(pk=dev.personas["bob"])
    alice = Person.objects.get(pk=dev.personas["alice"])
    with pytest.raises(ValidationError, match="own reporting line"):
        svc.start_agreement(actor=None, mentor=alice, mentee=bob, kind="mentoring", goals="Grow")


def test_suggestions_rank_same_profession_and_shared_interests_first(dev):
    leaders = pool_everyone_senior(dev)
    bob = Person.objects.get(pk=dev.personas["bob"])
    outside = [pid for pid in leaders if pid not in reporting_chain(bob, dev.today)]
    favourite = Person.objects.get(pk=outside[-1])
    favourite.profession = "nurse"
    favourite.save()
    MentorProfile.objects.filter(person=favourite).update(interests="patient safety, rota design")
    [best, *_] = mentor_suggestions(mentee=bob, interests="rota design", day=dev.today)
    assert best["person"] == favourite
    assert any("also a nurse" in r for r in best["reasons"]) and any("rota design" in r for r in best["reasons"])


def test_a_full_mentor_is_not_suggested_or_accepted(dev):
    bob = Person.objects.get(pk=dev.personas["bob"])
    profile = MentorProfile.objects.exclude(person_id__in=reporting_chain(bob, dev.today)).first()
    taken = MentoringAgreement.objects.filter(mentor=profile.person, ended_on__isnull=True).count()
    profile.capacity = max(1, taken)
    profile.save()
    if taken == 0:
        other = Person.objects.filter(organisation=bob.organisation).exclude(pk__in=[bob.pk, profile.person_id]).last()
        svc.start_agreement(actor=None, mentor=profile.person, mentee=other, kind="mentoring", goals="x")
    assert profile.person not in [s["person"] for s in mentor_suggestions(mentee=bob, day=dev.today, limit=500)]
    with pytest.raises(ValidationError, match="no capacity"):
        svc.start_agreement(actor=None, mentor=profile.person, mentee=bob, kind="mentoring", goals="Grow")


def test_private_notes_are_read_by_the_pair_only(dev, login, client):
    agreement = MentoringAgreement.objects.get(mentee_id=dev.personas["bob"])
    note = MentoringSession.objects.filter(agreement=agreement).exclude(private_notes="").first().private_notes
    url = reverse("development:agreement", kwargs={"pk": agreement.pk})
    assert note in login("bob").get(url).content.decode()
    for username in ("tara", "admin"):  # they see the agreement and its sessions, not the notes
        client.logout()
        page = login(username).get(url).content.decode()
        assert note not in page and "private to the mentor and mentee" in page
    client.logout()
    assert login("alice").get(url).status_code == 403
    assert login("tara").post(reverse("development:log_session", kwargs={"pk": agreement.pk}),
                              {"held_on": date.today().isoformat(), "minutes": "30"}).status_code == 403


def test_the_pair_logs_sessions_without_the_notes_reaching_the_audit_trail(dev, login):
    from clinlead.audit.models import AuditEvent

    agreement = MentoringAgreement.objects.get(mentee_id=dev.personas["bob"])
    response = login("bob").post(reverse("development:log_session", kwargs={"pk": agreement.pk}), {
        "held_on": date.today().isoformat(), "minutes": "45", "private_notes": "Worried about the rota."})
    assert response.status_code == 302
    assert MentoringSession.objects.filter(agreement=agreement, private_notes="Worried about the rota.").exists()
    event = AuditEvent.objects.filter(action="development.mentoring_session_logged").latest("id")
    assert "rota" not in str(event.after) and event.after["minutes"] == 45


def test_feedback_comes_at_the_end_from_each_side_once(dev, login):
    agreement = MentoringAgreement.objects.get(mentee_id=dev.personas["bob"])
    bob = login("bob")
    url = reverse("development:agreement_feedback", kwargs={"pk": agreement.pk})
    assert "given when the relationship ends" in bob.post(url, {"usefulness": "4"}).content.decode()
    assert bob.post(reverse("development:end_agreement", kwargs={"pk": agreement.pk})).status_code == 302
    assert bob.post(url, {"usefulness": "4", "comment": "Helpful"}).status_code == 302
    assert "already given feedback" in bob.post(url, {"usefulness": "5"}).content.decode()
    assert agreement.feedback.get().side == "mentee"


def test_the_talent_admin_builds_the_pool_and_arranges_from_suggestions(dev, login):
    tara = login("tara")
    bob = Person.objects.get(pk=dev.personas["bob"])
    outsider = Person.objects.filter(organisation=bob.organisation, grade="Band 8a").exclude(
        pk__in=[*reporting_chain(bob, dev.today), *MentorProfile.objects.values_list("person_id", flat=True)]).first()
    response = tara.post(reverse("development:mentor_add", kwargs={"slug": "northgate"}), {
        "staff_number": outsider.staff_number, "mentoring": "on", "capacity": "2", "interests": "finance"})
    assert response.status_code == 302
    assert MentorProfile.objects.get(person=outsider).capacity == 2
    page = tara.get(reverse("development:mentor_suggestions", kwargs={"pk": bob.pk}) + "?kind=mentoring&interests=finance")
    assert outsider.full_name in page.content.decode()
    response = tara.post(reverse("development:agreement_create", kwargs={"pk": bob.pk}),
                         {"mentor": outsider.pk, "kind": "mentoring", "goals": "Understand the budget"})
    assert response.status_code == 302
    assert MentoringAgreement.objects.filter(mentor=outsider, mentee=bob, ended_on__isnull=True).exists()


def test_the_programme_lead_who_decides_the_mentees_appointment_cannot_be_her_mentor(dev, login):
    from clinlead.development.models import Enrolment

    pool_everyone_senior(dev)
    midway = Enrolment.objects.get(person_id=dev.development["midway"]).person
    erin = Person.objects.get(pk=dev.personas["erin"])
    MentorProfile.objects.update_or_create(person=erin, defaults={"capacity": 10, "active": True, "mentoring": True})
    with pytest.raises(ValidationError, match="leads Three-year onboarding.*cannot also be their mentor or coach"):
        svc.start_agreement(actor=None, mentor=erin, mentee=midway, kind="mentoring", goals="Settle in")
    suggested = {s["person"].pk for s in mentor_suggestions(mentee=midway, day=dev.today, limit=500)}
    assert erin.pk not in suggested
    # Through the page, the talent admin is told why.
    page = login("tara").post(reverse("development:agreement_create", kwargs={"pk": midway.pk}),
                              {"mentor": erin.pk, "kind": "mentoring", "goals": "Settle in"}).content.decode()
    assert "cannot also be their mentor or coach" in page
    assert not MentoringAgreement.objects.filter(mentor=erin, mentee=midway).exists()


def test_a_review_panel_member_cannot_mentor_and_a_mentor_cannot_sit_on_the_panel(dev):
    from clinlead.accounts.models import User
    from clinlead.development import services
    from clinlead.development.models import Enrolment, PanelVote

    confirmed = Person.objects.get(pk=dev.development["confirmed"])
    member = PanelVote.objects.filter(enrolment__person=confirmed).first().member
    MentorProfile.objects.update_or_create(person=member, defaults={"capacity": 10, "active": True, "mentoring": True})
    with pytest.raises(ValidationError, match="sat on .* review panel"):
        svc.start_agreement(actor=None, mentor=member, mentee=confirmed, kind="mentoring", goals="Next step")
    ready = Enrolment.objects.get(person_id=dev.development["ready"])
    mentor = MentoringAgreement.objects.filter(mentee=ready.person).first().mentor
    user = User.objects.filter(person=mentor).first() or User.objects.create(username="ready-mentor", person=mentor)
    with pytest.raises(ValidationError, match="You mentor or coach"):
        services.decide_appointment_review(actor=user, enrolment=ready, decision="confirmed", reasons="Good")


def test_the_mentee_consents_before_sessions_are_logged(dev, login):
    pool_everyone_senior(dev)
    bob = Person.objects.get(pk=dev.personas["bob"])
    MentoringAgreement.objects.filter(mentee=bob).update(ended_on=date.today())
    mentor = next(s["person"] for s in mentor_suggestions(mentee=bob, day=dev.today, limit=50))
    agreement = svc.start_agreement(actor=None, mentor=mentor, mentee=bob, kind="mentoring", goals="Lead a shift")
    assert agreement.mentee_consented_on is None
    from clinlead.accounts.models import User

    mentor_user = User.objects.filter(person=mentor).first() or User.objects.create(username="m-consent", person=mentor)
    with pytest.raises(ValidationError, match="has not yet agreed"):
        svc.log_session(actor=mentor_user, agreement=agreement, held_on=date.today(), minutes=30)
    with pytest.raises(ValidationError, match="Only the mentee"):
        svc.consent_to_agreement(actor=mentor_user, agreement=agreement)
    bob_client = login("bob")
    page = bob_client.get(reverse("development:agreement", kwargs={"pk": agreement.pk})).content.decode()
    assert "It starts only if you agree" in page
    bob_client.post(reverse("development:consent_agreement", kwargs={"pk": agreement.pk}))
    agreement.refresh_from_db()
    assert agreement.mentee_consented_on == date.today()
    svc.log_session(actor=mentor_user, agreement=agreement, held_on=date.today(), minutes=30)


def test_the_feedback_form_says_who_will_read_it(dev, login):
    agreement = MentoringAgreement.objects.get(mentee_id=dev.personas["bob"])
    svc.end_agreement(actor=None, agreement=agreement)
    page = login("bob").get(reverse("development:agreement", kwargs={"pk": agreement.pk})).content.decode()
    assert "Who reads this:" in page and agreement.mentor.full_name in page and "talent admins" in page
