"""The published count reads as figures people use: "51", not "51.00000"; and the command line
for a recount is shown to the scrutineers (talent admin, committee), not to every nurse."""

import re

from django.urls import reverse

from clinlead.selection import selectors
from tests.selection import factories as f


def url(name, selection):
    return reverse(f"selection:{name}", kwargs={"pk": selection.pk})


def test_an_elector_sees_whole_votes_without_decimals_and_no_command_line(demo, login, monkeypatch):
    selection = f.counted(title=f.MEDICINE)
    # Where the publication rule lets the ballots out, the download line is on the page.
    monkeypatch.setattr(selectors, "full_ballots_published", lambda selection: True)
    page = login("bob").get(url("results", selection)).content.decode()
    main = page[page.index("<main"):]
    assert not re.search(r"\d\.\d{3,}", main), "a vote shown with machine precision"
    assert "clinlead count" not in main
    assert url("blt", selection) in main


def test_the_talent_admin_as_scrutineer_sees_the_recount_command(demo, login):
    selection = f.counted(title=f.MEDICINE)
    page = login("tara").get(url("results", selection)).content.decode()
    assert f"clinlead count selection-{selection.pk}" in page
