"""assert_accessible skips a page whose structure axe has already found clean. It must still
scan, and fail, a page that differs from a clean one only in something axe judges: an attribute,
whether a link has text, the colour of text, a link's underline, the words of a control whose
aria-label must hold them. Each case makes the login page clean with a probe, checks that the
same page with other wording is skipped, then changes the probe as said."""

import pytest

from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADD_PROBE = "(html) => document.querySelector('main').insertAdjacentHTML('beforeend', html)"
REWORD_H1 = "() => { document.querySelector('h1').textContent = 'Other words, same page'; }"

CASES = {
    # The same <img>, its alt attribute gone: a difference of one attribute.
    "image-alt": (
        '<img id="probe" alt="A chart of the survey" src="/static/none.png">',
        "() => document.getElementById('probe').removeAttribute('alt')",
        r"image-alt \(critical\)",
    ),
    # The same link, its words gone: a difference only in whether an element has text.
    "link-name": (
        '<p><a id="probe" href="/somewhere/">Read the report</a></p>',
        "() => { document.getElementById('probe').textContent = ''; }",
        r"link-name \(serious\)",
    ),
    # The same paragraph, pale grey on white from a style rule: no element or attribute changes.
    "color-contrast": (
        '<p class="probe-text">Words a person has to read</p>',
        "() => document.styleSheets[0].insertRule('.probe-text { color: #dddddd; }')",
        r"color-contrast \(serious\)",
    ),
    # The same link in a sentence, its underline taken off by a style rule (as a hover rule
    # does): told from the text around it by colour alone.
    "link-in-text-block": (
        '<p>Read <a id="probe" class="probe-link" href="/somewhere/">the report</a> first.</p>',
        "() => document.styleSheets[0].insertRule('.probe-link { text-decoration: none; }')",
        r"link-in-text-block \(serious\)",
    ),
    # The same button, its words no longer those of its aria-label: only the wording differs.
    "label-content-name-mismatch": (
        '<button id="probe" type="button" aria-label="Save the draft">Save</button>',
        "() => { document.getElementById('probe').textContent = 'Delete'; }",
        r"label-content-name-mismatch \(serious\)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_page_differing_in_what_axe_judges_is_scanned_and_fails(case, live_server, page):
    probe, make_faulty, violation = CASES[case]
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(ADD_PROBE, probe)
    assert_accessible(page)  # clean (scanned now, or already by an earlier case)

    page.reload()
    page.evaluate(ADD_PROBE, probe)
    page.evaluate(REWORD_H1)
    assert assert_accessible(page) is False, "the same structure with other words was scanned"

    page.evaluate(make_faulty)
    with pytest.raises(AssertionError, match=violation):
        assert_accessible(page)


def test_a_link_under_the_pointer_is_judged_at_rest(live_server, page):
    """The pointer is left wherever the last click was. A link under it shows its hover style,
    which in the NHS.UK design takes the underline off; the page at rest underlines it, and
    that is the page axe must judge."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        ADD_PROBE,
        '<p>Read <a id="probe" class="probe-link" href="/somewhere/">the report</a> first.</p>',
    )
    page.evaluate(
        "() => document.styleSheets[0].insertRule("
        "'.probe-link:hover { text-decoration: none; }')"
    )
    page.hover("#probe")
    assert page.evaluate("() => document.getElementById('probe').matches(':hover')")
    assert_accessible(page)
    assert not page.evaluate("() => document.getElementById('probe').matches(':hover')")
