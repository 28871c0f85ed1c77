"""Who may open each succession page (see tests/access_table.py).

Talent admins (tara) manage every pool of Northgate; Alice, holder of Clinical Director,
Cardiology, manages that pool only; executives (erin) see the monitor and pools; Bob, Charlie,
the auditor and the special-category viewer (who sees no pools) are refused.
"""

from clinlead.accounts.models import User
from clinlead.org.models import Position
from clinlead.succession import services
from clinlead.succession.models import Readiness
from tests.access_table import FORBIDDEN, FOUND, NORTHGATE, OK, PERSONAS, only
from tests.succession.conftest import current_appointment, northgate_people

INCUMBENT_OR_TALENT = {"alice", "tara", "admin"}
TALENT = {"tara", "admin"}
MONITOR = {"tara", "erin", "admin"}
POOL_VIEWERS = {"alice", "tara", "erin", "admin"}


def objects(world):
    position = Position.objects.get(organisation__slug="northgate", title="Clinical Director, Cardiology")
    tara = User.objects.get(username="tara")
    entry = services.nominate_candidate(actor=tara, position=position, person=northgate_people(count=1)[0],
                                        readiness=Readiness.READY_NOW)
    return {"pool_position": position.pk, "candidate": entry.pk, "candidate_person": entry.person_id,
            "alices_appointment": current_appointment(position).pk}


def org(o):
    return {"slug": "northgate"}


ROWS = {
    # One organisation to monitor: straight to it; the superuser picks from the three.
    "succession:monitor_overview": ("get", lambda o: {}, {
        "anonymous": FOUND, **{r: FORBIDDEN for r in PERSONAS}, "tara": FOUND, "erin": FOUND, "admin": OK}),
    # Only those who hold a position have successors of their own to name (Charlie is a ward nurse).
    "succession:my_successors": ("get", lambda o: {}, only({"alice", "admin"})),
    "succession:pool": ("get", lambda o: {"pk": o["pool_position"]}, only(POOL_VIEWERS)),
    "succession:create_pool": ("post", lambda o: {"pk": o["pool_position"]}, only(INCUMBENT_OR_TALENT, when_allowed=FOUND)),
    "succession:nominate": ("get", lambda o: {"pk": o["pool_position"]}, only(INCUMBENT_OR_TALENT)),
    "succession:appoint": ("get", lambda o: {"pk": o["pool_position"]}, only(TALENT)),
    "succession:start_selection": ("get", lambda o: {"pk": o["pool_position"]}, only(TALENT)),
    "succession:edit_candidate": ("get", lambda o: {"pk": o["candidate"]}, only(INCUMBENT_OR_TALENT)),
    # Without the confirmation the button sends, removing goes back to the candidate's page.
    "succession:remove_candidate": ("post", lambda o: {"pk": o["candidate"]}, only(INCUMBENT_OR_TALENT, when_allowed=FOUND)),
    "succession:candidate_card": ("get", lambda o: {"pk": o["candidate_person"]}, only(TALENT)),
    "succession:departure_plan": ("get", lambda o: {"pk": o["alices_appointment"]}, only(INCUMBENT_OR_TALENT)),
    "succession:reappoint": ("get", lambda o: {"pk": o["alices_appointment"]}, only(TALENT)),
    "succession:monitor": ("get", org, only(MONITOR)),
    "succession:risk_list": ("get", org, only(MONITOR)),
    "succession:pools": ("get", org, only(MONITOR)),
    "succession:terms": ("get", org, only(MONITOR)),
    "succession:diversity": ("get", org, only(MONITOR | {"sam"})),
    "succession:settings": ("get", org, only(TALENT)),
    "succession:chart": ("get", org, only(MONITOR)),
    "succession:chart_pdf": ("get", org, only(MONITOR)),
    "succession:scorecards_xlsx": ("get", org, only(MONITOR)),
    "succession:dyads": ("get", org, only(NORTHGATE)),
    "succession:search": ("get", org, only(TALENT)),
    "succession:nine_box": ("get", org, only(TALENT)),
}
