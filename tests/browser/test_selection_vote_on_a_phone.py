"""Bob votes in the demo's open ballot on his phone: from the card on his home page, numbering
the candidates in the select boxes with his thumb, without sideways scrolling, and keeps his
receipt."""

import pytest

from clinlead.selection import selectors
from clinlead.selection.models import Ballot
from tests.browser.conftest import assert_accessible, assert_no_browser_errors, heading, log_in_as
from tests.selection import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_bob_votes_on_his_phone(demo, live_server, phone):
    selection = f.demo_selection(f.DEMO_OPEN_BALLOT)
    paper = [c.person.full_name for c in selectors.ballot_paper(selection=selection)]
    log_in_as(phone, live_server, "bob")
    with phone.expect_navigation():
        phone.get_by_role("link", name=f"Vote: choose the shortlist for {f.DEMO_OPEN_BALLOT}").tap()
    assert heading(phone) == f"Choose the shortlist for {f.DEMO_OPEN_BALLOT}"
    assert fits(phone), "the ballot scrolls sideways on a phone"
    assert_accessible(phone)
    ranking = paper[::-1]
    for number, name in enumerate(ranking, 1):
        phone.get_by_label(name, exact=True).select_option(str(number))
    with phone.expect_navigation():
        phone.get_by_role("button", name="Cast my vote").tap()
    assert heading(phone) == "Your vote is in the ballot box"
    code = phone.locator("#receipt-code").inner_text().strip()
    assert fits(phone)
    assert_accessible(phone)
    assert_no_browser_errors(phone)
    # Sealed until the close; then his receipt is counted and his ranking is among the ballots.
    selection = f.close(f.time_passes(selection))
    assert selectors.receipt_is_counted(selection=selection, code=code)
    labels = selectors.candidate_labels(selection=selection)
    stored = Ballot.objects.filter(selection=selection).values_list("preferences", flat=True)
    assert ranking in [[labels[c] for c in preferences] for preferences in stored]
