"""Staff-led selection: a vacancy, its candidates, interviews, a secret ballot, the committee.

The ballot is secret by construction, also at rest (docs/selection.md, "Secrecy at rest"):
- while the ballot is open, a vote is a `VoterRecord` (who) and a `SealedBallot` (the choices and
  the receipt code, sealed to the ballot's public key, whose private key only the custodians
  hold): whoever holds the database, the server or a backup can link the two rows (same
  transaction, neighbouring rows) but cannot read the box;
- at the close the custodians' key files open the boxes, and one transaction destroys them and
  writes the `Ballot`s (choices only) and the `Receipt`s (receipt hashes only), each in its own
  fresh random order with new random keys, and the voter records again in order of person. The
  plaintext rows never shared a transaction, a key, a time or an order with a voter.
A unique constraint on (selection, person) in `VoterRecord` lets a voter vote once only.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from clinlead.org.models import Appointment, Organisation, Person, Position, Unit


class CommitteeSeparation(models.TextChoices):
    """How far from the vacancy a committee member must work: outside the vacancy's own unit,
    its department or its division (the nearest unit of that kind above it, or the unit itself
    when there is none)."""

    UNIT = "unit", "unit"
    DEPARTMENT = "department", "department"
    DIVISION = "division", "division"


class SelectionPolicy(models.Model):
    """How an organisation runs its selections; one per organisation, defaults until saved."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="selection_policy"
    )
    allow_self_nomination = models.BooleanField(
        "staff may put themselves forward", default=False
    )
    interview_required_to_vote = models.BooleanField(
        "staff must take part in the interviews to vote", default=True
    )
    shortlist_size = models.PositiveSmallIntegerField(
        "shortlist size", default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    min_committee_votes = models.PositiveSmallIntegerField(
        "committee votes needed for a decision",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(15)],
    )
    committee_separation = models.CharField(
        "committee members come from outside the vacancy's",
        max_length=20, choices=CommitteeSeparation.choices, default=CommitteeSeparation.DEPARTMENT,
    )
    quorum_percent = models.PositiveSmallIntegerField(
        "turnout needed for the ballot to stand (% of the electorate)",
        default=50, validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name_plural = "selection policies"

    def __str__(self):
        return f"Selection policy of {self.organisation}"

    @classmethod
    def for_organisation(cls, organisation):
        """The organisation's policy, or the defaults (unsaved) if it has not set one."""
        return cls.objects.filter(organisation=organisation).first() or cls(
            organisation=organisation
        )


class Vacancy(models.Model):
    class Reason(models.TextChoices):
        TERM_ENDING = "term_ending", "Term ending"
        DEPARTURE = "departure", "Departure"
        NEW_POST = "new_post", "New post"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="vacancies")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    opened_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name_plural = "vacancies"

    def __str__(self):
        return f"{self.position} ({self.get_reason_display().lower()})"


class Selection(models.Model):
    """The process that fills one vacancy, from nominations to appointment."""

    class Stage(models.TextChoices):
        NOMINATIONS = "nominations", "Taking nominations"
        INTERVIEWS = "interviews", "Interviews"
        BALLOT = "ballot", "Ballot"
        CLOSED = "closed", "Ballot closed"
        COUNTED = "counted", "Shortlist published"
        APPOINTED = "appointed", "Appointed"
        FAILED = "failed", "Ballot failed: too few voted"
        CANCELLED = "cancelled", "Cancelled"

    class Method(models.TextChoices):
        STV = "scottish-stv", "Ranked preferences, counted by Scottish STV"
        APPROVAL = "approval", "Approval voting"

    vacancy = models.OneToOneField(Vacancy, on_delete=models.CASCADE, related_name="selection")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The staff of this unit and every unit below it choose the shortlist.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NOMINATIONS)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.STV)
    shortlist_size = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    # Copied from the organisation's policy when the vacancy opens: rules do not change mid-way.
    interview_required = models.BooleanField(default=True)
    min_committee_votes = models.PositiveSmallIntegerField(default=3)
    committee_separation = models.CharField(
        max_length=20, choices=CommitteeSeparation.choices, default=CommitteeSeparation.DEPARTMENT)
    quorum_percent = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(100)])
    cutoff = models.DateField("electorate cut-off date", null=True, blank=True)
    electorate_size = models.PositiveIntegerField(default=0)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The ballot's sealing key, made when the ballot is scheduled: the public half only. The
    # private half left at once in the custodians' key files (clinlead.sealing).
    ballot_public_key = models.CharField(max_length=64, blank=True)
    custodians = models.JSONField("who holds the key files", default=list, blank=True)
    count_seed = models.PositiveBigIntegerField(null=True, blank=True)
    count_result = models.JSONField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)
    chosen = models.ForeignKey(
        "Candidate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="selection"
    )
    # The chair's casting vote, given only when the committee's votes are tied.
    casting_vote = models.ForeignKey(
        "Candidate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    casting_rationale = models.TextField(blank=True)
    ended_reason = models.TextField("why the selection was cancelled or failed", blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["organisation", "stage"])]

    def __str__(self):
        return f"Selection for {self.vacancy.position}"

    def get_absolute_url(self):
        return reverse("selection:detail", kwargs={"pk": self.pk})

    @property
    def position(self):
        return self.vacancy.position

    @property
    def ballot_is_closed(self):
        """True from the close on: only then may anything about the ballots be read."""
        return self.stage in {self.Stage.CLOSED, self.Stage.COUNTED, self.Stage.APPOINTED}

    @property
    def is_counted(self):
        return self.stage in {self.Stage.COUNTED, self.Stage.APPOINTED}

    @property
    def has_ended(self):
        """Appointed, cancelled or failed: nothing more happens in it."""
        return self.stage in {self.Stage.APPOINTED, self.Stage.CANCELLED, self.Stage.FAILED}


class Elector(models.Model):
    """The electorate: staff of the unit's subtree on the cut-off date, fixed when taken."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="electors")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="elector_once")
        ]

    def __str__(self):
        return f"{self.person} may vote in {self.selection}"


class Candidate(models.Model):
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_nominated = models.BooleanField(default=False)
    statement = models.TextField("statement to staff", blank=True)
    nominated_on = models.DateField()
    # On the ballot paper: set for everyone standing when the ballot is scheduled.
    on_ballot = models.BooleanField(default=False)
    withdrawn = models.BooleanField(default=False)
    withdrawn_reason = models.TextField(blank=True)
    shortlist_rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="candidate_once")
        ]

    def __str__(self):
        return self.person.full_name

    @property
    def standing(self):
        return not self.withdrawn


class InterviewSession(models.Model):
    """A face-to-face interview of one or more candidates, open to the electorate."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="interviews")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    candidates = models.ManyToManyField(Candidate, related_name="interviews")

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self):
        return f"Interview at {self.place}"


class InterviewAttendance(models.Model):
    session = models.ForeignKey(
        InterviewSession, on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField()
    # The panel member or administrator who saw them there (never the voter themself).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_once")
        ]

    def __str__(self):
        return f"{self.person} took part in {self.session}"


class VoterRecord(models.Model):
    """Who has voted: nothing more (not even the day), and nothing that leads to a ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="one_vote_per_voter")
        ]

    def __str__(self):
        return f"{self.person} voted"


class SealedBallot(models.Model):
    """A ballot while the ballot is open: choices and receipt code sealed to the ballot's public
    key, padded to one size. Destroyed at the close, when its contents go to `Ballot` and
    `Receipt` apart."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="+")
    box = models.BinaryField()

    def __str__(self):
        return "A sealed ballot"


class Ballot(models.Model):
    """One counted ballot, written at the close: the choices only; no voter, no receipt, no time.

    `preferences` are candidate ids: a ranking from first preference on (STV), or the approved
    candidates in ballot-paper order (approval).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="+")
    preferences = models.JSONField()

    def __str__(self):
        return "A secret ballot"


class Receipt(models.Model):
    """The hash of one counted ballot's receipt code, written at the close apart from the ballots
    (own random order, own keys): it proves a ballot was counted, not what it says."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="+")
    receipt_hash = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return "A counted ballot's receipt"


class CommitteeMember(models.Model):
    """A leader from another department who makes the final choice from the shortlist."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="committee")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_chair = models.BooleanField("chair (casting vote in a tie)", default=False)
    interest_declared_on = models.DateField(null=True, blank=True)
    has_conflict = models.BooleanField(default=False)
    conflict_details = models.TextField(blank=True)
    vote_for = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="committee_votes"
    )
    rationale = models.TextField(blank=True)
    voted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "person"], name="committee_member_once")
        ]

    def __str__(self):
        return f"{self.person} on the committee for {self.selection}"

    @property
    def may_vote(self):
        return self.interest_declared_on is not None and not self.has_conflict
