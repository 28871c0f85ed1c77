"""Who may call the API (see tests/access_table.py).

The API signs in with an organisation's token only (docs/api.md): a browser session, whoever
it belongs to, gets 401, on reading endpoints and on the HR extract upload alike (a session
cannot upload an extract through the API, whatever its roles). The schema is the published
contract and holds no data: anyone reads it. The API tokens page is the organisation admins'
(Tara is made one in tests/accounts/access.py) and superusers'.
"""

from clinlead.accounts import api_tokens
from clinlead.accounts.models import User
from clinlead.evaluation.models import Evaluation
from clinlead.org.models import Organisation
from clinlead.surveys.models import SurveyCycle
from tests.access_table import FOUND, NOT_FOUND, OK, ROLES, only

UNAUTHORISED = 401


def objects(world):
    northgate = Organisation.objects.get(slug="northgate")
    token, _ = api_tokens.create_api_token(actor=User.objects.get(username="admin"),
                                           organisation=northgate, name="Access table",
                                           scopes=["leaderindex:read"])
    return {"api_cycle": SurveyCycle.objects.filter(organisation__slug="northgate",
                                                    status=SurveyCycle.Status.PUBLISHED).first().pk,
            "api_token": token.pk, "api_evaluation": Evaluation.objects.first().pk}


ROWS = {
    # django-ninja's root marks where the API is mounted; there is nothing at it.
    "api:api-root": ("get", lambda o: {}, {role: NOT_FOUND for role in ROLES}),
    "api:openapi-json": ("get", lambda o: {}, {role: OK for role in ROLES}),
    "api:leaderindex_cycles": ("get", lambda o: {}, {role: UNAUTHORISED for role in ROLES}),
    "api:leaderindex_summary": ("get", lambda o: {"cycle_id": o["api_cycle"]},
                                {role: UNAUTHORISED for role in ROLES}),
    "api:hr_extract_upload": ("post", lambda o: {}, {role: UNAUTHORISED for role in ROLES}),
    "api:hr_extract_apply": ("post", lambda o: {"preview_id": "x" * 22},
                             {role: UNAUTHORISED for role in ROLES}),
    "api:succession_monitor": ("get", lambda o: {}, {role: UNAUTHORISED for role in ROLES}),
    "api:evaluation_list": ("get", lambda o: {}, {role: UNAUTHORISED for role in ROLES}),
    "api:evaluation_results": ("get", lambda o: {"evaluation_id": o["api_evaluation"]},
                               {role: UNAUTHORISED for role in ROLES}),
    "accounts:api_tokens": ("get", lambda o: {"slug": "northgate"}, only({"tara", "admin"})),
    # Revoking answers with the page again; a token already revoked stays revoked.
    "accounts:api_token_revoke": ("post", lambda o: {"slug": "northgate", "pk": o["api_token"]},
                                  only({"tara", "admin"}, when_allowed=FOUND)),
}
