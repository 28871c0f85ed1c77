"""360 feedback: anonymous within each rater group, shown only from the threshold fixed when the
assessment opened (through the one suppression rule, including against subtraction), the line
manager's shown as the manager's and never pooled, and no response linkable to its rater."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from clinlead.accounts.models import User
from clinlead.audit.models import AuditEvent, DailyCount
from clinlead.development import services_assessment as svc
from clinlead.development.frameworks import healthcare_leadership_model
from clinlead.development.models import FeedbackInvitation, FeedbackResponse, RaterGroup
from clinlead.development.selectors_assessment import assessment_report
from clinlead.org.models import Organisation, Person, ReportingLine

pytestmark = pytest.mark.django_db


def as_rater(person_id):
    return SimpleNamespace(person_id=person_id, pk=None)


def line_of(person, day):
    leader = ReportingLine.objects.on(day).filter(person=person).values_list("leader_id", flat=True).first()
    reports = list(ReportingLine.objects.on(day).filter(leader=person).values_list("person_id", flat=True))
    return leader, reports


def subject_with_team(world, min_reports=0):
    """A Northgate person with a line manager (and at least min_reports direct reports)."""
    day = world.today
    for line in ReportingLine.objects.on(day).filter(person__organisation__slug="northgate").select_related("person"):
        leader, reports = line_of(line.person, day)
        if leader and len(reports) >= min_reports and line.person.active:
            return line.person
    raise AssertionError("no such person in the demo")


CUSTODIAN = "custodian passphrase"


def close(assessment, keys):
    svc.close_assessment(actor=None, assessment=assessment, key_files=keys.key_files if keys else (),
                         passphrases=[CUSTODIAN] if keys else ())


def run_360(world, subject, *, peers, reports=0, manager_score=None, peer_score=3, report_score=2, close=True):
    day = world.today
    framework = healthcare_leadership_model()
    assessment = svc.start_assessment(actor=None, person=subject, framework=framework)
    svc.submit_self_assessment(actor=None, assessment=assessment,
                               scores={d.pk: 2 for d in framework.dimensions.all()})
    leader, report_ids = line_of(subject, day)
    outside = [p for p in Person.objects.filter(organisation=subject.organisation, active=True)
               .exclude(pk__in=[subject.pk, leader, *report_ids]).values_list("pk", flat=True)]
    raters = [(Person.objects.get(pk=pid), RaterGroup.PEER) for pid in outside[:peers]]
    raters += [(Person.objects.get(pk=pid), RaterGroup.DIRECT_REPORT) for pid in report_ids[:reports]]
    if manager_score is not None:
        raters.append((Person.objects.get(pk=leader), RaterGroup.MANAGER))
    invitations = svc.invite_raters(actor=None, assessment=assessment, raters=raters) if raters else []
    assessment.keys = svc.approve_raters(actor=None, assessment=assessment, passphrases=[CUSTODIAN]) if raters else None
    score = {RaterGroup.PEER: peer_score, RaterGroup.DIRECT_REPORT: report_score, RaterGroup.MANAGER: manager_score}
    for invitation in invitations:
        svc.submit_feedback(actor=as_rater(invitation.rater_id), invitation_id=invitation.pk,
                            scores={d.pk: score[invitation.rater_group] for d in framework.dimensions.all()})
    if close:
        globals()["close"](assessment, assessment.keys)
        assessment.refresh_from_db()
    return assessment


def group(report, key):
    return next(g for g in report["groups"] if g["key"] == key)


def test_four_peers_show_no_peer_figures(dev):
    northgate = Organisation.objects.get(slug="northgate")
    assert northgate.min_responses == 5
    report = assessment_report(assessment=run_360(dev, subject_with_team(dev), peers=4, manager_score=1))
    assert not group(report, "peer")["published"]
    assert not group(report, "all_raters")["published"]
    assert all(row["peer"] is None and row["all_raters"] is None for row in report["rows"])
    assert group(report, "peer")["responses"] is None  # not even the count is shown


def test_five_peers_show_peer_figures(dev):
    report = assessment_report(assessment=run_360(dev, subject_with_team(dev), peers=5, manager_score=1))
    assert group(report, "peer")["published"] and group(report, "peer")["responses"] == 5
    assert all(row["peer"] == "3.0" and row["peer_mean"] == 3.0 for row in report["rows"])


def test_the_managers_rating_is_shown_as_theirs_and_never_pooled(dev):
    # The manager gives 1 everywhere, the five peers 3: had the manager been pooled, the mean would move.
    report = assessment_report(assessment=run_360(dev, subject_with_team(dev), peers=5, manager_score=1))
    assert report["has_manager"]
    for row in report["rows"]:
        assert row["manager"] == 1
        assert row["peer_mean"] == 3.0
        assert row["all_raters_mean"] == 3.0, "the manager's rating was mixed into the raters' figures"
        assert row["self"] == 2


def test_figures_wait_until_the_assessment_is_closed(dev):
    assessment = run_360(dev, subject_with_team(dev), peers=6, close=False)
    report = assessment_report(assessment=assessment)
    assert report["groups"] == [] and all(row["peer"] is None for row in report["rows"])


def test_a_small_group_is_not_revealed_by_subtracting_it_from_all_raters(dev):
    # Five peers and two direct reports: "all raters" (7) minus peers (5) would reveal the two
    # reports' ratings, so the rule suppresses the peers and publishes only the whole.
    subject = subject_with_team(dev, min_reports=2)
    report = assessment_report(assessment=run_360(dev, subject, peers=5, reports=2, peer_score=3, report_score=2))
    assert group(report, "all_raters")["published"]
    assert not group(report, "peer")["published"]
    assert not group(report, "direct_report")["published"]


def test_the_report_page_says_suppressed_and_never_shows_a_small_count(dev, login):
    subject = subject_with_team(dev)
    assessment = run_360(dev, subject, peers=4, manager_score=2)
    user = User.objects.create(username="subject", person=subject)
    client = login("tara")
    page = client.get(reverse("development:assessment", kwargs={"pk": assessment.pk})).content.decode()
    assert "suppressed" in page and "(4)" not in page
    client.force_login(user)
    assert client.get(reverse("development:assessment", kwargs={"pk": assessment.pk})).status_code == 200


def test_a_response_cannot_be_linked_to_its_rater(dev):
    fields = {f.name: f for f in FeedbackResponse._meta.get_fields()}
    assert set(fields) == {"id", "assessment", "rater_group", "scores"}
    assert isinstance(fields["id"], models.UUIDField)
    assert not any(isinstance(f, models.DateField | models.DateTimeField) for f in fields.values())
    assessment = run_360(dev, subject_with_team(dev), peers=5, close=False)
    assert not FeedbackResponse.objects.filter(assessment=assessment).exists(), "answers wait, sealed, until close"
    assert assessment.sealed_answers.count() == 5
    close(assessment, assessment.keys)
    assert FeedbackResponse.objects.filter(assessment=assessment).count() == 5
    assert not assessment.sealed_answers.exists()
    assert not AuditEvent.objects.filter(action="development.feedback_given").exists(), "no event per answer"
    [count] = DailyCount.objects.filter(action="development.feedback_given", object_id=str(assessment.pk))
    assert count.count == 5


def test_an_invitation_answers_once_and_only_for_its_rater(dev):
    assessment = run_360(dev, subject_with_team(dev), peers=0, close=False)
    subject = assessment.person
    leader, _ = line_of(subject, dev.today)
    peer = Person.objects.filter(organisation=subject.organisation).exclude(pk__in=[subject.pk, leader]).first()
    [invitation] = svc.invite_raters(actor=None, assessment=assessment, raters=[(peer, RaterGroup.PEER)])
    scores = {d.pk: 3 for d in assessment.framework.dimensions.all()}
    with pytest.raises(ValidationError, match="not yours"):  # proposed, not yet approved
        svc.submit_feedback(actor=as_rater(peer.pk), invitation_id=invitation.pk, scores=scores)
    svc.approve_raters(actor=None, assessment=assessment, passphrases=[CUSTODIAN])
    with pytest.raises(ValidationError, match="not yours"):
        svc.submit_feedback(actor=as_rater(subject.pk), invitation_id=invitation.pk, scores=scores)
    svc.submit_feedback(actor=as_rater(peer.pk), invitation_id=invitation.pk, scores=scores)
    assert FeedbackInvitation.objects.get(pk=invitation.pk).used
    with pytest.raises(ValidationError, match="already given"):
        svc.submit_feedback(actor=as_rater(peer.pk), invitation_id=invitation.pk, scores=scores)
    assert assessment.sealed_answers.count() == 1


def test_a_failed_answer_leaves_the_invitation_unused(dev):
    assessment = run_360(dev, subject_with_team(dev), peers=0, close=False)
    subject = assessment.person
    leader, _ = line_of(subject, dev.today)
    peer = Person.objects.filter(organisation=subject.organisation).exclude(pk__in=[subject.pk, leader]).first()
    [invitation] = svc.invite_raters(actor=None, assessment=assessment, raters=[(peer, RaterGroup.PEER)])
    svc.approve_raters(actor=None, assessment=assessment, passphrases=[CUSTODIAN])
    with pytest.raises(ValidationError, match="Choose a rating"):
        svc.submit_feedback(actor=as_rater(peer.pk), invitation_id=invitation.pk, scores={})
    assert not FeedbackInvitation.objects.get(pk=invitation.pk).used
    assert not assessment.sealed_answers.exists()


def test_rater_groups_follow_the_reporting_line(dev):
    subject = subject_with_team(dev, min_reports=1)
    leader, reports = line_of(subject, dev.today)
    assessment = svc.start_assessment(actor=None, person=subject, framework=healthcare_leadership_model())
    stranger = Person.objects.filter(organisation=subject.organisation).exclude(
        pk__in=[subject.pk, leader, *reports]).first()
    with pytest.raises(ValidationError, match="not .*line manager"):
        svc.invite_raters(actor=None, assessment=assessment, raters=[(stranger, RaterGroup.MANAGER)])
    with pytest.raises(ValidationError, match="does not report"):
        svc.invite_raters(actor=None, assessment=assessment, raters=[(stranger, RaterGroup.DIRECT_REPORT)])
    with pytest.raises(ValidationError, match="not a peer"):
        svc.invite_raters(actor=None, assessment=assessment, raters=[(Person.objects.get(pk=leader), RaterGroup.PEER)])
    with pytest.raises(ValidationError, match="rate themselves"):
        svc.invite_raters(actor=None, assessment=assessment, raters=[(subject, RaterGroup.PEER)])
    assert not assessment.invitations.exists()


def test_the_rater_answers_through_the_link_and_others_get_not_found(dev, client, login):
    invitation = FeedbackInvitation.objects.get(rater_id=dev.personas["bob"], used=False)
    url = reverse("development:give_feedback", kwargs={"pk": invitation.pk})
    assert login("alice").get(url).status_code == 404
    before = invitation.assessment.sealed_answers.count()
    bob = login("bob")
    data = {f"d{d.pk}": "3" for d in invitation.assessment.framework.dimensions.all()}
    response = bob.post(url, data)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.used
    again = bob.get(url)
    assert "You have already given this feedback" in again.content.decode()
    assert bob.post(url, data).status_code == 200  # refused: no second response
    assert invitation.assessment.sealed_answers.count() == before + 1


def test_demo_has_a_360_with_six_peers_shown_and_one_with_four_suppressed(dev):
    ready = assessment_report(assessment=Person.objects.get(pk=dev.development["ready"]).development_assessments.get())
    midway = assessment_report(assessment=Person.objects.get(pk=dev.development["midway"]).development_assessments.get())
    assert group(ready, "peer")["published"] and group(ready, "peer")["responses"] == 6
    assert not group(midway, "peer")["published"]


def test_the_demos_open_360_is_sealed_and_closes_with_its_custodians_key_file(dev, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clinlead import custody
    from clinlead.development import demo

    assessment = Person.objects.get(pk=dev.development["starting"]).development_assessments.get()
    assert assessment.is_open and assessment.sealed_answers.count() >= 1 and not assessment.responses.exists()
    key_file = (custody.demo_key_folder() / f"360-{assessment.pk}-custody-key.json").read_bytes()
    url = reverse("development:close_assessment", kwargs={"pk": assessment.pk})
    tara = login("tara")
    page = tara.post(url, {"key_file_1": SimpleUploadedFile("k.json", key_file),
                           "passphrase_1": "not the passphrase"}).content.decode()
    assert "passphrase for key file 1 is wrong" in page
    sealed = assessment.sealed_answers.count()
    response = tara.post(url, {"key_file_1": SimpleUploadedFile("k.json", key_file),
                               "passphrase_1": demo.DEMO_CUSTODY_PASSPHRASE})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.is_closed and assessment.responses.count() == sealed and not assessment.sealed_answers.exists()
