"""The final choice: a committee of leaders from other departments picks from the shortlist,
each member's vote and written rationale on record; then the appointment and its term."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.dates import term_end
from clinlead.org.models import Appointment, Person
from clinlead.selection import notifications, selectors
from clinlead.selection.models import Candidate, CommitteeMember, Selection

S = Selection.Stage
MIN_RATIONALE = 20


def add_committee_member(*, actor, selection, person):
    """Seat a leader from another department: refused if their current unit is inside the
    vacancy's unit, if they stand, or if they lead nobody."""
    today = timezone.localdate()
    with actions.atomic():
        selection = Selection.objects.select_for_update().select_related("unit").get(pk=selection.pk)
        if selection.stage == S.APPOINTED:
            raise ValidationError("The appointment has been made: the committee is closed.")
        problems = selectors.committee_problems(selection=selection, person=person, day=today)
        if problems:
            raise ValidationError(problems[0])
        member = CommitteeMember.objects.create(
            selection=selection, person=person, appointed_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor=actor, action="selection.committee_member_added", obj=member,
                     organisation=selection.organisation, after={"person": person.pk})
    return member


def declare_interest(*, actor, member, has_conflict, details=""):
    """A member declares whether they have a conflict of interest; one who has takes no part."""
    details = details.strip()
    if has_conflict and not details:
        raise ValidationError("Describe the conflict of interest.")
    with actions.atomic():
        member = CommitteeMember.objects.select_for_update().select_related("selection").get(pk=member.pk)
        if member.selection.stage == S.APPOINTED:
            raise ValidationError("The appointment has been made: declarations are closed.")
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


def make_appointment(*, selection, candidate, start: date):
    """Create the appointment for one term, refusing a term past the position's limit; ends the
    term of a holder who would overlap. Runs inside the caller's transaction."""
    position, person = selection.vacancy.position, candidate.person
    if Appointment.objects.filter(position=position, start__gte=start).exists():
        raise ValidationError(f"{position} already has an appointment starting on or after {start:%d %B %Y}.")
    term_number = selectors.consecutive_terms(position=position, person=person, before=start) + 1
    if term_number > position.max_consecutive_terms:
        raise ValidationError(
            f"{person.full_name} would start term {term_number} in a row, past this position's limit "
            f"of {position.max_consecutive_terms} consecutive terms.")
    ended = []
    for holder in Appointment.objects.filter(position=position, start__lt=start, end__gte=start, ended_on__isnull=True):
        holder.ended_on = start - timedelta(days=1)
        holder.save(update_fields=["ended_on"])
        ended.append(holder.pk)
    previous = Appointment.objects.filter(position=position).order_by("-start").first()
    appointment = Appointment.objects.create(
        position=position, person=person, start=start,
        end=term_end(start, position.term_years), term_number=term_number,
        management_sessions=previous.management_sessions if previous else 0,
        clinical_sessions=previous.clinical_sessions if previous else 0,
    )
    selection.chosen, selection.appointment, selection.stage = candidate, appointment, S.APPOINTED
    selection.save(update_fields=["chosen", "appointment", "stage"])
    return appointment, ended


def confirm_appointment(*, actor, selection, start: date):
    """Appoint the committee's choice for one term from `start` and tell everyone."""
    with actions.atomic():
        selection = (Selection.objects.select_for_update()
                     .select_related("vacancy__position", "unit", "organisation").get(pk=selection.pk))
        if selection.stage != S.COUNTED:
            raise ValidationError("The appointment is made once the shortlist is published and the committee has decided.")
        winner, problems = selectors.committee_decision(selection=selection)
        if problems:
            raise ValidationError(problems[0])
        appointment, ended = make_appointment(selection=selection, candidate=winner, start=start)
        audit.record(actor=actor, action="selection.appointment_made", obj=selection,
                     after={"person": winner.person_id, "appointment": appointment.pk,
                            "term_number": appointment.term_number, "start": start.isoformat(),
                            "end": appointment.end.isoformat(), "ended_appointments": ended})
        people = list(Person.objects.filter(id__in=selection.electors.values("person_id")))
        people += [c.person for c in Candidate.objects.filter(selection=selection).select_related("person")]
        people += [m.person for m in CommitteeMember.objects.filter(selection=selection).select_related("person")]
        notifications.notify_after_commit(
            people=people, subject=f"Appointed: {winner.person.full_name} as {selection.position}",
            body=(f"{winner.person.full_name} has been appointed {selection.position} for term "
                  f"{appointment.term_number}, from {appointment.start:%d %B %Y} to {appointment.end:%d %B %Y}. "
                  f"The staff of {selection.unit.path} chose the shortlist by secret ballot, and leaders "
                  f"from other departments made the final choice.\n\n"
                  f"{notifications.link('selection:appointment', pk=selection.pk)}\n"),
        )
    return appointment
