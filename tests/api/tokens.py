"""API tokens for the API's tests: made as an organisation admin makes them, sent as a tool
sends them."""

from clinlead.accounts import api_tokens
from clinlead.accounts.models import User
from clinlead.org.models import Organisation


def token(*, scopes, slug="northgate", name="Tool"):
    """(stored token, secret) of `slug`, created by the superuser (allowed every scope)."""
    return api_tokens.create_api_token(actor=User.objects.get(username="admin"),
                                       organisation=Organisation.objects.get(slug=slug), name=name,
                                       scopes=list(scopes))


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def organisation_admin_only(slug="northgate"):
    """A login that is the organisation's admin (so creates tokens) and holds no other role."""
    from clinlead.accounts.roles import grant_role

    user = User.objects.create_user(username=f"orgadmin-{slug}", password="x" * 20)
    grant_role(actor=User.objects.get(username="admin"),
               organisation=Organisation.objects.get(slug=slug), role="organisation_admin",
               user=user)
    return user
