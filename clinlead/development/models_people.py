"""Learning records, coaching and mentoring, and development plans from career conversations."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from clinlead.org.models import Person, PositionLevel

# One readiness scale, kept by org with the readiness itself, shared with succession pools.
from clinlead.org.models_readiness import Readiness  # noqa: F401  (re-exported for forms and services)


class LearningRecord(models.Model):
    """A course, programme, fellowship, degree or credential a person already has."""

    class Kind(models.TextChoices):
        COURSE = "course", "Course"
        PROGRAMME = "programme", "Leadership programme"
        FELLOWSHIP = "fellowship", "Fellowship"
        DEGREE = "degree", "Degree (for example an MBA)"
        CREDENTIAL = "credential", "Credential or certificate"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="learning_records")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    provider = models.CharField(max_length=200, blank=True)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    dimensions = models.ManyToManyField("development.Dimension", blank=True, related_name="learning_records")
    evidence = models.ForeignKey("development.EvidenceFile", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="learning_records")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-completed_on", "-started_on", "title"]
        constraints = [models.CheckConstraint(
            condition=Q(completed_on__isnull=True) | Q(started_on__isnull=True) | Q(completed_on__gte=models.F("started_on")),
            name="learning_completed_after_start")]

    def __str__(self):
        return self.title


class Offer(models.TextChoices):
    MENTORING = "mentoring", "Mentoring"
    COACHING = "coaching", "Coaching"


class MentorProfile(models.Model):
    """A place in the mentor and coach pool, with how many people one can take on."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="mentor_profile")
    mentoring = models.BooleanField("offers mentoring", default=True)
    coaching = models.BooleanField("offers coaching", default=False)
    capacity = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1), MaxValueValidator(10)])
    interests = models.CharField(max_length=300, blank=True, help_text="Comma-separated")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name"]

    def __str__(self):
        return f"{self.person} in the mentor pool"

    def interest_set(self):
        return interest_words(self.interests)


def interest_words(text):
    return {w.strip().lower() for w in (text or "").split(",") if w.strip()}


class MentoringAgreement(models.Model):
    mentor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentoring_given")
    mentee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mentoring_received")
    kind = models.CharField(max_length=20, choices=Offer.choices, default=Offer.MENTORING)
    goals = models.TextField()
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # Made by a talent admin or programme lead; it runs only once the mentee consents.
    mentee_consented_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(mentor=models.F("mentee")), name="mentoring_not_self")]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.mentee} by {self.mentor}"

    def get_absolute_url(self):
        return reverse("development:agreement", kwargs={"pk": self.pk})

    @property
    def organisation(self):
        return self.mentee.organisation

    @property
    def is_active(self):
        return self.ended_on is None


class MentoringSession(models.Model):
    """A session in the log; its notes are for the mentor and mentee only."""

    agreement = models.ForeignKey(MentoringAgreement, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    minutes = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(5), MaxValueValidator(600)])
    private_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"Session on {self.held_on:%d %b %Y}"


class MentoringFeedback(models.Model):
    """End-of-relationship feedback, one from each side."""

    class Side(models.TextChoices):
        MENTOR = "mentor", "Mentor or coach"
        MENTEE = "mentee", "Mentee"

    agreement = models.ForeignKey(MentoringAgreement, on_delete=models.CASCADE, related_name="feedback")
    side = models.CharField(max_length=10, choices=Side.choices)
    usefulness = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["side"]
        constraints = [models.UniqueConstraint(fields=["agreement", "side"], name="mentoring_feedback_once")]

    def __str__(self):
        return f"Feedback from the {self.get_side_display().lower()}"


class DevelopmentPlan(models.Model):
    """What a career conversation agreed. The latest one is the person's current plan."""

    class Impact(models.TextChoices):
        EXCEPTIONAL = "exceptional", "Exceptional impact"
        STRONG = "strong", "Strong impact"
        DEVELOPING = "developing", "Developing impact"

    class Aspiration(models.TextChoices):
        STEP_UP = "step_up", "Step up to a more senior leadership role"
        BROADEN = "broaden", "Broaden: a different role at the same level"
        GROW_IN_ROLE = "grow_in_role", "Grow in the current role"
        NOT_NOW = "not_now", "Not looking to move now"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="development_plans")
    conversation_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_by_name = models.CharField(max_length=200)
    impact = models.CharField(max_length=20, choices=Impact.choices)
    aspiration = models.CharField("growth aspiration", max_length=20, choices=Aspiration.choices)
    target_level = models.ForeignKey(PositionLevel, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="level aimed at")
    # What was said at this conversation; the person's current readiness for `position` is the
    # one shared with the succession pool (succession.PositionReadiness), and `readiness_record`
    # is this conversation's row in its history. Conversations recorded before readiness was
    # kept per position have no position: their readiness was for the level aimed at.
    readiness = models.CharField(max_length=20, choices=Readiness.choices)
    position = models.ForeignKey("org.Position", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="readiness for position")
    readiness_record = models.ForeignKey("org.ReadinessRecord", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    next_steps = models.TextField()
    focus_dimensions = models.ManyToManyField("development.Dimension", blank=True, related_name="+")

    class Meta:
        ordering = ["-conversation_on", "-id"]

    def __str__(self):
        return f"Development plan of {self.person} ({self.conversation_on:%d %b %Y})"
