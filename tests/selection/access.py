"""Access rows for staff-led selection (see tests/access_table.py).

The talent admin (Tara) runs a selection; its electorate votes and sees its published results
(Alice and Bob are staff of Medicine, and of Cardiology); the committee decides (Alice sits on
the demo's Respiratory Medicine committee); everyone else is refused. A POST that is allowed
answers with a redirect, carrying its message.
"""

from tests.access_table import FOUND, NORTHGATE, only

MANAGERS = {"tara", "admin"}
CARDIOLOGY_ELECTORS = {"alice", "bob"}
NORTHGATE_STAFF = NORTHGATE - {"admin"}  # the superuser is no member of staff


def objects(world):
    from tests.selection import factories as f

    voting = f.demo_selection(f.DEMO_OPEN_BALLOT)
    nominating = f.demo_selection(f.DEMO_NOMINATING)
    return {
        "voting": voting.pk,
        "interview": voting.interviews.first().pk,
        "nominating": nominating.pk,
        "nominee": nominating.candidates.first().pk,
        # Made once for the module that holds the access table's world (tests/held_demo.py).
        "closed": f.closed(title="Clinical Director, Urology").pk,
        "counted": f.counted(title=f.MEDICINE).pk,
        "decided": f.decided(title="Clinical Director, Pathology").pk,
        "appointed": f.demo_selection(f.DEMO_COMPLETE).pk,
    }


def _on(key):
    return lambda o: {"pk": o[key]}


NORTHGATE_SLUG = lambda o: {"slug": "northgate"}  # noqa: E731

ROWS = {
    "selection:list": ("get", NORTHGATE_SLUG, only(MANAGERS)),
    "selection:open_vacancy": ("get", NORTHGATE_SLUG, only(MANAGERS)),
    "selection:policy": ("get", NORTHGATE_SLUG, only(MANAGERS)),
    "selection:detail": ("get", _on("voting"), only(MANAGERS | CARDIOLOGY_ELECTORS)),
    "selection:candidates": ("get", _on("voting"), only(MANAGERS | CARDIOLOGY_ELECTORS)),
    "selection:nominate": ("post", _on("nominating"), only(MANAGERS, when_allowed=FOUND)),
    # Any member of staff may ask to stand; the page then applies the policy and the checks.
    "selection:self_nominate": ("get", _on("nominating"), only(NORTHGATE_STAFF)),
    "selection:withdraw": ("post", _on("nominee"), only(MANAGERS, when_allowed=FOUND)),
    "selection:electorate": ("get", _on("voting"), only(MANAGERS)),
    "selection:interviews": ("get", _on("voting"), only(MANAGERS | CARDIOLOGY_ELECTORS)),
    # Attendance is recorded by the panel (the committee) or the admin, never by the voter.
    "selection:took_part": ("post", _on("interview"), only(MANAGERS, when_allowed=FOUND)),
    "selection:schedule_ballot": ("get", _on("voting"), only(MANAGERS)),
    # Only the electorate votes: not even the talent admin or the superuser.
    "selection:vote": ("get", _on("voting"), only(CARDIOLOGY_ELECTORS)),
    "selection:receipt": ("get", _on("voting"), only(MANAGERS | CARDIOLOGY_ELECTORS)),
    # The close takes the custodians' key files on its own page.
    "selection:close": ("get", _on("voting"), only(MANAGERS)),
    "selection:count": ("post", _on("closed"), only(MANAGERS, when_allowed=FOUND)),
    "selection:results": ("get", _on("counted"), only(MANAGERS | CARDIOLOGY_ELECTORS)),
    "selection:receipts": ("get", _on("counted"), only(MANAGERS | CARDIOLOGY_ELECTORS)),
    "selection:ballots": ("get", _on("counted"), only(MANAGERS | CARDIOLOGY_ELECTORS)),
    # Too few voted in the test selection for its full ballots to be published: refused to all.
    "selection:blt": ("get", _on("counted"), only(set())),
    # The scrutineers' recount file: the talent admins and the committee (none seated here).
    "selection:recount_file": ("get", _on("counted"), only(MANAGERS)),
    # Before the ballot opens, so the page still offers its forms (members are fixed from then).
    "selection:committee": ("get", _on("nominating"), only(MANAGERS)),
    "selection:decision": ("get", _on("counted"), only(MANAGERS)),
    "selection:appoint": ("post", _on("decided"), only(MANAGERS, when_allowed=FOUND)),
    "selection:appointment": ("get", _on("appointed"), only(MANAGERS | {"alice"})),
    # Cancel, move or extend the ballot, reopen nominations, remind: the admin only.
    "selection:manage": ("get", _on("voting"), only(MANAGERS)),
    # A candidate's own statement: nobody else may write it (no persona stands in the demo).
    "selection:statement": ("post", _on("nominee"), only(set(), when_allowed=FOUND)),
}
