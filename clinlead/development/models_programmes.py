"""Programmes: a template of milestones, run as cohorts; people enrol, complete milestones with
evidence or a named person's sign-off, and (for the onboarding) end with a permanent-appointment
review whose decision is recorded."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from clinlead.org.models import Organisation, Person


class Programme(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="development_programmes")
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    length_months = models.PositiveSmallIntegerField(default=36, validators=[MinValueValidator(1),
                                                                              MaxValueValidator(120)])
    framework = models.ForeignKey("development.Framework", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="programmes")
    ends_with_appointment_review = models.BooleanField(
        "ends with a permanent-appointment review", default=True)
    # The review cannot open before this much time in the programme (pauses not counted).
    min_months_before_review = models.PositiveSmallIntegerField(
        "months in the programme before the review can open", default=36,
        validators=[MinValueValidator(1), MaxValueValidator(120)])
    # How many panel members decide the review (each with reasons; the majority decides).
    panel_size = models.PositiveSmallIntegerField("review panel size", default=3,
                                                  validators=[MinValueValidator(1), MaxValueValidator(9)])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="programme_name_unique")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("development:programme", kwargs={"pk": self.pk})


class ProgrammeLead(models.Model):
    """A programme lead manages their programme: cohorts, enrolments, sign-offs, the review."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="leads")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="programmes_led")

    class Meta:
        ordering = ["person__last_name"]
        constraints = [models.UniqueConstraint(fields=["programme", "person"], name="programme_lead_unique")]

    def __str__(self):
        return f"{self.person} leads {self.programme}"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        EMOTIONAL_INTELLIGENCE = "emotional_intelligence", "Emotional intelligence assessment"
        SIMULATION = "simulation", "Simulation-centre training"
        QUALITY_IMPROVEMENT = "quality_improvement", "Quality improvement"
        FINANCE = "finance", "Finance and accounting"
        LAW = "law", "Law"
        HUMAN_RESOURCES = "human_resources", "Human resources"
        MENTOR = "mentor", "Mentoring"
        REVIEW = "review", "Review"
        OTHER = "other", "Other"

    class Completion(models.TextChoices):
        EVIDENCE = "evidence", "Evidence uploaded"
        SIGN_OFF = "sign_off", "Signed off by a named person"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    completion = models.CharField(max_length=20, choices=Completion.choices, default=Completion.EVIDENCE)
    due_month = models.PositiveSmallIntegerField("due by month", default=12,
                                                 validators=[MinValueValidator(1), MaxValueValidator(120)])

    class Meta:
        ordering = ["programme", "order"]

    def __str__(self):
        return self.title


class Cohort(models.Model):
    """One intake of a programme; a cohort mixes professions."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="cohort_name_unique")]

    def __str__(self):
        return f"{self.programme}: {self.name}"

    def get_absolute_url(self):
        return reverse("development:cohort", kwargs={"pk": self.pk})


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Pauses (leave, illness) move every due date on and do not count as time in the programme.
    paused_on = models.DateField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    status_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        constraints = [models.UniqueConstraint(fields=["cohort", "person"], name="enrolment_unique")]

    def __str__(self):
        return f"{self.person} on {self.cohort.programme}"

    def get_absolute_url(self):
        return reverse("development:enrolment", kwargs={"pk": self.pk})

    @property
    def programme(self):
        return self.cohort.programme


class EvidenceState(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned"


class MilestoneRecord(models.Model):
    """Where one enrolled person stands on one milestone."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="records")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="records")
    done = models.BooleanField(default=False)
    completed_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    # Kept as text so the record still names the person after a login is removed.
    signed_off_by_name = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    # Evidence counts only once reviewed: submitted -> accepted, or returned with a reason.
    evidence_state = models.CharField(max_length=20, choices=EvidenceState.choices, blank=True)
    evidence_reviewed_by_name = models.CharField(max_length=200, blank=True)
    evidence_reviewed_on = models.DateField(null=True, blank=True)
    evidence_return_reason = models.TextField(blank=True)
    # A due date of this person's own (part-time, leave), instead of the programme's month.
    due_on = models.DateField("own due date", null=True, blank=True)

    class Meta:
        ordering = ["milestone__order"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "milestone"], name="milestone_record_unique")]

    def __str__(self):
        return f"{self.milestone} for {self.enrolment.person}"

    def get_absolute_url(self):
        return reverse("development:milestone", kwargs={"pk": self.pk})


class EvidenceFile(models.Model):
    """An uploaded file, stored under MEDIA_ROOT by its content hash and served only through a
    permission-checked view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="development_evidence")
    milestone_record = models.ForeignKey(MilestoneRecord, null=True, blank=True, on_delete=models.CASCADE,
                                         related_name="evidence")
    stored_name = models.CharField(max_length=200)  # relative to MEDIA_ROOT
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("development:evidence_file", kwargs={"pk": self.pk})


class AppointmentReview(models.Model):
    """The permanent-appointment review at the end of the onboarding, and its decision."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", "Permanent appointment confirmed"
        EXTENDED = "extended", "Onboarding extended"
        NOT_CONFIRMED = "not_confirmed", "Permanent appointment not confirmed"

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="appointment_review")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_by_name = models.CharField(max_length=200)
    reasons = models.TextField()
    # The appointment (and so the position) the decision is about, when the person holds one.
    appointment = models.ForeignKey("org.Appointment", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="appointment_reviews")

    def __str__(self):
        return f"Permanent-appointment review of {self.enrolment.person}"


class PanelVote(models.Model):
    """One review panel member's decision and reasons. A round ends when the programme's panel
    size have voted; an extension starts a new round."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="panel_votes")
    round = models.PositiveSmallIntegerField(default=1)
    member = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    member_name = models.CharField(max_length=200)
    decision = models.CharField(max_length=20, choices=AppointmentReview.Decision.choices)
    reasons = models.TextField()
    voted_on = models.DateField()

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "round", "member"], name="one_vote_per_round")]

    def __str__(self):
        return f"{self.member_name}: {self.get_decision_display()}"
