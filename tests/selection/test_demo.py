"""The demo's selections: one complete from vacancy to appointment, one open ballot Bob can vote
in, one taking nominations."""

import pytest
from django.utils import timezone

from clinlead.selection import selectors
from clinlead.selection.models import Ballot, Selection, VoterRecord
from tests.selection import factories as f

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_complete_selection_for_respiratory_medicine(demo):
    selection = f.demo_selection(f.DEMO_COMPLETE)
    assert selection.stage == Selection.Stage.APPOINTED
    assert selection.interviews.exists() and selection.candidates.count() >= 2
    ballots = Ballot.objects.filter(selection=selection).count()
    assert ballots == VoterRecord.objects.filter(selection=selection).count() > 0
    # The published count is what a recount with its recorded seed gives.
    recount = selectors.recount(selection=selection)
    assert recount.elected == selection.count_result["elected"] and recount.valid_votes == ballots
    members = list(selection.committee.select_related("person"))
    assert f.persona("alice") in [m.person for m in members]
    assert all(m.rationale and m.vote_for_id for m in members)
    winner, problems = selectors.committee_decision(selection=selection)
    assert problems == [] and selection.chosen == winner
    appointment = selection.appointment
    assert appointment.person == winner.person and appointment.position == selection.vacancy.position
    assert appointment.term_number == 1 and appointment.start <= timezone.localdate() < appointment.end
    before = selection.vacancy.position.appointments.exclude(pk=appointment.pk).order_by("-start").first()
    assert before.last_day < appointment.start


def test_bob_can_vote_in_the_demos_open_ballot(demo):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    bob = f.persona("bob")
    assert selectors.ballot_is_open(selection=selection, now=timezone.now())
    assert selectors.voting_problems(selection=selection, person=bob, now=timezone.now()) == []
    assert selectors.is_elector(selection=selection, person=f.persona("alice"))
    assert not selectors.has_voted(selection=selection, person=bob)


def test_the_demo_has_a_selection_taking_nominations(demo):
    selection = f.demo_selection(f.DEMO_NOMINATING)
    assert selection.stage == Selection.Stage.NOMINATIONS and selection.candidates.exists()


def test_tara_closes_and_counts_the_demos_ballot_awaiting_close_with_its_key_file(demo, login):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from clinlead.selection import demo as selection_demo
    from clinlead.selection.models import SealedBallot

    selection = Selection.objects.get(organisation=f.northgate(), stage=Selection.Stage.BALLOT,
                                      closes_at__lt=timezone.now())
    voted = SealedBallot.objects.filter(selection=selection).count()
    assert voted > 0
    key_file = selection_demo.KEY_FILES[selection.ballot_public_key]
    assert selection_demo.key_file_path(selection).exists()
    client = login("tara")
    detail = client.get(reverse("selection:detail", kwargs={"pk": selection.pk})).content.decode()
    assert reverse("selection:close", kwargs={"pk": selection.pk}) in detail
    closed = client.post(reverse("selection:close", kwargs={"pk": selection.pk}), {
        "key_file_1": SimpleUploadedFile("key.json", key_file), "passphrase_1": selection_demo.demo_passphrase()})
    assert closed.status_code == 302
    counted = client.post(reverse("selection:count", kwargs={"pk": selection.pk}), follow=True)
    assert "Shortlist" in counted.content.decode()
    selection.refresh_from_db()
    assert selection.stage == Selection.Stage.COUNTED and selection.count_result["valid_votes"] == voted
