"""Development: who may see and do what.

A person sees their own development; their immediate leader sees their progress (programmes,
plans, learning records — not their 360 report or mentoring); a programme's leads manage that
programme and the people enrolled on it; talent admins of the organisation see everything of
their organisation in development, except private mentoring notes, which only the mentor and
mentee ever read. Everyone else is refused.
"""

from datetime import date

from clinlead.accounts.models import Role
from clinlead.accounts.permissions.core import (
    active_person,
    can_manage_talent,
    can_view_organisation,
    has_role,
    needs_role,
)
from clinlead.org.models import Person, ReportingLine

__all__ = [
    "is_self", "is_immediate_leader", "leads_programme_of", "can_manage_development",
    "can_view_development", "can_record_for", "can_view_frameworks", "can_view_framework",
    "can_list_programmes", "can_lead_programme", "can_appoint_programme_leads", "can_view_enrolment",
    "can_upload_evidence", "can_sign_off_milestone", "can_decide_appointment_review",
    "can_view_evidence", "can_view_assessment", "can_self_assess", "can_run_assessment",
    "can_approve_raters", "can_void_assessment", "can_review_evidence", "can_manage_enrolment",
    "can_load_framework",
    "can_give_feedback", "can_arrange_mentoring", "can_see_mentor_suggestions", "can_view_agreement",
    "can_read_session_notes", "can_end_agreement", "can_record_career_conversation",
    "can_see_development_aggregates", "can_see_pathway_diversity",
]


def _person_id(user):
    person = active_person(user)
    return person.pk if person is not None else None


def _superuser(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def is_self(user, person) -> bool:
    return _person_id(user) is not None and _person_id(user) == person.pk


def is_immediate_leader(user, person, day: date | None = None) -> bool:
    leader_id = _person_id(user)
    if leader_id is None:
        return False
    return ReportingLine.objects.on(day or date.today()).filter(person=person, leader_id=leader_id).exists()


def leads_programme_of(user, person) -> bool:
    """The user leads a programme the person is enrolled on."""
    # Through the organisation chart's relations: accounts sits below development and does not
    # import it (docs/contributing.md, "Layers").
    lead_id = _person_id(user)
    return lead_id is not None and Person.objects.filter(
        pk=lead_id, programmes_led__programme__cohorts__enrolments__person=person).exists()


@needs_role(Role.TALENT_ADMIN)
def can_manage_development(user, organisation) -> bool:
    """Talent admins: frameworks, programmes, the mentor pool, organisation-wide views."""
    return can_manage_talent(user, organisation)


def can_view_development(user, person) -> bool:
    return (is_self(user, person) or can_manage_development(user, person.organisation)
            or is_immediate_leader(user, person) or leads_programme_of(user, person))


def can_record_for(user, person) -> bool:
    """Start an assessment or add a learning record: the person, or a talent admin."""
    return is_self(user, person) or can_manage_development(user, person.organisation)


def can_view_frameworks(user, organisation) -> bool:
    return can_view_organisation(user, organisation)


def can_load_framework(user, organisation) -> bool:
    """Upload a new version of the organisation's own framework: talent admins and programme leads."""
    return can_list_programmes(user, organisation)


def can_view_framework(user, framework) -> bool:
    if framework.organisation_id is None:
        return getattr(user, "is_authenticated", False)
    return can_view_organisation(user, framework.organisation)


def can_lead_programme(user, programme) -> bool:
    if can_manage_development(user, programme.organisation):
        return True
    lead_id = _person_id(user)
    return lead_id is not None and programme.leads.filter(person_id=lead_id).exists()


def can_list_programmes(user, organisation) -> bool:
    if can_manage_development(user, organisation):
        return True
    lead_id = _person_id(user)
    return lead_id is not None and organisation.development_programmes.filter(
        leads__person_id=lead_id).exists()


def can_appoint_programme_leads(user, organisation) -> bool:
    return can_manage_development(user, organisation)


def can_view_enrolment(user, enrolment) -> bool:
    return can_view_development(user, enrolment.person)


def _leads(user, programme) -> bool:
    lead_id = _person_id(user)
    return lead_id is not None and programme.leads.filter(person_id=lead_id).exists()


def can_upload_evidence(user, enrolment) -> bool:
    return (is_self(user, enrolment.person) or _leads(user, enrolment.cohort.programme)
            or can_manage_development(user, enrolment.person.organisation))


def can_sign_off_milestone(user, enrolment) -> bool:
    """A named person signs off: a programme lead or the person's immediate leader — never the
    person themselves."""
    if is_self(user, enrolment.person):
        return False
    return (_superuser(user) or _leads(user, enrolment.cohort.programme)
            or is_immediate_leader(user, enrolment.person))


def can_decide_appointment_review(user, enrolment) -> bool:
    """Sit on the review panel: a programme lead or a talent admin, never the person."""
    if is_self(user, enrolment.person):
        return False
    return (_superuser(user) or _leads(user, enrolment.cohort.programme)
            or can_manage_development(user, enrolment.person.organisation))


def can_review_evidence(user, enrolment) -> bool:
    """Accept or return evidence: a programme lead or a talent admin, never the person."""
    if is_self(user, enrolment.person):
        return False
    return _leads(user, enrolment.cohort.programme) or can_manage_development(user, enrolment.person.organisation)


def can_manage_enrolment(user, enrolment) -> bool:
    """Pause, resume or withdraw an enrolment, or set a person's own due dates."""
    return not is_self(user, enrolment.person) and can_lead_programme(user, enrolment.cohort.programme)


def can_view_evidence(user, evidence) -> bool:
    return can_view_development(user, evidence.person)


def can_view_assessment(user, assessment) -> bool:
    """A 360 report is the person's own (and talent admins'); their leader does not see it."""
    return is_self(user, assessment.person) or can_manage_development(user, assessment.person.organisation)


def can_self_assess(user, assessment) -> bool:
    return is_self(user, assessment.person)


def can_run_assessment(user, assessment) -> bool:
    """Invite raters and close the assessment."""
    return can_view_assessment(user, assessment)


def can_approve_raters(user, assessment) -> bool:
    """A 360's rater list is approved (and its answers held in custody) by the person's line
    manager, a lead of their programme or a talent admin — never by the person."""
    person = assessment.person
    if is_self(user, person):
        return False
    return (is_immediate_leader(user, person) or leads_programme_of(user, person)
            or can_manage_development(user, person.organisation))


def can_void_assessment(user, assessment) -> bool:
    return not is_self(user, assessment.person) and can_manage_development(user, assessment.person.organisation)


def can_give_feedback(user, invitation) -> bool:
    return _person_id(user) is not None and _person_id(user) == invitation.rater_id


def can_arrange_mentoring(user, person) -> bool:
    return can_manage_development(user, person.organisation) or leads_programme_of(user, person)


def can_see_mentor_suggestions(user, person) -> bool:
    return is_self(user, person) or can_arrange_mentoring(user, person)


def _in_pair(user, agreement) -> bool:
    pid = _person_id(user)
    return pid is not None and pid in (agreement.mentor_id, agreement.mentee_id)


def can_view_agreement(user, agreement) -> bool:
    return _in_pair(user, agreement) or can_manage_development(user, agreement.mentee.organisation)


def can_read_session_notes(user, agreement) -> bool:
    """Private notes: the mentor and the mentee, and nobody else (not even a superuser)."""
    return _in_pair(user, agreement)


def can_end_agreement(user, agreement) -> bool:
    return can_view_agreement(user, agreement)


def can_record_career_conversation(user, person) -> bool:
    """The person's immediate leader records the conversation, or a talent admin."""
    if is_self(user, person):
        return False
    return is_immediate_leader(user, person) or can_manage_development(user, person.organisation)


@needs_role(Role.TALENT_ADMIN)
def can_see_development_aggregates(user, organisation) -> bool:
    """Learning gaps and the leadership pathway: talent admins."""
    return can_manage_development(user, organisation)


@needs_role(Role.SPECIAL_CATEGORY)
def can_see_pathway_diversity(user, organisation) -> bool:
    return has_role(user, Role.SPECIAL_CATEGORY, organisation)
