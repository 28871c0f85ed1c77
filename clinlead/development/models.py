"""Development: competency frameworks, assessments with 360 feedback, programmes, learning
records, coaching and mentoring, and career conversations.

This module holds frameworks and assessments; programmes live in `models_programmes`, the rest
in `models_people` (both imported at the bottom, so Django finds every model here).

360 feedback is anonymous at rest: while an assessment is open, each answer is kept only as a
sealed box that its custodian's key file opens (see docs/development.md, "Threat model"); at close
the boxes are opened, and the answers join the stored responses all at once, in a fresh random
order under random ids, with no key to a rater, an invitation or a time.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from clinlead.org.models import Organisation, Person

# Used when a framework names no levels of its own (the board framework names none).
DEFAULT_SCALE = ["Not yet shown", "Developing", "Established", "Role model"]


class Framework(models.Model):
    """One version of a competency framework: national (no organisation) or an organisation's own.

    Loaded versions are never changed: assessments keep pointing at the version they used.
    """

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="development_frameworks"
    )
    code = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    publisher = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code", "version"], name="framework_version_unique"),
            models.UniqueConstraint(fields=["code", "version"], condition=Q(organisation__isnull=True),
                                    name="national_framework_version_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"

    def get_absolute_url(self):
        return reverse("development:framework", kwargs={"pk": self.pk})

    @property
    def is_national(self):
        return self.organisation_id is None

    def scale(self):
        """The rating scale [(score, label)], from 1: the framework's levels, or the default."""
        names = [level.name for level in self.levels.all()] or DEFAULT_SCALE
        return list(enumerate(names, start=1))


class FrameworkLevel(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "rank"]
        constraints = [models.UniqueConstraint(fields=["framework", "rank"], name="framework_level_unique")]

    def __str__(self):
        return self.name


class Dimension(models.Model):
    """A dimension (or domain) of a framework."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField()
    # The framework's own behaviour statements for this dimension, in its own order (raters read them).
    behaviours = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="dimension_code_unique")]

    def __str__(self):
        return self.name


class RaterGroup(models.TextChoices):
    MANAGER = "manager", "Line manager"
    PEER = "peer", "Peers"
    DIRECT_REPORT = "direct_report", "Direct reports"


# Groups whose answers are pooled and shown only from the threshold up; the line manager's
# answers are shown as the manager's and never pooled with these.
ANONYMOUS_GROUPS = [RaterGroup.PEER, RaterGroup.DIRECT_REPORT]


class Assessment(models.Model):
    """A person assessed against one framework: their self-assessment and, if they invite
    raters, 360 feedback. Rater figures appear only once it is closed."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        VOIDED = "voided", "Voided"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="development_assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    # {dimension id (as text): score}; the person's own view, shown as theirs.
    self_scores = models.JSONField(default=dict, blank=True)
    self_submitted_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # The anonymity threshold raters were promised when it opened: never lowered afterwards.
    k = models.PositiveSmallIntegerField("anonymity threshold", default=5)
    # The custodian's public key: answers are sealed to it; only the custodian's key file opens them.
    public_key = models.CharField(max_length=60, blank=True)
    custodian_name = models.CharField(max_length=200, blank=True)
    voided_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["person", "state"])]

    def __str__(self):
        return f"{self.framework.name} assessment of {self.person}"

    def get_absolute_url(self):
        return reverse("development:assessment", kwargs={"pk": self.pk})

    @property
    def organisation(self):
        return self.person.organisation

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def is_closed(self):
        return self.state == self.State.CLOSED

    @property
    def effective_k(self):
        """The threshold promised at opening, or the organisation's if it has since been raised."""
        return max(self.k, self.person.organisation.min_responses)


class FeedbackInvitation(models.Model):
    """A single-use request to one rater. The random id is the link; nothing points from a
    response back to it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    rater = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feedback_invitations")
    rater_group = models.CharField(max_length=20, choices=RaterGroup.choices)
    # Proposed raters wait for the person's line manager, a programme lead or a talent admin.
    approved = models.BooleanField(default=False)
    used = models.BooleanField(default=False)

    class Meta:
        ordering = ["rater_group", "rater__last_name"]
        constraints = [models.UniqueConstraint(fields=["assessment", "rater"], name="one_invitation_per_rater")]

    def __str__(self):
        return f"Feedback request for {self.assessment.person}"

    def get_absolute_url(self):
        return reverse("development:give_feedback", kwargs={"pk": self.pk})


class SealedFeedback(models.Model):
    """One answer while the assessment is open: a sealed box (rater group and scores inside, padded
    to one size) that only the custodian's key file opens. Deleted when the assessment closes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sealed_answers")
    box = models.BinaryField()

    def __str__(self):
        return "Sealed feedback"


class FeedbackResponse(models.Model):
    """One rater's scores, written only at close. Deliberately no rater, no invitation, no timestamp."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    rater_group = models.CharField(max_length=20, choices=RaterGroup.choices)
    scores = models.JSONField(default=dict)  # {dimension id (as text): score}

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return "Feedback response"


from clinlead.development.models_people import (  # noqa: E402, F401
    DevelopmentPlan,
    LearningRecord,
    MentoringAgreement,
    MentoringFeedback,
    MentoringSession,
    MentorProfile,
)
from clinlead.development.models_programmes import (  # noqa: E402, F401
    AppointmentReview,
    Cohort,
    Enrolment,
    EvidenceFile,
    Milestone,
    MilestoneRecord,
    PanelVote,
    Programme,
    ProgrammeLead,
)
