"""The annual leader-index survey: instruments, cycles, invitations and anonymous responses.

Anonymity by construction (docs/secrecy.md): while a cycle is open, an answer sheet exists only
as a SealedResponse, a box sealed to the cycle's public key that only the custodians' key files
open. At close the boxes are opened and written as Response and Comment rows in a fresh random
order, in the transaction that destroys the boxes and each invitation's unit, leader and
profession. A Response carries no person, invitation, token, session or time (its cycle is its
only time), and its key is a random UUID. An invitation only knows whether it has been used, not
when; a used link's token hash is erased.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse


class Instrument(models.Model):
    """A versioned questionnaire, stored as data (see clinlead/analytics/instruments/)."""

    code = models.SlugField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)
    definition = models.JSONField()

    class Meta:
        ordering = ["code", "version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="instrument_version_unique")]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    def load(self):
        """The instrument as analytics sees it; parsed once per process (instruments never change)."""
        return _parsed_instrument(self.pk, self.definition)


_PARSED = {}


def _parsed_instrument(pk, definition):
    from clinlead.analytics.instrument import load_instrument

    if pk is None:
        return load_instrument(data=definition)
    if pk not in _PARSED:
        _PARSED[pk] = load_instrument(data=definition)
    return _PARSED[pk]


def parsed_instrument(pk):
    """The instrument with this key, parsed once per process; its definition is read from the
    database only the first time (an answer need not fetch and decode it every time)."""
    if pk not in _PARSED:
        _PARSED[pk] = Instrument.objects.only("definition").get(pk=pk).load()
    return _PARSED[pk]


class SurveyCycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        PUBLISHED = "published", "Published"

    organisation = models.ForeignKey("org.Organisation", on_delete=models.PROTECT, related_name="survey_cycles")
    name = models.CharField(max_length=100)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="cycles")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField()
    closes_on = models.DateField()
    # Who rates whom is taken from the reporting lines in force on this day.
    snapshot_date = models.DateField(null=True, blank=True)
    # The thresholds are fixed when the cycle opens, so a published cycle never changes.
    min_responses = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(3), MaxValueValidator(50)]
    )
    min_comments = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(3), MaxValueValidator(50)]
    )
    imported = models.BooleanField(default=False, help_text="Loaded from a past cycle's file")
    # Answers are sealed to this key while the cycle is open; its private key is held only by
    # the custodians, as key files made when the cycle opened (clinlead.sealing).
    public_key = models.CharField(max_length=64, blank=True)
    # Written at close, when the answers lose their own cells and professions: the cells each
    # published figure covers, which units have answers counted higher up, and the association
    # adjusted for profession (clinlead.surveys.coarsening.close_figures). Never an answer.
    close_figures = models.JSONField(default=dict, blank=True)
    # The day its answers, comments and any sealed boxes were deleted under the retention setting
    # (CLINLEAD_SURVEY_RETENTION_DAYS, clinlead.surveys.services_retention); the published figures
    # stay. Null while the answers are kept.
    answers_deleted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organisation", "-opens_on"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="cycle_name_unique"),
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="cycle_closes_after_opening"),
        ]

    def __str__(self):
        return f"{self.name} leader index survey"

    def get_absolute_url(self):
        return reverse("surveys:cycle", kwargs={"pk": self.pk})


class Invitation(models.Model):
    """One person's single-use link. The token itself is never stored, only its hash, and the hash
    is erased when the link is used. Unit, leader and profession are cleared at close."""

    cycle = models.ForeignKey(SurveyCycle, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="survey_invitations")
    leader = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(max_length=20)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    used = models.BooleanField(default=False)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "person"], name="one_invitation_per_person")]
        indexes = [models.Index(fields=["cycle", "used"])]

    def __str__(self):
        return f"Invitation {self.pk} to the {self.cycle}"


class SealedResponse(models.Model):
    """One answer sheet while the cycle is open: unreadable without the custodians' key, padded
    to one size, and nothing beside it (no unit, leader, profession, time). Destroyed at close."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(SurveyCycle, on_delete=models.CASCADE, related_name="sealed_responses")
    box = models.BinaryField()

    def __str__(self):
        return "A sealed survey response"


class Response(models.Model):
    """One anonymous answer sheet, written at close. No person, invitation, token or timestamp.

    Unit and leader are the answer's disclosure block (clinlead.surveys.coarsening), not the
    respondent's own: no leader for an answer pooled up the unit tree. Profession is blank for
    answers written at close (it stays filled only for cycles loaded from a past cycle's file)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(SurveyCycle, on_delete=models.CASCADE, related_name="responses")
    leader = models.ForeignKey("org.Person", null=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(max_length=20)
    # Item answers in instrument order, 1..5 or null when not answered.
    answers = models.JSONField()
    burnout = models.PositiveSmallIntegerField(null=True)
    satisfaction = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["cycle", "leader"])]

    def __str__(self):
        return "A survey response"


COMMENT_MAX_LENGTH = 2000


class Comment(models.Model):
    """Free text for a leader, kept apart from the answers so it cannot be joined to them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(SurveyCycle, on_delete=models.CASCADE, related_name="comments")
    leader = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=COMMENT_MAX_LENGTH)

    def __str__(self):
        return "A survey comment"


class ResponseRateSnapshot(models.Model):
    """Yesterday's response counts per unit, for the open cycle's progress page.

    Progress is shown from these daily snapshots only, so watching the page never shows a
    count tick up when one person submits.
    """

    cycle = models.ForeignKey(SurveyCycle, on_delete=models.CASCADE, related_name="rate_snapshots")
    day = models.DateField()
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    invited = models.PositiveIntegerField()
    responded = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "day", "unit"], name="one_snapshot_per_unit_day")]

    def __str__(self):
        return f"Response rate of {self.unit} on {self.day}"
