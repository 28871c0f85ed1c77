"""Survey progress read day by day, as a manager watching the page would: answers arrive one a
day; what the page shows each day must not move unless the published count moves."""

from datetime import date, timedelta

from clinlead.surveys.models import Invitation, SurveyCycle
from clinlead.surveys.services import count_progress, issue_link, submit_response
from tests.anonymity_audit.pages import tables

DAYS = 12


def progress_rows(client, cycle):
    """unit -> (invited, answered at least, response-rate band) as the cycle page shows them."""
    html = client.get(f"/survey/cycles/{cycle.pk}/").content.decode()
    table = next(t for t in tables(html) if t.head and "Answered (at least)" in t.head)
    return {row[0]: tuple(row[1:4]) for row in table.rows}


def test_the_response_rate_band_moves_only_when_the_published_count_moves(demo, login):
    """Leak (progress bands): the band moving from 30-40 % to 40-50 % while 'answered (at least)'
    stays the same pins the count, and so tells who answered that day."""
    northgate = demo.organisations["northgate"]
    cycle = SurveyCycle.objects.get(organisation=northgate, status=SurveyCycle.Status.OPEN)
    waiting = list(
        Invitation.objects.filter(cycle=cycle, used=False).select_related("unit").order_by("pk")
    )
    by_division = {}
    for invitation in waiting:
        by_division.setdefault(invitation.unit.path.split("/")[0], []).append(invitation)
    division, invitations = max(by_division.items(), key=lambda kv: len(kv[1]))
    client = login("tara")
    seen = {}  # (unit, invited, answered at least) -> bands shown with it, by day
    day = date.today()
    for invitation in invitations[:DAYS]:
        token = issue_link(invitation=invitation)
        submit_response(token=token, answers=[4] * 12, burnout=2, satisfaction=4)
        count_progress(cycle=cycle, day=day)
        for unit, (invited, at_least, band) in progress_rows(client, cycle).items():
            seen.setdefault((unit, invited, at_least), {}).setdefault(band, day)
        day += timedelta(days=1)
    moved = {
        key: bands
        for key, bands in seen.items()
        if len(bands) > 1 and key[2] not in ("suppressed", "–")
    }
    assert not moved, "; ".join(
        f"{unit}: answered at least {at_least} of {invited} all along, but the band went "
        + " then ".join(
            f"{band} (on {d})" for band, d in sorted(bands.items(), key=lambda kv: kv[1])
        )
        for (unit, invited, at_least), bands in moved.items()
    )
    assert len(seen) > 1, f"the page showed nothing that moved over {DAYS} days in {division}"
