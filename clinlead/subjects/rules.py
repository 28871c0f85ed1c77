"""When a person may not be erased (docs/data-subject-requests.md, "When erasure is refused").

Each rule returns the reasons it finds, in words an administrator can act on; an erasure goes
ahead only when every rule finds none.
"""

from django.db.models import Q
from django.utils import timezone

from clinlead.accounts.models import Role, RoleGrant
from clinlead.development.models import Assessment, Enrolment, MentoringAgreement
from clinlead.org.models import Appointment, PartnerRole
from clinlead.selection.models import Candidate, CommitteeMember, Elector, Selection
from clinlead.subjects.models import LegalHold
from clinlead.surveys.models import Invitation, SurveyCycle


def _legal_hold(person, today):
    return [
        f"a legal hold placed on {h.placed_on:%d %b %Y} is in force ({h.reason}); lift it first"
        for h in LegalHold.objects.filter(person=person, lifted_on__isnull=True)
    ]


def _in_post(person, today):
    # The next HR extract would send them again, and employment is the basis for holding their data.
    if not person.active:
        return []
    return [
        "they are still in post according to HR: erase only after the HR extract marks them "
        "as a leaver"
    ]


def _positions(person, today):
    held = (
        Appointment.objects.filter(person=person)
        .filter(Q(ended_on__isnull=True, end__gte=today) | Q(ended_on__gte=today))
        .select_related("position")
    )
    dyads = PartnerRole.objects.filter(person=person).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )
    return [
        f"they hold (or are appointed to) {a.position.title} until {a.last_day:%d %b %Y}; end the "
        "appointment first"
        for a in held
    ] + [
        f"they are the current {p.get_role_display().lower()} for {p.position.title}; "
        "end that first"
        for p in dyads.select_related("position")
    ]


FINISHED = [Selection.Stage.APPOINTED, Selection.Stage.CANCELLED, Selection.Stage.FAILED]


def _open_selections(person, today):
    reasons = []
    for model, what in (
        (Candidate, "a candidate"),
        (Elector, "on the electorate"),
        (CommitteeMember, "on the committee"),
    ):
        rows = (
            model.objects.filter(person=person)
            .exclude(selection__stage__in=FINISHED)
            .select_related("selection__vacancy__position")
        )
        reasons += [
            f"they are {what} in the open selection for {r.selection.vacancy.position.title}; "
            "wait until it ends"
            for r in rows
        ]
    return reasons


def _open_surveys(person, today):
    rows = Invitation.objects.filter(
        person=person, cycle__status=SurveyCycle.Status.OPEN
    ).select_related("cycle")
    return [
        f"they are invited to the open survey {i.cycle.name}; wait until it closes" for i in rows
    ]


def _development(person, today):
    reasons = [
        f"their {a.framework.name} assessment is open; close or void it first"
        for a in Assessment.objects.filter(
            person=person, state=Assessment.State.OPEN
        ).select_related("framework")
    ]
    reasons += [
        f"they are enrolled on {e.cohort.programme.name} ({e.get_status_display().lower()}); "
        "complete or withdraw the enrolment first"
        for e in Enrolment.objects.filter(
            person=person, status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED]
        ).select_related("cohort__programme")
    ]
    running = MentoringAgreement.objects.filter(
        Q(mentor=person) | Q(mentee=person), ended_on__isnull=True
    )
    reasons += [
        f"their {a.get_kind_display().lower()} agreement started {a.started_on:%d %b %Y} is still "
        "running; end it first"
        for a in running
    ]
    return reasons


def _last_admin(person, today):
    reasons = []
    grants = RoleGrant.objects.filter(
        user__person=person, role=Role.ORGANISATION_ADMIN
    ).select_related("organisation")
    for grant in grants:
        others = RoleGrant.objects.filter(
            organisation=grant.organisation, role=Role.ORGANISATION_ADMIN, user__is_active=True
        ).exclude(pk=grant.pk)
        if not others.exists():
            reasons.append(
                f"their login is the last organisation admin of {grant.organisation.name}; "
                "grant the role to someone else first"
            )
    return reasons


RULES = [
    _legal_hold,
    _in_post,
    _positions,
    _open_selections,
    _open_surveys,
    _development,
    _last_admin,
]


def reasons_not_to_erase(*, person, today=None):
    """Every reason the person may not be erased now; empty when they may."""
    today = today or timezone.localdate()
    return [reason for rule in RULES for reason in rule(person, today)]
