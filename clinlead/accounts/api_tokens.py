"""Creating, revoking and checking API tokens (docs/api.md). Creating and revoking are actions
with their audit event; the token itself never reaches the audit trail, a log or the database.

Scopes say what a token may do. They are few and named after what they open:
- `leaderindex:read`: a published cycle's organisation and unit figures (the dashboard's);
- `leaderindex:leaders:read`: with it, each published leader's figures too (the Excel export's
  "Leaders" sheet), which name leaders and so are asked for separately;
- `hr:write`: upload an HR extract and apply it (the HR import page's action);
- `succession:read`: the succession monitor's figures;
- `evaluation:read`: the stored results of the evaluations the organisation takes part in.

A token can do no more than the person who creates it: a scope that opens a page's figures or
action needs its creator to be allowed that page (`SCOPE_NEEDS`), besides being the organisation
admin who creates tokens. Otherwise an organisation admin could give a machine the HR import
(which ends logins) that they may not use themselves.
"""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from clinlead import actions
from clinlead.accounts.models import ApiToken
from clinlead.accounts.permissions import (
    can_import_hr,
    can_list_evaluations,
    can_manage_roles,
    can_view_succession_monitor,
)
from clinlead.audit import services as audit

SCOPES = {
    "leaderindex:read": "published leader-index figures of the organisation and its units",
    "leaderindex:leaders:read": "published leader-index figures of each leader (names leaders)",
    "hr:write": "upload an HR extract and apply it, as the HR import page does",
    "succession:read": "the succession monitor's figures: bench strength, positions at risk",
    "evaluation:read": "the stored results of the evaluations the organisation takes part in",
}
# The page permission a token's creator needs for each scope (the leader-index scopes open
# figures every organisation admin's organisation publishes, so need nothing more).
SCOPE_NEEDS = {
    "hr:write": (can_import_hr, "the HR import (a talent admin)"),
    "succession:read": (can_view_succession_monitor, "the succession monitor (an executive or talent admin)"),
    "evaluation:read": (can_list_evaluations, "the evaluations (an executive or talent admin)"),
}
PREFIX = "clinlead_"


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(*, actor, organisation, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token for `organisation`: (the stored token, the secret to show once)."""
    if not (getattr(actor, "is_superuser", False) or can_manage_roles(actor, organisation)):
        raise PermissionDenied("Only an organisation admin or a superuser creates API tokens")
    name = name.strip()
    unknown = sorted(set(scopes) - set(SCOPES))
    if not name:
        raise ValidationError("Give the token a name that says what uses it")
    if unknown or not scopes:
        raise ValidationError(f"Scopes: {', '.join(unknown) or 'none given'}; "
                              f"the scopes are: {', '.join(SCOPES)}")
    for scope in sorted(set(scopes) & set(SCOPE_NEEDS)):
        allowed, what = SCOPE_NEEDS[scope]
        if not allowed(actor, organisation):
            # A ValidationError, not PermissionDenied: the page shows it beside the scopes.
            raise ValidationError(f"The scope {scope} needs its creator to be allowed {what} at {organisation}")
    if ApiToken.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError(f"{organisation} already has a token named {name!r}")
    secret = PREFIX + secrets.token_urlsafe(32)
    with actions.atomic():
        token = ApiToken.objects.create(
            organisation=organisation, name=name, digest=digest_of(secret), scopes=sorted(set(scopes)),
            created_by=actor, created_on=timezone.localdate())
        audit.record(actor=actor, action="accounts.api_token_created", obj=token,
                     organisation=organisation, after={"name": name, "scopes": token.scopes})
    return token, secret


def revoke_api_token(*, actor, token: ApiToken) -> None:
    if not (getattr(actor, "is_superuser", False) or can_manage_roles(actor, token.organisation)):
        raise PermissionDenied("Only an organisation admin or a superuser revokes API tokens")
    with actions.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked=True)
        audit.record(actor=actor, action="accounts.api_token_revoked", obj=token,
                     organisation=token.organisation, before={"revoked": token.revoked},
                     after={"revoked": True})
    token.revoked = True


def token_for(*, secret: str) -> ApiToken | None:
    """The live token whose secret this is, or None. Notes the day it was used (bookkeeping, as
    a session's expiry is: not an action and not audited, once a day at most)."""
    token = (ApiToken.objects.filter(digest=digest_of(secret), revoked=False)
             .select_related("organisation").first())
    if token is not None:
        today = timezone.localdate()
        if token.last_used_on != today:
            ApiToken.objects.filter(pk=token.pk).update(last_used_on=today)
            token.last_used_on = today
    return token
