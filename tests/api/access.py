"""Who may call the API (see tests/access_table.py).

The API signs in with an organisation's token only (docs/api.md): a browser session, whoever
it belongs to, gets 401. The schema is the published contract and holds no data: anyone reads it.
"""

from clinlead.surveys.models import SurveyCycle
from tests.access_table import NOT_FOUND, OK, ROLES

UNAUTHORISED = 401


def objects(world):
    return {"api_cycle": SurveyCycle.objects.filter(organisation__slug="northgate",
                                                    status=SurveyCycle.Status.PUBLISHED).first().pk}


ROWS = {
    # django-ninja's root marks where the API is mounted; there is nothing at it.
    "api:api-root": ("get", lambda o: {}, {role: NOT_FOUND for role in ROLES}),
    "api:openapi-json": ("get", lambda o: {}, {role: OK for role in ROLES}),
    "api:leaderindex_cycles": ("get", lambda o: {}, {role: UNAUTHORISED for role in ROLES}),
    "api:leaderindex_summary": ("get", lambda o: {"cycle_id": o["api_cycle"]},
                                {role: UNAUTHORISED for role in ROLES}),
}
