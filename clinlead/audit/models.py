"""The audit trail: one row for every state change, written in the same transaction.

Before/after hold only non-sensitive fields; survey answers and ballot choices never
reach this table (the actions that handle them record that something happened, not what).
"""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the trail still reads after a login is removed.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=100, db_index=True)
    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["organisation", "occurred_at"])]

    def __str__(self):
        return f"{self.action} by {self.actor_label}"


class DailyCount(models.Model):
    """How many times something happened on a day, for actions whose single events would date
    a person: answering a survey, voting. The audit trail keeps the count, never who or when."""

    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    # A day's count may be split over a few rows (slots), added up when read: answers sent at the
    # same moment each take a row no other open transaction holds, instead of queueing on one row
    # for each other's commit (audit.services.count_today). One at a time, they all go to slot 0.
    slot = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-day", "action"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "object_type", "object_id", "day", "slot"],
                name="one_count_per_day_and_slot",
            )
        ]

    def __str__(self):
        return f"{self.action} x{self.count} on {self.day}"
