"""API tokens: how a BI tool or an HR system signs in to Clinlead's API (docs/api.md).

A token belongs to one organisation and carries scopes (what it may read). Only a SHA-256 digest
of the token is stored: the token itself is shown once, when it is created, and cannot be read
back. A token is random (256 bits), so a fast digest is enough: there is nothing to guess.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'Power BI leader index'")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_on = models.DateField()
    # The day, not the time: enough to see an unused token, without a log of every call.
    last_used_on = models.DateField(null=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="api_token_name_unique")]

    def __str__(self):
        return f"API token {self.name!r} of {self.organisation}"
