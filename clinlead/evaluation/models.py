"""Evaluations: pilot organisations against comparison organisations, before and after.

An evaluation names its organisations (Clinlead organisations, or comparators known only by
name in the data), the metrics it follows, and holds their observations: organisation-level
figures per period, imported from files or, for the leader index, taken from Clinlead's own
published cycles. Results are computed by the analytics core when the data changes and kept
here per metric, so pages only read them.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from clinlead.analytics.periods import DATE, MONTH, QUARTER, parse_period

LEADER_INDEX = "leader_index"


class Metric(models.Model):
    """An outcome in the catalogue: Clinlead's own (no organisation) or one an organisation added."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    # The name files use in their `metric` column.
    name = models.CharField(max_length=60, unique=True)
    label = models.CharField(max_length=200)
    definition = models.TextField()
    unit = models.CharField(max_length=60)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    source = models.TextField(blank=True)
    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="evaluation_metrics", help_text="The organisation that added it; empty for Clinlead's own.",
    )

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.label

    @property
    def is_leader_index(self):
        return self.name == LEADER_INDEX

    def describe_change(self, *, change: float) -> str:
        """Plain words for a change, e.g. "3.1 index points lower (lower is better)"."""
        if change == 0:
            return f"no different ({self.direction} is better)"
        way = "higher" if change > 0 else "lower"
        return f"{abs(change):.3g} {self.unit} {way} ({self.direction} is better)"


class Evaluation(models.Model):
    name = models.CharField(max_length=200)
    # The organisation that set it up; it takes part, whatever its role in the data.
    organisation = models.ForeignKey("org.Organisation", on_delete=models.PROTECT, related_name="evaluations")
    question = models.TextField(blank=True)
    metrics = models.ManyToManyField(Metric, related_name="evaluations")
    # Event-study window and randomisation inference (see clinlead.analytics.did).
    leads = models.PositiveSmallIntegerField(default=6)
    lags = models.PositiveSmallIntegerField(default=12)
    permutations = models.PositiveSmallIntegerField(default=499)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="evaluation_name_unique")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluation:detail", kwargs={"pk": self.pk})


class EvaluationOrganisation(models.Model):
    """A pilot or comparison organisation, as the data names it."""

    class Role(models.TextChoices):
        PILOT = "pilot", "Pilot"
        COMPARATOR = "comparator", "Comparison"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=30, blank=True, help_text="e.g. the ODS code; files may use it")
    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="evaluation_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    # A pilot's start: a month (2024-07), quarter (2024-Q3) or date (2024-07-15).
    start = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["role", "name"]  # pilots first
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "name"], name="evaluation_organisation_name_unique"),
            models.UniqueConstraint(fields=["evaluation", "organisation"], condition=Q(organisation__isnull=False),
                                    name="evaluation_organisation_once"),
            models.CheckConstraint(condition=Q(role="pilot", start__gt="") | Q(role="comparator", start=""),
                                   name="evaluation_pilots_have_a_start"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_pilot(self):
        return self.role == self.Role.PILOT

    def start_in(self, granularity: str) -> str:
        """The start in a metric's periods: the month, quarter or day the start falls in."""
        first = first_day(self.start)
        if granularity == MONTH:
            return f"{first.year:04d}-{first.month:02d}"
        if granularity == QUARTER:
            return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
        return first.isoformat()


def first_day(label: str) -> date:
    """The first day of a period label."""
    period = parse_period(text=label)
    if period.granularity == DATE:
        return date.fromordinal(period.ordinal)
    if period.granularity == QUARTER:
        year, quarter0 = divmod(period.ordinal, 4)
        return date(year, quarter0 * 3 + 1, 1)
    year, month0 = divmod(period.ordinal, 12)
    return date(year, month0 + 1, 1)


class Observation(models.Model):
    """One organisation's value of one metric in one period."""

    class Source(models.TextChoices):
        FILE = "file", "Imported file"
        LEADER_INDEX = "leader_index", "Published leader-index cycle"

    participant = models.ForeignKey(EvaluationOrganisation, on_delete=models.CASCADE, related_name="observations")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="observations")
    period = models.CharField(max_length=20)  # canonical label: 2025-01, 2025-Q1 or 2025-01-15
    granularity = models.CharField(max_length=10)
    ordinal = models.IntegerField()  # for ordering periods of one granularity
    value = models.FloatField()
    # A count-based metric's denominator (bed days, expected deaths); the value is then the count.
    exposure = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.FILE)
    # For the leader index: the published cycle the figure is from.
    cycle = models.ForeignKey("surveys.SurveyCycle", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["metric", "participant", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "period", "metric"], name="one_observation_per_period"),
        ]
        indexes = [models.Index(fields=["metric", "participant"])]

    def __str__(self):
        return f"{self.participant} {self.metric.name} {self.period}"


class MetricResult(models.Model):
    """The analysis of one metric, computed when its data or the design changed."""

    class Status(models.TextChoices):
        ESTIMATED = "estimated", "Estimated"
        NOT_ESTIMABLE = "not_estimable", "Not estimable"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="results")
    status = models.CharField(max_length=20, choices=Status.choices)
    # clinlead.analytics.did.evaluate's dict (non-finite numbers as null); empty if not estimable.
    result = models.JSONField(default=dict)
    reason = models.TextField(blank=True)  # why there is no estimate
    # Mean of pilots and of comparators per period: [{period, start, group, mean, n}].
    trends = models.JSONField(default=list)
    # The charts, drawn when the result was computed (empty: drawn when first shown, then cached).
    trend_svg = models.TextField(blank=True)
    event_svg = models.TextField(blank=True)
    # What the result was computed from (design and data); a different one means out of date.
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["evaluation", "metric"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "metric"], name="one_result_per_metric")]

    def __str__(self):
        return f"{self.metric} in {self.evaluation}"


class PrimaryOutcome(models.Model):
    """The one outcome an evaluation names before results exist (pre-registration).

    It may change until the talent admin locks it or until the first estimate exists; after
    that it is fixed, so the primary outcome cannot be chosen for looking good. The other
    metrics are secondary: their p-values are adjusted for being several (Holm).
    """

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="primary_outcome")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                      related_name="+")
    registered_at = models.DateTimeField()
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    locked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.metric} (primary outcome of {self.evaluation})"

    @property
    def is_locked(self):
        return self.locked_at is not None
