"""Helpers for the URL × role access table (tests/test_access.py).

Each domain app keeps its rows in `tests/<app>/access.py`:

    ROWS = {"succession:pool": ("get", lambda o: {"pk": o["pool"]}, only({"tara", "admin"}))}
    def objects(world):            # optional: ids the rows need, built on the demo world
        return {"pool": ...}

`world` is the demo fixture's DemoWorld (with `.generator`); `o` holds every module's objects.
"""

from clinlead.org import demo_data as D

PERSONAS = [username for username, _, _ in D.PERSONAS]
ROLES = ["anonymous", *PERSONAS]
NORTHGATE = {"alice", "bob", "tara", "erin", "aude", "sam", "admin"}
EVERYONE_LOGGED_IN = set(PERSONAS)
OK, FOUND, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405


def only(allowed, *, when_allowed=OK, otherwise=FORBIDDEN, anonymous=FOUND):
    """Logged-in roles in `allowed` get when_allowed, other logged-in roles get otherwise;
    anonymous visitors are sent to the login page (or get `anonymous`)."""
    table = {role: (when_allowed if role in allowed else otherwise) for role in PERSONAS}
    return {"anonymous": anonymous, **table}
