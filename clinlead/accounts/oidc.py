"""Single sign-on: an identity from the organisation's provider becomes a Clinlead login for the
Person with the same work e-mail. Nobody without an active Person record gets in this way.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.org.models import Person


def person_for_claims(claims):
    email = (claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        return None
    matches = list(Person.objects.filter(work_email__iexact=email, active=True)[:2])
    # Two active people sharing one address cannot be told apart: refuse rather than guess.
    return matches[0] if len(matches) == 1 else None


class PersonOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        person = person_for_claims(claims)
        if person is None:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(person=person)

    def verify_claims(self, claims):
        if super().verify_claims(claims) and person_for_claims(claims) is not None:
            return True
        record_refusal(getattr(self, "request", None), claims)
        return False

    def create_user(self, claims):
        person = person_for_claims(claims)
        with actions.atomic():
            user = self.UserModel.objects.create_user(
                username=f"sso-{person.organisation.slug}-{person.staff_number}"[:150],
                email=person.work_email, person=person,
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            audit.record(actor=user, action="accounts.sso_login_created", obj=person,
                         organisation=person.organisation, after={"username": user.username})
        return user

    def update_user(self, user, claims):
        return user


REFUSED_EMAIL = "sso_refused_email"


def record_refusal(request, claims):
    """Keep the address the provider gave, so the refusal page can say which one was not known."""
    if request is not None and hasattr(request, "session"):
        request.session[REFUSED_EMAIL] = (claims.get("email") or "").strip()[:254]


def provider_logout_url(request):
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the provider's
    end_session_endpoint, which ends its session too and sends the browser back to our login page.
    Called before Clinlead's own session is flushed (mozilla-django-oidc's OIDC_OP_LOGOUT_URL_METHOD).
    """
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"


def signed_in_through_provider(request):
    return bool(settings.OIDC_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT
                and request.session.get("oidc_id_token"))
