"""Succession: a pool of candidates for every key position, the incumbent's plans, the central
monitor's settings and daily snapshots, and the term warnings already sent.

Pools keep their depth (candidates, ready now) as counts written by the services in the same
transaction as the change, so the monitor reads a few aggregates, however many positions there are.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

# Readiness is kept by org, below both succession and development, which share it (issue 19).
from clinlead.org.models_readiness import (  # noqa: E402, F401  (re-exported: pools rate by it)
    PositionReadiness,
    Readiness,
    ReadinessRecord,
    ReadinessSource,
)

READINESS_ORDER = [r.value for r in Readiness]


class SuccessionPool(models.Model):
    """The people who could succeed the holder of one position."""

    position = models.OneToOneField("org.Position", on_delete=models.CASCADE, related_name="succession_pool")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Written by the services with every change of candidates (see module docstring).
    candidate_count = models.PositiveIntegerField(default=0)
    ready_now_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["ready_now_count"]), models.Index(fields=["candidate_count"])]

    def __str__(self):
        return f"Succession pool for {self.position}"

    def get_absolute_url(self):
        return reverse("succession:pool", kwargs={"pk": self.position_id})

    @property
    def organisation(self):
        return self.position.organisation


class PoolCandidate(models.Model):
    """One person in one pool: how ready they are, who put them forward, what was agreed."""

    pool = models.ForeignKey(SuccessionPool, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="succession_candidacies")
    # The person's readiness for the pool's position, shared with their career conversations.
    standing = models.ForeignKey("org.PositionReadiness", on_delete=models.PROTECT, related_name="pool_entries")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    nominated_by_label = models.CharField(max_length=200, blank=True)
    nominated_on = models.DateField()
    development_actions = models.TextField("development actions agreed", blank=True, max_length=4000)
    notes = models.TextField(blank=True, max_length=4000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pool", "standing__level", "person__last_name"]
        constraints = [models.UniqueConstraint(fields=["pool", "person"], name="one_entry_per_person_per_pool")]

    def __str__(self):
        return f"{self.person} for {self.pool.position}"

    @property
    def readiness(self):
        return self.standing.level

    def get_readiness_display(self):
        return self.standing.get_level_display()

    @property
    def organisation(self):
        return self.pool.position.organisation


class IncumbentPlan(models.Model):
    """What the holder of an appointment plans: a departure before the term ends."""

    appointment = models.OneToOneField("org.Appointment", on_delete=models.CASCADE, related_name="succession_plan")
    planned_departure = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["planned_departure"])]

    def __str__(self):
        return f"Plan of {self.appointment}"


class MonitorSettings(models.Model):
    """An organisation's choices for the central monitor."""

    organisation = models.OneToOneField("org.Organisation", on_delete=models.CASCADE,
                                        related_name="succession_settings")
    risk_window_months = models.PositiveSmallIntegerField(
        "risk window (months)", default=12, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A position is at risk when its holder leaves within this many months and nobody is ready now.")
    over_nomination_threshold = models.PositiveSmallIntegerField(
        "over-nominated from (pools)", default=3, validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text="Someone in this many pools or more is flagged as over-nominated.")
    # Renewed by every succession action: the monitor's cached figures are kept under this token.
    data_token = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name_plural = "monitor settings"

    def __str__(self):
        return f"Succession monitor settings of {self.organisation}"



class MonitorSnapshot(models.Model):
    """The monitor's headline figures for one organisation on one day, for the trend."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="succession_snapshots")
    day = models.DateField()
    key_positions = models.PositiveIntegerField()
    ready_now_1 = models.PositiveIntegerField("key positions with at least one candidate ready now")
    ready_now_2 = models.PositiveIntegerField("key positions with at least two candidates ready now")
    empty_pools = models.PositiveIntegerField()
    at_risk = models.PositiveIntegerField()
    # Published (suppressed) figures only: pipeline diversity by level against the workforce.
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["organisation", "day"]
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="one_snapshot_per_day")]

    def __str__(self):
        return f"Succession monitor of {self.organisation} on {self.day}"


# Term warnings go out this many months before a term ends (TermWarning.Milestone).
MILESTONES = [18, 12, 6]


class TermWarning(models.Model):
    """A warning that a term ends in 18, 12 or 6 months (MILESTONES): recorded once, so it
    is sent once."""

    class Milestone(models.IntegerChoices):
        EIGHTEEN = 18, "18 months"
        TWELVE = 12, "12 months"
        SIX = 6, "6 months"

    appointment = models.ForeignKey("org.Appointment", on_delete=models.CASCADE, related_name="term_warnings")
    months_before = models.PositiveSmallIntegerField(choices=Milestone.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    # False when a more urgent warning was due at the same time and went out instead.
    emailed = models.BooleanField(default=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["appointment", "months_before"], name="one_warning_per_milestone")]

    def __str__(self):
        return f"{self.get_months_before_display()} warning for {self.appointment}"
