"""The selection pages, through the test client: voting with numbered boxes, the receipt shown
once, the published results, the BLT file, the committee and the home cards."""

import re

import pytest
from django.urls import reverse

from clinlead.analytics.blt import parse_blt
from clinlead.analytics.stv import count_scottish_stv
from clinlead.audit.models import AuditEvent
from clinlead.selection import publication, selectors, services
from clinlead.selection.models import Ballot, Receipt, SealedBallot, Selection, VoterRecord
from tests.selection import factories as f

pytestmark = pytest.mark.django_db
RECEIPT = re.compile(r'id="receipt-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<')


def url(name, selection):
    return reverse(f"selection:{name}", kwargs={"pk": selection.pk})


def ranked_post(selection, ranking):
    """The form as a person fills it: a number in the box of each candidate they rank."""
    return {f"c{pk}": str(n) for n, pk in enumerate(ranking, 1)}


def test_bob_votes_with_numbered_boxes_and_sees_his_receipt_once(demo, login):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    client = login("bob")
    page = client.get(url("vote", selection))
    assert page.status_code == 200
    boxes = re.findall(r'<select name="c(\d+)"', page.content.decode())
    assert sorted(int(b) for b in boxes) == sorted(c.pk for c in selectors.ballot_paper(selection=selection))
    assert "<script" not in page.content.decode().split("</head>")[1], "the ballot needs no JavaScript"

    before = SealedBallot.objects.filter(selection=selection).count()
    ranking = f.ranking(selection)[::-1]
    answer = client.post(url("vote", selection), ranked_post(selection, ranking))
    assert answer.status_code == 200
    code = RECEIPT.search(answer.content.decode()).group(1)
    assert "no-store" in answer["Cache-Control"]
    assert SealedBallot.objects.filter(selection=selection).count() == before + 1
    assert not Ballot.objects.filter(selection=selection).exists(), "a ballot is stored in the clear"
    # The code is kept nowhere in the clear: not in the session, not in the database.
    assert code not in str(dict(client.session))
    digest = selectors.receipt_hash(selection_id=selection.pk, code=code)
    assert not Receipt.objects.filter(receipt_hash=digest).exists()
    again = client.get(url("vote", selection))
    assert "You have already voted" in again.content.decode()
    assert RECEIPT.search(again.content.decode()) is None


@pytest.mark.parametrize("numbers, problem", [
    ({}, "Give your first choice the number 1."),
    ({0: "1", 1: "1"}, "Use each number once"),
    ({0: "1", 1: "3"}, "without gaps"),
    ({0: "2"}, "without gaps"),
])
def test_a_badly_numbered_ballot_is_refused_with_a_clear_message(demo, login, numbers, problem):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    paper = f.ranking(selection)
    answer = login("bob").post(url("vote", selection), {f"c{paper[i]}": n for i, n in numbers.items()})
    assert problem in answer.content.decode()
    assert not VoterRecord.objects.filter(selection=selection, person=f.persona("bob")).exists()


def test_approval_voting_takes_ticks(demo, client):
    selection = f.voting(method=Selection.Method.APPROVAL)
    voter = f.electors(selection)[0]
    client.force_login(f.make_login(voter))
    paper = [c.pk for c in selectors.ballot_paper(selection=selection)]
    answer = client.post(url("vote", selection), {"approved": [str(paper[2]), str(paper[0])]})
    assert RECEIPT.search(answer.content.decode())
    # Stored in ballot-paper order: the order the boxes were ticked in is not kept.
    f.close(f.time_passes(selection))
    assert Ballot.objects.get(selection=selection).preferences == sorted([paper[2], paper[0]], key=paper.index)


def recounts_to_the_result(selection, blt_text):
    election = parse_blt(text=blt_text)
    assert sum(n for n, _ in election.ballots) == Ballot.objects.filter(selection=selection).count()
    recount = count_scottish_stv(candidates=election.candidates, ballots=election.ballots,
                                 seats=election.seats, seed=selection.count_seed, withdrawn=election.withdrawn)
    return recount.elected == selection.count_result["elected"]


def test_few_voters_and_many_possible_rankings_publish_stages_not_ballots_and_scrutineers_recount(demo, login):
    selection = f.counted(title=f.MEDICINE, candidates=4, shortlist_size=2)
    assert not selectors.full_ballots_published(selection=selection)  # 4 candidates: 64 possible rankings
    client = login("bob")
    page = client.get(url("results", selection)).content.decode()
    for stage in selection.count_result["stages"]:
        assert f"Stage {stage['number']}: {stage['action']}" in page
    assert f'id="count-seed">{selection.count_seed}<' in page
    assert url("blt", selection) not in page and url("recount_file", selection) not in page
    assert client.get(url("blt", selection)).status_code == 403
    withheld = client.get(url("ballots", selection)).content.decode()
    assert 'id="ballots-withheld"' in withheld and 'id="ballots"' not in withheld
    assert client.get(url("recount_file", selection)).status_code == 403

    tara = login("tara")
    assert url("recount_file", selection) in tara.get(url("results", selection)).content.decode()
    download = tara.get(url("recount_file", selection))
    assert download["Content-Disposition"].startswith("attachment")
    assert recounts_to_the_result(selection, download.content.decode())
    event = AuditEvent.objects.get(action="selection.recount_file_downloaded")
    assert event.actor == f.user("tara") and event.object_id == str(selection.pk)


def test_where_enough_voted_the_ballots_and_the_blt_file_are_published_and_recount(demo, login, monkeypatch):
    monkeypatch.setattr(publication, "BALLOTS_PER_PATTERN", 0)  # the rule itself: test_publication.py
    selection = f.counted(title=f.MEDICINE, candidates=4, shortlist_size=2)
    client = login("bob")
    blt = client.get(url("blt", selection))
    assert blt.status_code == 200 and blt["Content-Disposition"].startswith("attachment")
    assert recounts_to_the_result(selection, blt.content.decode())
    ballots = client.get(url("ballots", selection)).content.decode()
    assert ballots.count("<li>") == len(selection.receipt_codes)
    assert "fingerprint" not in ballots.lower() and not any(c in ballots for c in selection.receipt_codes)


def test_receipts_are_published_and_a_voter_can_check_their_code(demo, login):
    selection = f.counted(title=f.MEDICINE)
    client = login("bob")
    receipts = client.get(url("receipts", selection)).content.decode()
    for code in selection.receipt_codes:
        digest = selectors.receipt_hash(selection_id=selection.pk, code=code)
        assert selectors.fingerprint(digest) in receipts

    checked = client.post(url("receipt", selection), {"code": selection.receipt_codes[0].lower()})
    assert "Counted." in checked.content.decode()
    unknown = client.post(url("receipt", selection), {"code": "0000-0000-0000"})
    assert "Not found" in unknown.content.decode()


def test_the_committee_declares_votes_with_reasons_and_the_admin_appoints(demo, client, login):
    selection = f.interviewing(title=f.MEDICINE)
    f.attend_all(selection)
    members = f.committee_people(selection)
    tara = login("tara")
    for person in members:
        assert tara.post(url("committee", selection), {"person": person.pk}).status_code == 302
    assert selection.committee.count() == 3
    for person in members:  # each declares before the ballot opens
        client.force_login(f.make_login(person))
        client.post(url("decision", selection), {"action": "declare", "has_conflict": "no"})
    selection = f.open_ballot(selection)
    f.vote_all(selection)
    f.close(selection)
    services.count_ballots(actor=f.user("tara"), selection=selection, seed=7)
    top = selection.candidates.get(shortlist_rank=1)
    for person in members:
        client.force_login(f.make_login(person))
        client.post(url("decision", selection), {"action": "vote", "candidate": top.pk,
                                                 "rationale": "The staff's clear first choice, and I agree."})
    client.force_login(f.user("tara"))
    page = client.get(url("decision", selection)).content.decode()
    assert f'id="committee-choice">{top.person.full_name}<' in page
    answer = client.post(url("appoint", selection), {"start": "2031-04-01"})
    assert answer.status_code == 302 and answer["Location"] == url("appointment", selection)
    shown = client.get(url("appointment", selection)).content.decode()
    assert f"{top.person.full_name} is appointed" in shown and "1 April 2031" in shown


def test_a_member_from_inside_the_unit_cannot_be_added(demo, login):
    selection = f.counted(title=f.MEDICINE)
    alice = f.persona("alice")  # Clinical Director for Cardiology, inside Medicine
    answer = login("tara").post(url("committee", selection), {"person": alice.pk}, follow=True)
    assert "inside Medicine" in answer.content.decode()
    assert not selection.committee.filter(person=alice).exists()


def test_bob_sees_his_open_ballot_on_his_home_page_and_tara_her_selections(demo, login):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    home = login("bob").get(reverse("home")).content.decode()
    assert "Vote: choose the shortlist for Head of Specialty, Cardiology" in home
    assert url("vote", selection) in home
    services.cast_ballot(actor=None, selection=selection, person=f.persona("bob"), preferences=f.ranking(selection))
    assert "Vote: choose the shortlist" not in login("bob").get(reverse("home")).content.decode()
    assert "Staff-led selection at" in login("tara").get(reverse("home")).content.decode()


def test_every_page_of_a_selection_renders_for_the_talent_admin(demo, login):
    selection = f.counted(title=f.MEDICINE)
    client = login("tara")
    for name in ["detail", "candidates", "electorate", "interviews", "schedule_ballot", "receipt", "results",
                 "receipts", "ballots", "committee", "decision", "close"]:
        assert client.get(url(name, selection)).status_code == 200, name
    for name in ["list", "open_vacancy", "policy"]:
        assert client.get(reverse(f"selection:{name}", kwargs={"slug": "northgate"})).status_code == 200, name
