"""One readiness per person and position (issue 19), with its history.

Kept by org, below the two domains that share it: succession pools rate candidates by it and
career conversations (development) assess it. Written only through `clinlead.org.readiness`.
"""

from django.conf import settings
from django.db import models


class Readiness(models.TextChoices):
    READY_NOW = "ready_now", "Ready now"
    ONE_TO_TWO_YEARS = "1_2_years", "1–2 years"
    THREE_TO_FIVE_YEARS = "3_5_years", "3–5 years"
    FIVE_YEARS_PLUS = "5_plus_years", "5+ years"


class ReadinessSource(models.TextChoices):
    POOL = "pool", "Succession pool"
    CAREER_CONVERSATION = "career_conversation", "Career conversation"


class ReadinessAssessment(models.Model):
    """What one assessment of readiness says: the current value and each history row hold it."""

    level = models.CharField("readiness", max_length=20, choices=Readiness.choices)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    # Kept as text so the history still names the assessor after a login is removed.
    assessed_by_label = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=30, choices=ReadinessSource.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True


class PositionReadiness(ReadinessAssessment):
    """How ready one person is for one position: the one value that the succession pool and the
    career conversation both read and write (through `clinlead.org.readiness`), so the two can no
    longer disagree. Every assessment, including the current one, is a `ReadinessRecord`."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="position_readiness")
    position = models.ForeignKey("org.Position", on_delete=models.CASCADE, related_name="candidate_readiness")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "position readiness"
        constraints = [models.UniqueConstraint(fields=["person", "position"], name="one_readiness_per_person_position")]
        indexes = [models.Index(fields=["position", "level"])]

    def __str__(self):
        return f"{self.person} for {self.position}: {self.get_level_display()}"


class ReadinessRecord(ReadinessAssessment):
    """One assessment of a person's readiness for a position, as it was made. The newest (by
    date assessed, then by when it was recorded) is the current readiness; an assessment dated
    before the current one is kept here only (`older_than_current`)."""

    readiness = models.ForeignKey(PositionReadiness, on_delete=models.CASCADE, related_name="history")
    older_than_current = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self):
        return f"{self.get_level_display()} on {self.assessed_on} ({self.get_source_display()})"
