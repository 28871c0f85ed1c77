"""No tally of any kind before the close: every page and every reader of ballots refuses while
the ballot is open (even when the closing time has passed but nobody has closed it yet), for
the talent admin and the superuser as much as for a voter; and none counts a subset."""

import inspect

import pytest
from django.urls import reverse

from clinlead.selection import selectors, services
from clinlead.selection.selectors import BallotNotClosed
from tests.selection import factories as f

pytestmark = pytest.mark.django_db

RESULT_PAGES = ["results", "receipts", "ballots", "blt", "recount_file"]
BALLOT_READERS = [
    selectors.published_ballots, selectors.receipt_fingerprints, selectors.ballots_cast,
    selectors.count_input, selectors.ballots_blt, selectors.count_report, selectors.shortlist,
    selectors.recount, selectors.recount_file,
]


@pytest.fixture
def open_with_votes(demo):
    """The demo's open ballot, with half the electorate having voted and Bob too."""
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    services.cast_ballot(actor=None, selection=selection, person=f.persona("bob"), preferences=f.ranking(selection))
    return selection


@pytest.mark.parametrize("reader", BALLOT_READERS, ids=lambda r: r.__name__)
def test_every_reader_of_ballots_refuses_before_the_close(open_with_votes, reader):
    with pytest.raises(BallotNotClosed):
        reader(selection=open_with_votes)
    with pytest.raises(BallotNotClosed):
        selectors.run_count(selection=open_with_votes, seed=1)
    with pytest.raises(BallotNotClosed):
        selectors.receipt_is_counted(selection=open_with_votes, code="0000-0000-0000")


def test_passing_the_closing_time_is_not_enough_the_ballot_must_be_closed(open_with_votes):
    selection = f.time_passes(open_with_votes)
    for reader in BALLOT_READERS:
        with pytest.raises(BallotNotClosed):
            reader(selection=selection)


@pytest.mark.parametrize("username", ["tara", "admin", "bob"])
def test_every_results_page_refuses_before_the_close(open_with_votes, login, username):
    client = login(username)
    for name in RESULT_PAGES:
        answer = client.get(reverse(f"selection:{name}", kwargs={"pk": open_with_votes.pk}))
        assert answer.status_code == 403, (name, answer.status_code)
    checked = client.post(reverse("selection:receipt", kwargs={"pk": open_with_votes.pk}), {"code": "0000-0000-0000"})
    assert checked.status_code == 403


def test_the_count_refuses_before_the_close_as_an_action_and_as_a_page(open_with_votes, login):
    with pytest.raises(BallotNotClosed):
        services.count_ballots(actor=f.user("tara"), selection=open_with_votes)
    answer = login("tara").post(reverse("selection:count", kwargs={"pk": open_with_votes.pk}))
    assert answer.status_code == 403
    open_with_votes.refresh_from_db()
    assert open_with_votes.count_result is None and open_with_votes.count_seed is None


def test_the_pages_open_to_voters_before_the_close_show_no_figure_from_the_ballots(open_with_votes, login):
    """The selection, receipt and vote pages show turnout at most (from voter records) — never
    anything drawn from the ballots."""
    for username in ["tara", "bob", "alice"]:
        client = login(username)
        for name in ["detail", "receipt", "vote", "candidates"]:
            answer = client.get(reverse(f"selection:{name}", kwargs={"pk": open_with_votes.pk}))
            if answer.status_code == 200:
                page = answer.content.decode()
                assert "Stage 1" not in page and "Shortlist " not in page and "quota" not in page.lower()


def test_no_reader_can_be_asked_for_a_subset_of_the_ballots():
    for reader in [*BALLOT_READERS, selectors.run_count]:
        parameters = set(inspect.signature(reader).parameters)
        assert parameters <= {"selection", "seed"}, f"{reader.__name__} takes {parameters}"


def test_after_the_close_the_same_readers_answer(open_with_votes):
    f.close(f.time_passes(open_with_votes))
    closed = f.demo_selection(f.DEMO_OPEN_BALLOT)
    assert selectors.ballots_cast(selection=closed) >= 1
    lines = selectors.recount_file(selection=closed).splitlines()
    ballots = [line for line in lines[1:] if line.startswith("1 ")]
    assert len(ballots) == selectors.ballots_cast(selection=closed)
    assert selectors.count_report(selection=closed) is None  # closed, not yet counted
