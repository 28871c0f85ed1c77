"""Everything Clinlead holds about one person, for a subject access request (UK GDPR art. 15).

Reads only; `clinlead.subjects.services.export_person` records who exported whom. Where each
piece comes from, and why some things are not here, is `clinlead.subjects.holdings` and
docs/data-subject-requests.md. Survey answers and ballot choices are never read here: they
carry no person (docs/secrecy.md), so nothing could find them, and nothing tries.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from clinlead.accounts.models import RoleGrant
from clinlead.audit.models import AuditEvent
from clinlead.development.models import (
    Assessment,
    DevelopmentPlan,
    Enrolment,
    EvidenceFile,
    FeedbackInvitation,
    LearningRecord,
    MentoringAgreement,
    MentorProfile,
    PanelVote,
    ProgrammeLead,
)
from clinlead.leaderindex.models import LeaderResult
from clinlead.org.models import (
    Appointment,
    Demographics,
    PartnerRole,
    ReportingLine,
    UnitMembership,
)
from clinlead.org.models_readiness import PositionReadiness
from clinlead.selection.models import (
    Candidate,
    CommitteeMember,
    Elector,
    InterviewAttendance,
    VoterRecord,
)
from clinlead.subjects.models import LegalHold
from clinlead.succession.models import PoolCandidate
from clinlead.surveys.models import Invitation

FORMAT = "clinlead-person-export/1"

CANNOT_LINK = [
    "Leader-index survey answers and comments: an answer is stored with no person, invitation, "
    "time or order that leads back to who gave it (docs/secrecy.md). Your invitation records only "
    "whether its link was used. Nobody, including the administrators, can find your answers, so "
    "they cannot be exported, corrected or erased one by one; they count only in figures from at "
    "least the organisation's threshold of respondents.",
    "Ballots in staff-led selections: a ballot holds the choices only; whether you were on the "
    "electorate and whether you voted are recorded (below), never how you voted.",
    "360 feedback you gave about a colleague: the answers are kept without the rater; the "
    "request to you is listed (below), not what you answered.",
    "Answers and comments others gave about you as a leader count in your published leader-index "
    "figures (below) and, once enough were given, in your own report; they are not linked to "
    "whoever gave them.",
]


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _rows(queryset, **columns):
    """[{column: value}] with each value read by a dotted path ("position.title")."""
    out = []
    for row in queryset:
        item = {}
        for name, path in columns.items():
            value = row
            for part in path.split("."):
                value = None if value is None else getattr(value, part)
            item[name] = _value(value() if callable(value) else value)
        out.append(item)
    return out


def _identity(person):
    return {
        "staff_number": person.staff_number,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "work_email": person.work_email,
        "profession": person.get_profession_display(),
        "grade": person.grade,
        "start_date": _value(person.start_date),
        "in_post": person.active,
        "organisation": person.organisation.name,
    }


def _login(person):
    user = getattr(person, "user", None)
    if user is None:
        return None
    return {
        "username": user.username,
        "email": user.email,
        "active": user.is_active,
        "joined": _value(user.date_joined),
        "last_login": _value(user.last_login),
        "single_sign_on_only": not user.has_usable_password(),
    }


def _special_category(person):
    record = Demographics.objects.filter(person=person).first()
    if record is None:
        return None
    return {"gender": record.get_gender_display(), "ethnicity": record.get_ethnicity_display()}


def _organisation(person):
    return {
        "units": _rows(
            UnitMembership.objects.filter(person=person).select_related("unit"),
            unit="unit.path",
            start="start",
            end="end",
        ),
        "leaders": _rows(
            ReportingLine.objects.filter(person=person).select_related("leader"),
            leader="leader.full_name",
            start="start",
            end="end",
        ),
        "people_reporting_to_you": ReportingLine.objects.filter(leader=person).count(),
    }


def _positions(person):
    return {
        "appointments": _rows(
            Appointment.objects.filter(person=person).select_related("position__unit"),
            position="position.title",
            unit="position.unit.path",
            start="start",
            end="end",
            ended_on="ended_on",
            term_number="term_number",
            management_sessions="management_sessions",
            clinical_sessions="clinical_sessions",
            term_limit_exception="term_limit_exception",
        ),
        "dyad_roles": _rows(
            PartnerRole.objects.filter(person=person).select_related("position"),
            position="position.title",
            role="get_role_display",
            start="start",
            end="end",
        ),
    }


def _roles(person):
    grants = RoleGrant.objects.filter(user__person=person).select_related("organisation")
    return {
        "granted": _rows(
            grants,
            role="get_role_display",
            organisation="organisation.name",
            granted_at="granted_at",
        ),
        "programmes_led": _rows(
            ProgrammeLead.objects.filter(person=person).select_related("programme"),
            programme="programme.name",
        ),
    }


def _succession(person):
    readiness = (
        PositionReadiness.objects.filter(person=person)
        .select_related("position")
        .prefetch_related("history")
    )
    return {
        "pools": _rows(
            PoolCandidate.objects.filter(person=person).select_related(
                "pool__position", "standing"
            ),
            position="pool.position.title",
            readiness="get_readiness_display",
            nominated_on="nominated_on",
            nominated_by="nominated_by_label",
            development_actions="development_actions",
            notes="notes",
        ),
        "readiness": [
            {
                "position": r.position.title,
                "current": r.get_level_display(),
                "history": _rows(
                    r.history.all(),
                    readiness="get_level_display",
                    assessed_on="assessed_on",
                    assessed_by="assessed_by_label",
                    source="get_source_display",
                    note="note",
                ),
            }
            for r in readiness
        ],
    }


def _selection(person):
    voted = set(VoterRecord.objects.filter(person=person).values_list("selection_id", flat=True))
    electors = Elector.objects.filter(person=person).select_related("selection__vacancy__position")
    return {
        "candidacies": _rows(
            Candidate.objects.filter(person=person).select_related("selection__vacancy__position"),
            vacancy="selection.vacancy.position.title",
            stage="selection.get_stage_display",
            nominated_on="nominated_on",
            self_nominated="self_nominated",
            statement="statement",
            on_ballot="on_ballot",
            withdrawn="withdrawn",
            withdrawn_reason="withdrawn_reason",
            shortlist_rank="shortlist_rank",
        ),
        # Whether they could vote and whether they did: never how (module docstring).
        "electorates": [
            {
                "vacancy": e.selection.vacancy.position.title,
                "on_the_electorate": True,
                "voted": e.selection_id in voted,
            }
            for e in electors
        ],
        "interviews_attended": _rows(
            InterviewAttendance.objects.filter(person=person).select_related(
                "session__selection__vacancy__position"
            ),
            vacancy="session.selection.vacancy.position.title",
            place="session.place",
            starts_at="session.starts_at",
        ),
        "committees": _rows(
            CommitteeMember.objects.filter(person=person).select_related(
                "selection__vacancy__position", "vote_for__person"
            ),
            vacancy="selection.vacancy.position.title",
            chair="is_chair",
            has_conflict="has_conflict",
            conflict_details="conflict_details",
            voted_for="vote_for.person.full_name",
            rationale="rationale",
            voted_on="voted_on",
        ),
    }


def _development(person):
    agreements = (
        MentoringAgreement.objects.filter(Q(mentor=person) | Q(mentee=person))
        .select_related("mentor", "mentee")
        .prefetch_related("sessions")
    )
    enrolments = (
        Enrolment.objects.filter(person=person)
        .select_related("cohort__programme")
        .prefetch_related("records__milestone")
    )
    return {
        "learning_records": _rows(
            LearningRecord.objects.filter(person=person),
            title="title",
            kind="get_kind_display",
            provider="provider",
            started_on="started_on",
            completed_on="completed_on",
        ),
        "assessments": _rows(
            Assessment.objects.filter(person=person).select_related("framework"),
            framework="framework.name",
            state="get_state_display",
            opened_on="opened_on",
            closed_on="closed_on",
            self_scores="self_scores",
        ),
        "feedback_requests_to_you": _rows(
            FeedbackInvitation.objects.filter(rater=person).select_related("assessment__person"),
            about="assessment.person.full_name",
            group="get_rater_group_display",
            used="used",
        ),
        "mentor_profile": _rows(
            MentorProfile.objects.filter(person=person),
            mentoring="mentoring",
            coaching="coaching",
            capacity="capacity",
            interests="interests",
        ),
        "mentoring": [
            {
                "role": "mentor" if a.mentor_id == person.pk else "mentee",
                "kind": a.get_kind_display(),
                "with": (a.mentee if a.mentor_id == person.pk else a.mentor).full_name,
                "goals": a.goals,
                "started_on": _value(a.started_on),
                "ended_on": _value(a.ended_on),
                "sessions": _rows(
                    a.sessions.all(), held_on="held_on", minutes="minutes", notes="private_notes"
                ),
            }
            for a in agreements
        ],
        "career_conversations": _rows(
            DevelopmentPlan.objects.filter(person=person),
            conversation_on="conversation_on",
            recorded_by="recorded_by_name",
            impact="get_impact_display",
            aspiration="get_aspiration_display",
            readiness="get_readiness_display",
            next_steps="next_steps",
        ),
        "programmes": [
            {
                "programme": e.cohort.programme.name,
                "cohort": e.cohort.name,
                "enrolled_on": _value(e.enrolled_on),
                "status": e.get_status_display(),
                "status_reason": e.status_reason,
                "milestones": _rows(
                    e.records.all(),
                    milestone="milestone.title",
                    done="done",
                    completed_on="completed_on",
                    signed_off_by="signed_off_by_name",
                    note="note",
                ),
            }
            for e in enrolments
        ],
        "evidence_files": _rows(
            EvidenceFile.objects.filter(person=person),
            name="original_name",
            size="size",
            sha256="sha256",
            uploaded_at="uploaded_at",
        ),
        "review_panel_votes_cast": _rows(
            PanelVote.objects.filter(member=person).select_related("enrolment__person"),
            about="enrolment.person.full_name",
            decision="get_decision_display",
            reasons="reasons",
            voted_on="voted_on",
        ),
    }


def _leader_index(person):
    return _rows(
        LeaderResult.objects.filter(leader=person).select_related("cycle"),
        cycle="cycle.name",
        respondents="responses",
        index="index",
        ci_low="ci_low",
        ci_high="ci_high",
        percentile="percentile",
        behaviours="behaviours",
    )


def _surveys(person):
    return _rows(
        Invitation.objects.filter(person=person).select_related("cycle"),
        cycle="cycle.name",
        opens_on="cycle.opens_on",
        closes_on="cycle.closes_on",
        link_used="used",
        reminders_sent="reminders_sent",
    )


def audit_events_about(person):
    """Events the person did (through their login) or that were done to them or their records."""
    user_id = getattr(getattr(person, "user", None), "pk", None)
    subject = Q(object_type="org.Person", object_id=str(person.pk))
    for model in (
        Appointment,
        PartnerRole,
        PoolCandidate,
        Candidate,
        Assessment,
        Enrolment,
        LearningRecord,
        DevelopmentPlan,
        MentoringAgreement,
    ):
        ids = [str(pk) for pk in _owned(model, person).values_list("pk", flat=True)]
        if ids:
            subject |= Q(object_type=model._meta.label, object_id__in=ids)
    return AuditEvent.objects.filter(
        subject | Q(actor_id=user_id) if user_id else subject
    ).order_by("occurred_at", "id")


def _owned(model, person):
    if model is MentoringAgreement:
        return model.objects.filter(Q(mentor=person) | Q(mentee=person))
    return model.objects.filter(person=person)


def _audit(person):
    return _rows(
        audit_events_about(person),
        at="occurred_at",
        by="actor_label",
        action="action",
        object="object_repr",
        before="before",
        after="after",
    )


def person_export(*, person, exported_by="") -> dict:
    """The whole export of one person, ready for `json.dumps`."""
    return {
        "format": FORMAT,
        "exported_at": _value(timezone.now()),
        "exported_by": exported_by,
        "identity": _identity(person),
        "login": _login(person),
        "special_category": _special_category(person),
        "organisation": _organisation(person),
        "positions": _positions(person),
        "roles": _roles(person),
        "succession": _succession(person),
        "selection": _selection(person),
        "development": _development(person),
        "leader_index": _leader_index(person),
        "surveys": _surveys(person),
        "legal_holds": _rows(
            LegalHold.objects.filter(person=person),
            reason="reason",
            placed_on="placed_on",
            lifted_on="lifted_on",
        ),
        "audit": _audit(person),
        "what_we_hold_but_cannot_link_to_you": CANNOT_LINK,
    }
