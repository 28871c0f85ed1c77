"""The rules around a 360 that keep its raters anonymous in practice: the threshold promised at
opening holds, the person does not choose their raters alone, a re-run cannot be subtracted from
the last one, raters know where their pooled scores go, and no mean says everyone gave the same
extreme score. Raters read the framework's behaviour statements."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinlead.accounts.models import User
from clinlead.development import services_assessment as svc
from clinlead.development.frameworks import current_frameworks, healthcare_leadership_model
from clinlead.development.models import RaterGroup
from clinlead.development.rater_figures import band_text, dimension_figures
from clinlead.development.selectors import development_summary
from clinlead.development.selectors_assessment import assessment_report
from clinlead.org.models import Organisation, Person
from tests.development.test_360_feedback import (
    CUSTODIAN,
    as_rater,
    group,
    line_of,
    run_360,
    subject_with_team,
)

pytestmark = pytest.mark.django_db


def peers_of(subject, day, n, skip=()):
    leader, reports = line_of(subject, day)
    return list(Person.objects.filter(organisation=subject.organisation, active=True)
                .exclude(pk__in=[subject.pk, leader, *reports, *skip]).order_by("pk")[:n])


def test_lowering_the_trusts_threshold_never_reaches_a_360_already_opened(dev):
    assessment = run_360(dev, subject_with_team(dev), peers=4)
    Organisation.objects.filter(slug="northgate").update(min_responses=3)
    assessment.refresh_from_db()
    assert assessment.k == 5
    report = assessment_report(assessment=assessment)
    assert report["k"] == 5 and not group(report, "peer")["published"], "raters were promised 5"


def test_the_person_cannot_approve_their_own_raters_and_nobody_is_asked_before_approval(dev, login):
    subject = subject_with_team(dev)
    user = User.objects.create(username="subject-360", person=subject)
    assessment = svc.start_assessment(actor=user, person=subject, framework=healthcare_leadership_model())
    [peer] = peers_of(subject, dev.today, 1)
    [invitation] = svc.invite_raters(actor=user, assessment=assessment, raters=[(peer, RaterGroup.PEER)])
    with pytest.raises(ValidationError, match="line manager, a lead of their programme or a talent admin"):
        svc.approve_raters(actor=user, assessment=assessment, passphrases=[CUSTODIAN])
    peer_user = User.objects.create(username="peer-360", person=peer)
    client = login("tara")
    client.force_login(peer_user)
    assert client.get(reverse("development:give_feedback", kwargs={"pk": invitation.pk})).status_code == 404
    leader = Person.objects.get(pk=line_of(subject, dev.today)[0])
    manager_user = User.objects.create(username="manager-360", person=leader)
    keys = svc.approve_raters(actor=manager_user, assessment=assessment, passphrases=[CUSTODIAN])
    assert keys is not None and len(keys.key_files) == 1, "the approver takes the custodian key file"
    assert client.get(reverse("development:give_feedback", kwargs={"pk": invitation.pk})).status_code == 200


def test_a_second_360_within_the_interval_must_ask_different_raters_or_void_the_first(dev):
    subject = subject_with_team(dev)
    first = run_360(dev, subject, peers=5)
    earlier_peers = list(first.invitations.filter(rater_group=RaterGroup.PEER).values_list("rater_id", flat=True))
    second = svc.start_assessment(actor=None, person=subject, framework=healthcare_leadership_model())
    again = [Person.objects.get(pk=pid) for pid in earlier_peers] + peers_of(subject, dev.today, 1, skip=earlier_peers)
    with pytest.raises(ValidationError, match="entirely different set of peers"):
        svc.invite_raters(actor=None, assessment=second, raters=[(p, RaterGroup.PEER) for p in again])
    others = peers_of(subject, dev.today, 6, skip=earlier_peers)
    svc.invite_raters(actor=None, assessment=second, raters=[(p, RaterGroup.PEER) for p in others])  # disjoint: fine
    third_framework = next(f for f in current_frameworks(organisation=subject.organisation)
                           if f.pk != healthcare_leadership_model().pk)
    third = svc.start_assessment(actor=None, person=subject, framework=third_framework)
    with pytest.raises(ValidationError, match="void the earlier one"):
        svc.invite_raters(actor=None, assessment=third, raters=[(again[-1], RaterGroup.PEER)])
    svc.void_assessment(actor=None, assessment=first, reason="Re-run with the full team after the merger")
    first.refresh_from_db()
    assert first.state == "voided" and not first.responses.exists()
    assert assessment_report(assessment=first)["groups"] == []
    svc.invite_raters(actor=None, assessment=third, raters=[(again[0], RaterGroup.PEER)])


def test_raters_are_told_where_their_pooled_scores_appear(dev, login):
    from clinlead.development.models import FeedbackInvitation

    invitation = FeedbackInvitation.objects.get(rater_id=dev.personas["bob"], used=False)
    page = login("bob").get(reverse("development:give_feedback", kwargs={"pk": invitation.pk})).content.decode()
    assert "succession candidate card" in page and "360 report" in page
    assert "at least 5 raters" in page


def test_a_mean_at_an_end_of_the_scale_is_shown_as_a_band(dev):
    assessment = run_360(dev, subject_with_team(dev), peers=5, peer_score=4)
    report = assessment_report(assessment=assessment)
    for row in report["rows"]:
        assert row["all_raters"] == "3.5 or above" and row["all_raters_mean"] is None
        assert row["peer"] is None, "beside the whole, a part near an end of the scale is not shown"
    summary = development_summary(person=assessment.person)
    assert all(d["all_raters"] is None and d["all_raters_text"] == "3.5 or above"
               for d in summary["assessment"]["dimensions"])


def test_the_band_rule():
    assert band_text(4.0, 4) == band_text(3.6, 4) == "3.5 or above"
    assert band_text(1.0, 4) == band_text(1.4, 4) == "1.5 or below"
    assert band_text(3.4, 4) is None and band_text(1.6, 4) is None
    # Whole and parts published; the direct reports all gave 4: an exact whole and exact peers
    # would give theirs by subtraction, so only the whole is shown, exactly if it can be.
    figures = dimension_figures(scores_by_group={"peer": [2, 2, 3, 2, 2], "direct_report": [4] * 5,
                                                 "all": [2, 2, 3, 2, 2] + [4] * 5},
                                published={"peer", "direct_report", "all"}, whole="all", top=4)
    assert figures["peer"] is None and figures["direct_report"] is None
    assert figures["all"] == {"mean": 3.1, "text": "3.1"}


def test_raters_read_the_frameworks_behaviour_statements_in_its_own_order(dev, login):
    subject = subject_with_team(dev)
    framework = next(f for f in current_frameworks(organisation=subject.organisation)
                     if f.code == "northgate-clinical-leadership")
    assessment = svc.start_assessment(actor=None, person=subject, framework=framework)
    [peer] = peers_of(subject, dev.today, 1)
    [invitation] = svc.invite_raters(actor=None, assessment=assessment, raters=[(peer, RaterGroup.PEER)])
    svc.approve_raters(actor=None, assessment=assessment, passphrases=[CUSTODIAN])
    client = login("tara")
    client.force_login(User.objects.create(username="peer-behaviours", person=peer))
    page = client.get(reverse("development:give_feedback", kwargs={"pk": invitation.pk})).content.decode()
    position = -1
    for dimension in framework.dimensions.all():
        assert dimension.behaviours
        for statement in [dimension.name, *dimension.behaviours]:
            found = page.find(statement.replace("'", "&#x27;"), position + 1)
            assert found > position, f"{statement!r} is missing or out of order"
            position = found
    svc.submit_feedback(actor=as_rater(peer.pk), invitation_id=invitation.pk,
                        scores={d.pk: 2 for d in framework.dimensions.all()})
