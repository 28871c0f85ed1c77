"""A whole staff-led selection in the demo, in a real browser, as the people would run it.

Alice's term as Clinical Director for Cardiology is ending. Tara, the talent admin, opens the
vacancy and nominates three candidates; the candidates are interviewed, and Tara records that
Bob, Alice and a colleague took part; three leaders from other departments are seated on the
committee and declare their interests before the ballot opens; the three vote by secret ballot,
each keeping a receipt; at the closing time Tara closes the ballot with the key file she
downloaded when she scheduled it and her passphrase, and counts; the committee votes with
reasons; Tara appoints their choice; Bob finds his receipt counted.
Every page on the way is checked for script errors and serious accessibility faults.
"""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from clinlead.analytics.blt import parse_blt
from clinlead.selection.models import Selection
from tests.browser.conftest import assert_accessible, assert_no_browser_errors, heading, log_in_as
from tests.selection import factories as f
from tests.selection.conftest import _cheap_passphrase_hashing  # noqa: F401 (autouse)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POSITION = "Clinical Director, Cardiology"
LOCAL = "%Y-%m-%dT%H:%M"
PASSPHRASE = "Tara's custody passphrase for Cardiology"


def check(page):
    assert_no_browser_errors(page)
    assert_accessible(page)


def go(page, action):
    """Click something that loads a page; the page must be real, quiet and accessible."""
    with page.expect_navigation() as navigation:
        action.click()
    assert navigation.value.status == 200, f"{page.url} answered {navigation.value.status}"
    check(page)
    return page


def main(page):
    return page.get_by_role("main")


def as_person(new_page, live_server, username):
    page = new_page()
    log_in_as(page, live_server, username)
    return page


def vote(new_page, live_server, username, ranking):
    """Vote (the panel has recorded taking part); returns the receipt code and its fingerprint."""
    page = as_person(new_page, live_server, username)
    go(page, main(page).get_by_role("link", name=f"Vote: choose the shortlist for {POSITION}"))
    for number, name in enumerate(ranking, 1):
        page.get_by_label(name, exact=True).select_option(str(number))
    go(page, page.get_by_role("button", name="Cast my vote"))
    assert heading(page) == "Your vote is in the ballot box"
    return (
        page.locator("#receipt-code").inner_text().strip(),
        page.locator("#receipt-fingerprint").inner_text().strip(),
    )


def recount_ballots(blt):
    """The ballots of a BLT file, one ranking of names per ballot, sorted."""
    election = parse_blt(text=blt)
    return sorted(list(ranking) for count, ranking in election.ballots for _ in range(count))


def test_a_whole_selection_from_vacancy_to_appointment(demo, live_server, new_page, tmp_path):
    # Three voters from a large electorate: this trust sets a low quorum for the walk-through.
    from clinlead.selection import services

    services.save_policy(actor=f.user("tara"), organisation=f.northgate(),
                         allow_self_nomination=False, interview_required_to_vote=True,
                         shortlist_size=5, min_committee_votes=3, quorum_percent=1)
    people = f.some_people(n=3)
    names = [p.full_name for p in people]
    colleague = next(
        p
        for p in f.electors_of_unit("Medicine/Cardiology")
        if p.pk not in {f.persona("bob").pk, f.persona("alice").pk} and p not in people
    )
    f.make_login(colleague)

    # Tara opens the vacancy from her home page.
    tara = as_person(new_page, live_server, "tara")
    go(tara, main(tara).get_by_role("link", name=re.compile("^Staff-led selection at")))
    go(tara, main(tara).get_by_role("button", name="Open a vacancy"))
    tara.get_by_label("Position").select_option(label=POSITION)
    tara.get_by_label("Why is it vacant?").select_option(label="Term ending")
    go(tara, tara.get_by_role("button", name="Open the vacancy"))
    assert heading(tara) == POSITION
    detail = tara.url

    # Nominations.
    go(tara, main(tara).get_by_role("link", name="Candidates", exact=True))
    for person in people:
        tara.get_by_label("Name or staff number").fill(person.staff_number)
        go(tara, tara.get_by_role("button", name="Find a person"))
        go(
            tara,
            tara.locator("#people-found").get_by_role(
                "button", name=f"Nominate {person.full_name}"
            ),
        )
        assert f"{person.full_name} is now a candidate." in tara.content()

    # The electorate is fixed; the interview is held.
    tara.goto(detail)
    go(tara, main(tara).get_by_role("link", name="Electorate", exact=True))
    go(tara, tara.get_by_role("button", name="Close nominations and fix the electorate"))
    assert re.search(r"\d+ staff of Medicine/Cardiology", main(tara).inner_text()), main(
        tara
    ).inner_text()
    tara.goto(detail)
    go(tara, main(tara).get_by_role("link", name="Interviews", exact=True))
    tara.get_by_label("Starts at").fill(
        timezone.localtime(timezone.now() - timedelta(hours=1)).strftime(LOCAL)
    )
    tara.get_by_label("Place").fill("Cardiology seminar room")
    for name in names:
        tara.get_by_label(name).check()
    go(tara, tara.get_by_role("button", name="Schedule the interview"))
    # The panel saw Bob, Alice and the colleague there; Tara records it (voters cannot).
    for voter in (f.persona("bob"), f.persona("alice"), colleague):
        tara.get_by_label("Member of staff seen taking part").select_option(str(voter.pk))
        go(tara, tara.get_by_role("button", name=re.compile("Record taking part")))
        assert f"Recorded: {voter.full_name} took part" in tara.content()

    # Three leaders from other departments are seated and declare before the ballot opens.
    selection = Selection.objects.get(
        vacancy__position=f.position(POSITION), stage=Selection.Stage.INTERVIEWS
    )
    committee = f.committee_people(selection)
    tara.goto(detail)
    go(tara, main(tara).get_by_role("link", name="The decision committee"))
    for leader in committee:
        tara.get_by_label("Name or staff number").fill(leader.staff_number)
        go(tara, tara.get_by_role("button", name="Find a leader"))
        go(tara, main(tara).get_by_role("button", name=f"Add {leader.full_name} to the committee"))
    for leader in committee:
        member = as_person(new_page, live_server, f.make_login(leader).username)
        go(member, main(member).get_by_role("link", name=f"Declare your interests: {POSITION}"))
        member.get_by_label("No, I have no conflict of interest").check()
        go(member, member.get_by_role("button", name="Record my declaration"))
        member.close()

    # The ballot opens now, ranking by Scottish STV for a shortlist of two. Tara alone keeps its
    # key: scheduling answers with her key file, downloaded this once.
    tara.goto(detail)
    go(tara, main(tara).get_by_role("link", name="Ballot", exact=True))
    schedule = tara.url
    tara.get_by_label("Shortlist size").fill("2")
    tara.get_by_label("First custodian's passphrase").fill(PASSPHRASE)
    with tara.expect_download() as download:
        tara.get_by_role("button", name="Schedule the ballot and download the key files").click()
    assert download.value.suggested_filename == (
        f"ballot-{tara.url.split('/')[-3]}-clinical-director-cardiology-custody-key.json"
    )
    key_file = tmp_path / download.value.suggested_filename
    download.value.save_as(key_file)
    key_text = key_file.read_text()
    assert json.loads(key_text) and PASSPHRASE not in key_text
    tara.goto(detail)
    check(tara)
    assert re.search(r"Opens .*, closes .*; 0 of \d+ have voted", main(tara).inner_text())
    tara.goto(schedule)
    check(tara)
    assert "The ballot is already scheduled: it opens on" in main(tara).inner_text()
    assert "cannot be downloaded again" in main(tara).inner_text()
    assert tara.get_by_label("First custodian's passphrase").count() == 0  # no second download

    # Several staff vote, each keeping a receipt.
    codes = {
        "bob": vote(new_page, live_server, "bob", [names[0], names[1]]),
        "alice": vote(new_page, live_server, "alice", [names[0], names[2], names[1]]),
        colleague.staff_number.lower(): vote(
            new_page, live_server, colleague.staff_number.lower(), [names[1]]
        ),
    }
    assert len({code for code, _ in codes.values()}) == 3

    # Before the close nothing about the ballots can be seen, even by the talent admin.
    selection = Selection.objects.get(
        vacancy__position=f.position(POSITION), stage=Selection.Stage.BALLOT
    )
    refused = new_page()
    log_in_as(refused, live_server, "tara")
    assert refused.goto(f"{live_server.url}/selection/{selection.pk}/results/").status == 403
    assert heading(refused) == "You do not have access to this page"
    refused.close()

    # The closing time comes; Tara closes with her key file and passphrase. A wrong passphrase is
    # refused and changes nothing.
    f.time_passes(selection)
    tara.goto(detail)
    go(tara, main(tara).get_by_role("link", name="Close the ballot"))
    assert heading(tara) == "Close the ballot"
    assert re.search(r"\b3 of \d+ have voted", main(tara).inner_text())
    assert "The ballots are sealed." in main(tara).inner_text()
    assert tara.get_by_label("Second custodian's key file").count() == 0  # one custodian
    tara.get_by_label("First custodian's key file").set_input_files(key_file)
    tara.get_by_label("First custodian's passphrase").fill("not Tara's passphrase at all")
    go(tara, tara.get_by_role("button", name="Open the ballots and close the ballot"))
    assert "The passphrase for key file 1 is wrong." in main(tara).inner_text()
    selection.refresh_from_db()
    assert selection.stage == Selection.Stage.BALLOT
    tara.get_by_label("First custodian's key file").set_input_files(key_file)
    tara.get_by_label("First custodian's passphrase").fill(PASSPHRASE)
    go(tara, tara.get_by_role("button", name="Open the ballots and close the ballot"))
    assert tara.url == detail
    assert "The ballot is closed" in main(tara).inner_text()
    assert "the receipts are published" in main(tara).inner_text()

    # Tara counts. Three ballots of three candidates are too few to publish them whole: the
    # count is shown stage by stage, and the ballots go only to scrutineers, in the recount file.
    go(tara, tara.get_by_role("button", name="Count the ballots"))
    assert heading(tara) == "Ballot results"
    results = tara.url
    assert re.search(r"Ballots cast\s+3 of an electorate of \d+", main(tara).inner_text())
    assert "Stage 1: first preferences" in tara.content()
    shortlist = main(tara).locator("#shortlist li").all_inner_texts()
    assert shortlist[0] == names[0] and len(shortlist) == 2
    assert "too few voted for so many possible ballots" in main(tara).inner_text()
    assert main(tara).get_by_role("link", name="Every ballot").count() == 0
    assert main(tara).get_by_role("link", name=re.compile("Download the ballots")).count() == 0
    with tara.expect_download() as recount:
        main(tara).get_by_role("link", name="download the recount file").click()
    assert recount.value.suggested_filename == f"selection-{selection.pk}-recount.blt"
    assert recount_ballots(recount.value.path().read_text()) == sorted(
        [[names[0], names[1]], [names[0], names[2], names[1]], [names[1]]]
    )
    go(tara, main(tara).get_by_role("link", name="not published"))
    assert heading(tara) == "Every ballot"
    assert "With 3 ballots and this many possible ways" in main(tara).inner_text()
    assert "(150 ballots here)" in main(tara).inner_text()  # ten for each of 15 rankings

    # The receipts page lists the fingerprint of every voter's receipt, and nothing else.
    tara.goto(results)
    go(tara, main(tara).get_by_role("link", name="Receipts of the counted ballots"))
    assert sorted(main(tara).locator("#receipts li").all_inner_texts()) == sorted(
        fingerprint for _, fingerprint in codes.values()
    )

    # The committee seated before the ballot votes with reasons.
    selection.refresh_from_db()
    for leader in committee:
        member = as_person(new_page, live_server, f.make_login(leader).username)
        go(member, main(member).get_by_role("link", name=f"Decide: {POSITION}"))
        member.get_by_label(f"1. {names[0]}").check()
        member.get_by_label("Your reasons").fill(
            "The staff's first choice, with a clear plan for the service."
        )
        go(member, member.get_by_role("button", name="Record my vote"))
        assert "Your vote and reasons are recorded." in member.content()

    # Tara appoints the committee's choice.
    tara.goto(detail)
    go(tara, main(tara).get_by_role("link", name="Committee decision", exact=True))
    assert tara.locator("#committee-choice").inner_text() == names[0]
    go(tara, tara.get_by_role("button", name=f"Appoint {names[0]}"))
    assert heading(tara) == f"{names[0]} is appointed {POSITION}"
    selection.refresh_from_db()
    appointment = selection.appointment
    assert appointment.person == people[0] and appointment.position.title == POSITION
    assert appointment.term_number == 1

    # Bob checks that his ballot was counted; he sees the count but not the recount file.
    bob = as_person(new_page, live_server, "bob")
    bob.goto(f"{live_server.url}/selection/{selection.pk}/receipt/")
    bob.get_by_label("Your receipt code").fill(codes["bob"][0])
    go(bob, bob.get_by_role("button", name="Check my receipt"))
    assert "Counted." in bob.content()
    bob.goto(results)
    check(bob)
    assert main(bob).locator("#shortlist li").all_inner_texts() == shortlist
    assert main(bob).get_by_role("link", name="download the recount file").count() == 0
    assert bob.request.get(f"{results}recount.blt").status == 403
