"""The final choice: a committee of leaders from other departments picks from the shortlist,
each member's vote and written rationale on record; then the appointment and its term."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinlead import actions
from clinlead import notifications as notify
from clinlead.audit import services as audit
from clinlead.org import appointments
from clinlead.org.models import Appointment
from clinlead.selection import rules, selectors
from clinlead.selection.messages import HERE as MESSAGES
from clinlead.selection.models import Candidate, CommitteeMember, Selection

S = Selection.Stage
MIN_RATIONALE = 20


def add_committee_member(*, actor, selection, person, is_chair=False):
    """Seat a leader from outside the vacancy's department (`rules.member_problems`), before the
    ballot opens (`rules.committee_change_problem`)."""
    today = timezone.localdate()
    with actions.atomic():
        selection = Selection.objects.select_for_update().select_related("unit").get(pk=selection.pk)
        problem = rules.committee_change_problem(selection, now=timezone.now())
        if problem:
            raise ValidationError(problem)
        problems = selectors.committee_problems(selection=selection, person=person, day=today)
        if problems:
            raise ValidationError(problems[0])
        if is_chair:
            CommitteeMember.objects.filter(selection=selection, is_chair=True).update(is_chair=False)
        member = CommitteeMember.objects.create(
            selection=selection, person=person, is_chair=is_chair,
            appointed_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor=actor, action="selection.committee_member_added", obj=member,
                     organisation=selection.organisation, after={"person": person.pk, "chair": is_chair})
        notify.enqueue_after_commit(MESSAGES + "committee_seat", kind="selection.committee_seat",
                                    member_id=member.pk)
    return member


def declare_interest(*, actor, member, has_conflict, details=""):
    """A member declares whether they have a conflict of interest; one who has takes no part."""
    details = details.strip()
    if has_conflict and not details:
        raise ValidationError("Describe the conflict of interest.")
    with actions.atomic():
        member = CommitteeMember.objects.select_for_update().select_related("selection").get(pk=member.pk)
        if member.selection.has_ended:
            raise ValidationError(rules.ended_problem(member.selection) + " Declarations are closed.")
        if member.vote_for_id is not None:
            raise ValidationError("You have voted: your declaration was made before that.")
        before = {"declared": member.interest_declared_on is not None, "has_conflict": member.has_conflict}
        member.interest_declared_on = timezone.localdate()
        member.has_conflict, member.conflict_details = has_conflict, details
        member.save(update_fields=["interest_declared_on", "has_conflict", "conflict_details"])
        audit.record(actor=actor, action="selection.interest_declared", obj=member,
                     organisation=member.selection.organisation, before=before,
                     after={"declared": True, "has_conflict": has_conflict})
    return member


def record_committee_vote(*, actor, member, candidate, rationale):
    """A member's choice from the shortlist and their written reasons; may be changed until the
    appointment is made."""
    rationale = rationale.strip()
    if len(rationale) < MIN_RATIONALE:
        raise ValidationError(f"Write your reasons (at least {MIN_RATIONALE} characters).")
    with actions.atomic():
        member = CommitteeMember.objects.select_for_update().select_related("selection").get(pk=member.pk)
        selection = member.selection
        if selection.stage != S.COUNTED:
            raise ValidationError("The committee votes once the shortlist is published and until the appointment.")
        if member.interest_declared_on is None:
            raise ValidationError("Declare your interests before you vote.")
        if member.has_conflict:
            raise ValidationError("You declared a conflict of interest, so you take no part in the decision.")
        candidate = Candidate.objects.get(pk=candidate.pk)
        if candidate.selection_id != selection.pk or candidate.shortlist_rank is None or candidate.withdrawn:
            raise ValidationError("Choose a candidate on the shortlist.")
        before = {"vote_for": member.vote_for_id}
        member.vote_for, member.rationale, member.voted_on = candidate, rationale, timezone.localdate()
        member.save(update_fields=["vote_for", "rationale", "voted_on"])
        audit.record(actor=actor, action="selection.committee_vote_recorded", obj=member,
                     organisation=selection.organisation, before=before, after={"vote_for": candidate.pk})
    return member


def make_appointment(*, actor, selection, candidate, start: date, term_limit_exception=""):
    """Appoint the chosen candidate through the appointment service (`clinlead.org.appointments`,
    the same term rule and exceptions as succession's appointing), with the sessions of the
    post's last holder; runs inside the caller's action."""
    position = selection.vacancy.position
    previous = Appointment.objects.filter(position=position).order_by("-start").first()
    appointment = appointments.appoint(
        actor=actor, position=position, person=candidate.person, start=start,
        management_sessions=previous.management_sessions if previous else 0,
        clinical_sessions=previous.clinical_sessions if previous else 0,
        term_limit_exception=term_limit_exception)
    selection.chosen, selection.appointment, selection.stage = candidate, appointment, S.APPOINTED
    selection.save(update_fields=["chosen", "appointment", "stage"])
    return appointment, appointment.ended_appointments


def confirm_appointment(*, actor, selection, start: date, term_limit_exception=""):
    """Appoint the committee's choice for one term from `start` and tell everyone. Past the
    position's term limit this needs `term_limit_exception`, a reason, as any appointment does."""
    with actions.atomic():
        selection = (Selection.objects.select_for_update()
                     .select_related("vacancy__position", "unit", "organisation").get(pk=selection.pk))
        if selection.stage != S.COUNTED:
            raise ValidationError("The appointment is made once the shortlist is published and the committee has decided.")
        winner, problems = selectors.committee_decision(selection=selection)
        if problems:
            raise ValidationError(problems[0])
        appointment, ended = make_appointment(actor=actor, selection=selection, candidate=winner,
                                              start=start, term_limit_exception=term_limit_exception)
        audit.record(actor=actor, action="selection.appointment_made", obj=selection,
                     after={"person": winner.person_id, "appointment": appointment.pk,
                            "term_number": appointment.term_number, "start": start.isoformat(),
                            "end": appointment.end.isoformat(), "ended_appointments": ended})
        notify.enqueue_after_commit(MESSAGES + "appointed", kind="selection.appointed", selection_id=selection.pk)
    return appointment
