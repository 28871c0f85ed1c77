"""Legal holds: while one is in place, a person's data may not be erased (a claim, an
investigation, a tribunal). Placed and lifted only through `clinlead.subjects.services`."""

from django.conf import settings
from django.db import models


class LegalHold(models.Model):
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(max_length=300)
    placed_on = models.DateField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_on", "-id"]
        default_permissions = ()

    def __str__(self):
        # Never the person's name: this string reaches the audit trail, which outlives an erasure.
        return f"Legal hold {self.pk}"

    @property
    def in_force(self):
        return self.lifted_on is None
