"""Logins and the roles granted to them.

A login may belong to a Person (staff, and leaders through their positions and reports).
Roles that are not derived from the organisation chart are granted per organisation.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    TALENT_ADMIN = "talent_admin", "Talent admin"
    EXECUTIVE = "executive", "Executive"
    AUDITOR = "auditor", "Auditor"
    # Granted separately because it opens gender and ethnicity aggregates.
    SPECIAL_CATEGORY = "special_category", "Equality lead (special-category data)"
    # Grants and revokes the other roles of their organisation (docs/configuration.md).
    ORGANISATION_ADMIN = "organisation_admin", "Organisation admin"


class User(AbstractUser):
    person = models.OneToOneField(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )

    def __str__(self):
        return self.person.full_name if self.person_id else self.username


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organisation"], name="role_grant_unique")
        ]

    def __str__(self):
        return f"{self.get_role_display()} for {self.organisation}"


from clinlead.accounts.models_api import ApiToken  # noqa: E402, F401  (its own file: docs/api.md)
