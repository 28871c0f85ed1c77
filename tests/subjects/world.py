"""One member of staff with something in every place Clinlead keeps data about a person, built
from the test factories and the services, for the export and erasure tests."""

from datetime import date, timedelta
from types import SimpleNamespace

from clinlead import actions
from clinlead.accounts.models import Role
from clinlead.audit import services as audit
from clinlead.development.models import (
    DevelopmentPlan,
    LearningRecord,
    MentoringAgreement,
    MentorProfile,
)
from clinlead.org.models import (
    Appointment,
    Demographics,
    PartnerRole,
    Position,
    PositionLevel,
    ReportingLine,
    Unit,
    UnitMembership,
)
from clinlead.selection.models import Ballot, Candidate, Elector, Selection, Vacancy, VoterRecord
from clinlead.succession import services as succession
from clinlead.surveys.models import Comment, Invitation, Response, SurveyCycle
from clinlead.surveys.services import default_instrument
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

NAME = ("Zebedee", "Quillfeather")
EMAIL = "zebedee.quillfeather@example.org"
STAFF_NUMBER = "ZQ-77123"
ANSWERS = [5, 1, 4, 2, 3, 5, 1, 4, 2, 3, 5, 1]
COMMENT = "Zebedee's own comment about her leader, never exported"
STATEMENT = "Why I should lead the ward: continuity"


def build():
    """The person (in post until the test says otherwise) and what points at them."""
    org = OrganisationFactory(slug="subject-trust")
    ward = Unit.objects.create(organisation=org, name="Ward 7", path="Ward 7", kind=Unit.Kind.TEAM)
    level = PositionLevel.objects.create(organisation=org, name="Team lead", rank=1)
    lead_post = Position.objects.create(
        organisation=org, title="Ward 7 Lead", unit=ward, level=level, is_key=True
    )
    old_post = Position.objects.create(
        organisation=org, title="Ward 7 Deputy", unit=ward, level=level
    )
    person = PersonFactory(
        organisation=org,
        staff_number=STAFF_NUMBER,
        first_name=NAME[0],
        last_name=NAME[1],
        work_email=EMAIL,
    )
    leader = PersonFactory(organisation=org)
    admin = UserFactory(
        username="subject-admin",
        person=PersonFactory(organisation=org),
        roles=[(Role.TALENT_ADMIN, org), (Role.ORGANISATION_ADMIN, org)],
    )
    login = UserFactory(
        username="zq",
        email=EMAIL,
        first_name=NAME[0],
        last_name=NAME[1],
        person=person,
        roles=[(Role.EXECUTIVE, org)],
    )
    today = date.today()
    start = today - timedelta(days=3 * 365)
    Demographics.objects.create(person=person, gender="woman", ethnicity="white_irish")
    UnitMembership.objects.create(person=person, unit=ward, start=start)
    ReportingLine.objects.create(person=person, leader=leader, start=start)
    Appointment.objects.create(
        position=old_post, person=person, start=start, end=today - timedelta(days=30)
    )
    PartnerRole.objects.create(
        position=lead_post,
        person=person,
        role=PartnerRole.Role.ADMINISTRATOR,
        start=start,
        end=today - timedelta(days=30),
    )
    succession.nominate_candidate(
        actor=admin,
        position=lead_post,
        person=person,
        readiness="ready_now",
        notes="Strong on rotas",
    )
    LearningRecord.objects.create(person=person, title="Edward Jenner programme", kind="programme")
    MentorProfile.objects.create(person=person, interests="rotas, flow")
    MentoringAgreement.objects.create(
        mentor=leader,
        mentee=person,
        goals="Lead a ward",
        started_on=start,
        ended_on=today - timedelta(days=60),
        mentee_consented_on=start,
    )
    DevelopmentPlan.objects.create(
        person=person,
        conversation_on=start,
        recorded_by_name=str(admin),
        impact="strong",
        aspiration="step_up",
        readiness="ready_now",
        next_steps="Shadow the matron",
    )

    vacancy = Vacancy.objects.create(
        organisation=org, position=lead_post, reason="departure", opened_on=start
    )
    selection = Selection.objects.create(
        vacancy=vacancy, organisation=org, unit=ward, stage=Selection.Stage.APPOINTED
    )
    candidate = Candidate.objects.create(
        selection=selection, person=person, nominated_on=start, statement=STATEMENT, on_ballot=True
    )
    rival = Candidate.objects.create(
        selection=selection, person=leader, nominated_on=start, on_ballot=True
    )
    Elector.objects.create(selection=selection, person=person)
    VoterRecord.objects.create(selection=selection, person=person)
    # Her own ballot: a choice nobody can tie to her (it carries no voter).
    ballot = Ballot.objects.create(selection=selection, preferences=[rival.pk, candidate.pk])

    cycle = SurveyCycle.objects.create(
        organisation=org,
        name="Subject 2025",
        instrument=default_instrument(),
        status=SurveyCycle.Status.PUBLISHED,
        opens_on=start,
        closes_on=start + timedelta(days=20),
    )
    Invitation.objects.create(cycle=cycle, person=person, profession="nurse", used=True)
    # Her answers and comment as written at close: no person, no invitation.
    Response.objects.create(
        cycle=cycle,
        leader=leader,
        unit=ward,
        profession="",
        answers=ANSWERS,
        burnout=2,
        satisfaction=4,
    )
    Comment.objects.create(cycle=cycle, leader=leader, text=COMMENT)

    with actions.atomic():
        audit.record(
            actor=login,
            action="accounts.role_granted",
            obj=person,
            organisation=org,
            after={"role": "executive"},
        )
    return SimpleNamespace(
        org=org,
        person=person,
        login=login,
        admin=admin,
        leader=leader,
        lead_post=lead_post,
        selection=selection,
        ballot=ballot,
        cycle=cycle,
    )
