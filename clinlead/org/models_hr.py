"""A record of each applied HR import, kept so the import can be reversed (clinlead.org.hr_reversal).

The journal holds ids and the previous values of the ordinary fields an import changed (names,
e-mail, profession, grade, start date, in post or not, unit and leader rows). It never holds
gender or ethnicity: special-category values are not copied anywhere else, so a reversal does
not undo changes to them (docs/hr-import.md).
"""

from django.conf import settings
from django.db import models


class HrImport(models.Model):
    organisation = models.ForeignKey("org.Organisation", on_delete=models.PROTECT, related_name="hr_imports")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    # Who applied it when that is not a login: an API token ("API token 'HR feed' of northgate");
    # empty for a login (applied_by) or the command line.
    applied_by_label = models.CharField(max_length=200, blank=True)
    applied_at = models.DateTimeField()
    filename = models.CharField(max_length=200)
    full_extract = models.BooleanField()
    effective = models.DateField()
    counts = models.JSONField(default=dict)
    journal = models.JSONField(default=dict)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    reversal = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        indexes = [models.Index(fields=["organisation", "applied_at"])]

    def __str__(self):
        return f"HR import {self.pk} of {self.filename}"
