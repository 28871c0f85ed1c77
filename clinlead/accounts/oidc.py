"""Single sign-on: an identity from the organisation's provider becomes a Clinlead login for the
Person with the same work e-mail. Nobody without an active Person record gets in this way.
"""

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
        return super().verify_claims(claims) and person_for_claims(claims) is not None

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
