"""Access rows for the survey pages (see tests/access_table.py)."""

from clinlead.surveys.models import SurveyCycle
from tests.access_table import FOUND, NORTHGATE, OK, ROLES, only

GONE = 410
MANAGERS = {"tara", "admin"}
VIEWERS = {"tara", "erin", "admin"}


def objects(world):
    northgate = world.organisations["northgate"]
    return {
        "open_cycle": SurveyCycle.objects.get(organisation=northgate, status=SurveyCycle.Status.OPEN).pk,
        "published_cycle": SurveyCycle.objects.filter(organisation=northgate, status=SurveyCycle.Status.PUBLISHED)
        .order_by("-opens_on").first().pk,
        "alice": world.personas["alice"],
    }


ROWS = {
    # The survey form needs no login: the link is the key. An unknown link is refused alike for all.
    "surveys:answer": ("get", lambda o: {"token": "no-such-link"}, {role: GONE for role in ROLES}),
    "surveys:thanks": ("get", lambda o: {}, {role: OK for role in ROLES}),
    "surveys:cycles": ("get", lambda o: {"slug": "northgate"}, only(VIEWERS)),
    "surveys:cycle": ("get", lambda o: {"pk": o["open_cycle"]}, only(VIEWERS)),
    "surveys:cycle_action": ("post", lambda o: {"pk": o["open_cycle"], "action": "remind"},
                             only(MANAGERS, when_allowed=FOUND)),
    # An open cycle cannot be reopened: the managers are sent back to it with the reason.
    "surveys:reopen": ("post", lambda o: {"pk": o["open_cycle"]}, only(MANAGERS, when_allowed=FOUND)),
    # Everyone at Northgate with a person record was invited; the superuser has no person.
    "surveys:start": ("get", lambda o: {"pk": o["open_cycle"]}, only(NORTHGATE - {"admin"})),
    "leaderindex:my_report": ("get", lambda o: {}, {**only(set(ROLES) - {"alice"}), "alice": FOUND}),
    "leaderindex:report": ("get", lambda o: {"cycle": o["published_cycle"], "leader": o["alice"]},
                           only({"alice", "tara", "erin", "admin"})),
    "leaderindex:report_pdf": ("get", lambda o: {"cycle": o["published_cycle"], "leader": o["alice"]},
                               only({"alice", "tara", "erin", "admin"})),
    "leaderindex:dashboard": ("get", lambda o: {"pk": o["published_cycle"]}, only(VIEWERS)),
    # Publishing an already published cycle is refused with a message on the survey's page.
    "leaderindex:publish": ("post", lambda o: {"pk": o["published_cycle"]}, only(MANAGERS, when_allowed=FOUND)),
    "leaderindex:export": ("get", lambda o: {"pk": o["published_cycle"]}, only(VIEWERS)),
    "leaderindex:import": ("get", lambda o: {"slug": "northgate"}, only(MANAGERS)),
}
