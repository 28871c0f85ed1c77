"""The organisation: trusts, hospitals, units, people, reporting lines, positions, appointments.

Memberships, reporting lines and appointments are effective-dated: surveys and ballots take a
snapshot of them on a given date, so history is never overwritten, only closed.
"""

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Organisation(models.Model):
    class Kind(models.TextChoices):
        TRUST = "trust", "Trust"
        HEALTH_SYSTEM = "health_system", "Health system"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRUST)
    # The anonymity thresholds: no figure from fewer respondents is ever shown.
    min_responses = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(3), MaxValueValidator(50)]
    )
    min_comments = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(3), MaxValueValidator(50)]
    )
    # Times in pages and e-mail are shown in this zone (an IANA name): 09:00 BST reads 09:00.
    time_zone = models.CharField(max_length=64, default="Europe/London")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:organisation", kwargs={"slug": self.slug})


class Site(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="site_code_unique")
        ]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A division, department or team; units nest to any depth under an organisation."""

    class Kind(models.TextChoices):
        DIVISION = "division", "Division"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"
        OTHER = "other", "Unit"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    # The names from the top unit down, joined by "/": how HR extracts and analysts name a unit.
    path = models.CharField(max_length=1000)
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "path"], name="unit_path_unique")
        ]
        indexes = [models.Index(fields=["organisation", "parent"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:unit", kwargs={"pk": self.pk})

    def ancestors(self):
        """Units above this one, the top first."""
        prefixes = []
        parts = self.path.split("/")
        for i in range(1, len(parts)):
            prefixes.append("/".join(parts[:i]))
        by_path = {
            u.path: u for u in Unit.objects.filter(organisation_id=self.organisation_id, path__in=prefixes)
        }
        return [by_path[p] for p in prefixes if p in by_path]

    # "A unit inside another unit" has one rule, here: the unit itself or any unit whose path
    # goes on from its path after a "/" ("Medicine/Cardiology" is inside "Medicine";
    # "Medicine2" is not). `contains` and `path_contains` ask it of one unit, `subtree` of many.

    @staticmethod
    def path_contains(outer_path: str, inner_path: str) -> bool:
        """Is the unit at `inner_path` the unit at `outer_path` or below it (one organisation's paths)?"""
        return inner_path == outer_path or inner_path.startswith(outer_path + "/")

    def contains(self, other: "Unit") -> bool:
        """`other` is this unit or a unit below it."""
        return other.organisation_id == self.organisation_id and Unit.path_contains(self.path, other.path)

    def subtree(self):
        """This unit and every unit below it."""
        return Unit.objects.filter(organisation_id=self.organisation_id).filter(
            Q(pk=self.pk) | Q(path__startswith=self.path + "/")
        )


class Profession(models.TextChoices):
    DOCTOR = "doctor", "Doctor"
    NURSE = "nurse", "Nurse"
    MIDWIFE = "midwife", "Midwife"
    AHP = "ahp", "Allied health professional"
    SCIENTIST = "scientist", "Healthcare scientist"
    PHARMACIST = "pharmacist", "Pharmacist"
    MANAGER = "manager", "Manager or administrator"
    OTHER = "other", "Other"


class Person(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    staff_number = models.CharField(max_length=30)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    work_email = models.EmailField(max_length=254, blank=True)
    profession = models.CharField(max_length=20, choices=Profession.choices)
    grade = models.CharField(max_length=60, blank=True)
    start_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name", "staff_number"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "staff_number"], name="person_staff_number_unique"
            )
        ]
        indexes = [models.Index(fields=["work_email"])]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("org:person", kwargs={"pk": self.pk})

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


class EffectiveDatedQuerySet(models.QuerySet):
    def on(self, day: date):
        """Rows in force on the given day."""
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


class UnitMembership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["unit", "end"]), models.Index(fields=["person", "end"])]

    def __str__(self):
        return f"{self.person} in {self.unit}"


class ReportingLine(models.Model):
    """Who a person's immediate leader is, from start to end."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reporting_lines")
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="direct_reports")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["leader", "end"]), models.Index(fields=["person", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=models.F("leader")), name="reporting_line_not_self"
            )
        ]

    def __str__(self):
        return f"{self.person} reports to {self.leader}"


class PositionLevel(models.Model):
    """A level of leadership, lowest rank first; organisations may define their own."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["organisation", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="level_name_unique")
        ]

    def __str__(self):
        return self.name


DEFAULT_LEVELS = [
    "Team lead",
    "Head of specialty",
    "Clinical director",
    "Divisional director",
    "Medical or nursing director",
    "Chief executive",
]


class Position(models.Model):
    """A titled leadership role, such as Clinical Director for Surgery."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="positions")
    title = models.CharField(max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="positions")
    level = models.ForeignKey(PositionLevel, on_delete=models.PROTECT, related_name="positions")
    is_key = models.BooleanField("key position", default=False)
    term_years = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    max_consecutive_terms = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["organisation", "is_key"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("org:position", kwargs={"pk": self.pk})


class AppointmentQuerySet(models.QuerySet):
    def held_on(self, day: date):
        """Appointments whose holder holds the position on `day`: from `start` to the last day served,
        which is `ended_on` for someone who left early (or will: appointing a successor from a later
        day ends today's holder the day before) and the term's `end` otherwise. The one definition
        of "holds a position on day D"; `Appointment.in_force_on` says the same for one row."""
        return self.filter(Q(start__lte=day), Q(end__gte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class Appointment(models.Model):
    """A person holding a position for one term."""

    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="appointments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateField()
    # The end of the term as appointed; ended_on is set if the holder leaves early.
    end = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    term_number = models.PositiveSmallIntegerField(default=1)
    management_sessions = models.DecimalField(
        "management sessions a week", max_digits=4, decimal_places=1, default=0
    )
    clinical_sessions = models.DecimalField(
        "clinical sessions a week", max_digits=4, decimal_places=1, default=0
    )
    # Set when a reappointment goes past the position's limit of consecutive terms.
    term_limit_exception = models.TextField(blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["position", "end"]), models.Index(fields=["person", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="appointment_end_after_start")
        ]

    def __str__(self):
        return f"{self.person} as {self.position}"

    @property
    def last_day(self):
        return self.ended_on or self.end

    def in_force_on(self, day: date) -> bool:
        return self.start <= day <= self.last_day


class PartnerRole(models.Model):
    """The administrator (and optionally nurse leader) who leads a position with its holder."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", "Administrator"
        NURSE_LEADER = "nurse_leader", "Nurse leader"

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="partners")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="partner_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    objects = EffectiveDatedQuerySet.as_manager()

    class Meta:
        ordering = ["role", "-start"]

    def __str__(self):
        return f"{self.get_role_display()} for {self.position}"


from clinlead.org.models_hr import HrImport  # noqa: E402, F401  (what each HR import changed)
from clinlead.org.models_published import PublishedTable  # noqa: E402, F401  (category tables shown)
from clinlead.org.models_readiness import (  # noqa: E402, F401  (kept apart: see its docstring)
    PositionReadiness,
    Readiness,
    ReadinessRecord,
    ReadinessSource,
)
from clinlead.org.special_category import Demographics  # noqa: E402, F401  (kept apart on purpose)
