"""Published leader-index results. Rows exist only for figures the disclosure rule publishes
(analytics.disclosure, docs/anonymity.md), so nothing below the threshold is ever stored where a
page could read it.

`responses` is the number of respondents whose index counts in the figure (10 or more of the 12
questions answered), the `n` of the analyst command. `covers` lists the [unit path, leader staff
number] cells whose respondents the figure includes. Behaviours, items and rates hold None where
they are not shown (fewer than k answered).
"""

from django.db import models


class CycleResult(models.Model):
    """Organisation-wide figures of one published cycle."""

    cycle = models.OneToOneField("surveys.SurveyCycle", on_delete=models.CASCADE, related_name="result")
    min_responses = models.PositiveSmallIntegerField()
    responses = models.PositiveIntegerField(null=True)  # null when the whole cycle is below k
    index = models.FloatField(null=True)
    # The organisation's other published figures: ci95, behaviours, covers, and whether some
    # answers are withheld (at most k-1, pooled to the top and still too few).
    organisation_figures = models.JSONField(default=dict)
    # Association of leader ratings with burnout and satisfaction (published groups only).
    association = models.JSONField(default=dict)
    # Index per published leader (for the distribution chart; no names).
    leader_indices = models.JSONField(default=list)
    response_rate = models.JSONField(default=dict)

    def __str__(self):
        return f"Results of the {self.cycle}"


class LeaderResult(models.Model):
    cycle = models.ForeignKey("surveys.SurveyCycle", on_delete=models.CASCADE, related_name="leader_results")
    leader = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="leader_results")
    responses = models.PositiveIntegerField()
    index = models.FloatField()
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    behaviours = models.JSONField(default=dict)
    items = models.JSONField(default=dict)
    percentile = models.FloatField(null=True)
    burnout_rate = models.FloatField(null=True)
    burnout_answered = models.PositiveIntegerField(null=True)
    satisfaction_rate = models.FloatField(null=True)
    satisfaction_answered = models.PositiveIntegerField(null=True)
    covers = models.JSONField(default=list)
    # The index shrunk toward the organisation by empirical Bayes (clinlead.analytics.shrinkage),
    # its interval clipped to the scale, and the quarter of the organisation's leaders it falls
    # in (0 bottom .. 3 top) with the quarters its interval reaches; band null when leaders'
    # scores do not differ beyond chance. Computed from the published figures only.
    shrunk_index = models.FloatField(null=True)
    shrunk_low = models.FloatField(null=True)
    shrunk_high = models.FloatField(null=True)
    band = models.PositiveSmallIntegerField(null=True)
    band_low = models.PositiveSmallIntegerField(null=True)
    band_high = models.PositiveSmallIntegerField(null=True)
    # Comments are released to the leader only when their number reaches the comment threshold.
    comments_released = models.BooleanField(default=False)

    class Meta:
        ordering = ["cycle", "leader"]
        constraints = [models.UniqueConstraint(fields=["cycle", "leader"], name="one_result_per_leader")]

    def __str__(self):
        return f"{self.leader} in the {self.cycle}"


class UnitResult(models.Model):
    cycle = models.ForeignKey("surveys.SurveyCycle", on_delete=models.CASCADE, related_name="unit_results")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="leader_index_results")
    responses = models.PositiveIntegerField()
    index = models.FloatField()
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    behaviours = models.JSONField(default=dict)
    burnout_rate = models.FloatField(null=True)
    satisfaction_rate = models.FloatField(null=True)
    # Some of the unit's answers are counted only at a higher level (said in words, never as a number).
    counted_higher_up = models.BooleanField(default=False)
    covers = models.JSONField(default=list)

    class Meta:
        ordering = ["cycle", "unit"]
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="one_result_per_unit")]

    def __str__(self):
        return f"{self.unit} in the {self.cycle}"
