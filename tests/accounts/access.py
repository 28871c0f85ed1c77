"""Who may open the Roles pages (see tests/access_table.py).

Organisation admins grant and revoke their own organisation's roles; superusers do everywhere.
Here Tara is also made Northgate's organisation admin; everybody else, including the executive
and the auditor whose roles the page lists, is refused.
"""

from clinlead.accounts import roles
from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.org.models import Organisation
from tests.access_table import only

ROLE_ADMINS = {"tara", "admin"}


def objects(world):
    northgate = Organisation.objects.get(slug="northgate")
    roles.grant_role(
        actor=None,
        organisation=northgate,
        role=Role.ORGANISATION_ADMIN,
        user=User.objects.get(username="tara"),
    )
    return {
        "erins_grant": RoleGrant.objects.get(user__username="erin", role=Role.EXECUTIVE).pk,
        "a_programme_lead": roles.programme_leads(organisation=northgate).first().pk,
    }


ROWS = {
    "accounts:roles": ("get", lambda o: {"slug": "northgate"}, only(ROLE_ADMINS)),
    # An empty grant shows the page again with its errors; nothing is granted.
    "accounts:role_grant": ("post", lambda o: {"slug": "northgate"}, only(ROLE_ADMINS)),
    # GET is the confirmation page; only its POST revokes.
    "accounts:role_revoke": (
        "get",
        lambda o: {"slug": "northgate", "pk": o["erins_grant"]},
        only(ROLE_ADMINS),
    ),
    "accounts:programme_lead_grant": ("post", lambda o: {"slug": "northgate"}, only(ROLE_ADMINS)),
    "accounts:programme_lead_revoke": (
        "get",
        lambda o: {"slug": "northgate", "pk": o["a_programme_lead"]},
        only(ROLE_ADMINS),
    ),
}
