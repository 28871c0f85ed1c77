"""Appointing to a position, and the term-limit rule: the one service succession (appoint,
reappoint) and selection (the committee's choice) both use. The rule is written out in
docs/succession.md ("The term rule"); in short:

- A term lasts `Position.term_years` (4 by default) and ends the day before the same date that
  many years on (`clinlead.dates.term_end`).
- A term is *consecutive* with the person's previous term in the same position when it starts
  before they have been out of the post for a full term: on or before `term_end(day after their
  last day served, term_years)`. Only time out of the post breaks a run. Someone else holding the
  post in between (an interim) does not; nor does a gap shorter than a term.
- The term number counts the run back through the person's record in the position, from the
  dates alone (a stored `term_number`, say from an import, is not trusted). Past
  `Position.max_consecutive_terms` (2 by default) the appointment is refused unless a reason for
  an exception is given: it is stored on `Appointment.term_limit_exception` and audited as its
  own action, `succession.term_limit_exception`.

Appointing someone else ends today's holder's term the day before the new one starts. Every
appointment sends `appointments_changed`, so apps that keep figures about holders (the
succession monitor) refresh them, whichever path appointed.
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.dispatch import Signal

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.dates import term_end
from clinlead.org.models import Appointment

# Sent inside the appointing transaction with `organisation_id`.
appointments_changed = Signal()


def continues_run(previous: Appointment, start: date, term_years: int) -> bool:
    """Does a term from `start` follow on from `previous` (the same person's earlier term in the
    same position)? Yes unless they have been out of the post for a full term by `start`."""
    return start <= term_end(previous.last_day + timedelta(days=1), term_years)


def term_number_for(*, position, person, start: date) -> int:
    """The number in a row of a term of `position` for `person` starting on `start`: 1, plus one
    for each earlier term of theirs in the position that the next one continues."""
    number, following = 1, start
    for previous in (Appointment.objects.filter(position=position, person=person, start__lt=start)
                     .order_by("-start")):
        if not continues_run(previous, following, position.term_years):
            break
        number, following = number + 1, previous.start
    return number


def past_limit_message(*, position, person, number) -> str:
    return (f"This would be {person}'s term {number} in a row as {position}, past this position's "
            f"limit: the limit is {position.max_consecutive_terms} terms of {position.term_years} years "
            "in a row. Give the reason for an exception to appoint anyway.")


def _check(position, person, start, management_sessions, clinical_sessions):
    if person.organisation_id != position.organisation_id:
        raise ValidationError({"person": "Only people of the position's own organisation can hold it"})
    if not person.active:
        raise ValidationError({"person": f"{person} has left the organisation"})
    if not position.active:
        raise ValidationError(f"{position} is no longer an active position")
    for field, value in (("management_sessions", management_sessions),
                         ("clinical_sessions", clinical_sessions)):
        if value is None or not 0 <= value <= 12:
            raise ValidationError({field: "Sessions a week must be between 0 and 12"})
    if Appointment.objects.held_on(start).filter(position=position, person=person).exists():
        raise ValidationError({"start": f"{person} already holds {position} on {start:%d/%m/%Y}"})
    if Appointment.objects.filter(position=position, start__gte=start).exists():
        raise ValidationError({"start": f"{position} already has an appointment starting on or after "
                                        f"{start:%d/%m/%Y}"})


def appoint(*, actor, position, person, start: date, management_sessions, clinical_sessions,
            term_limit_exception=""):
    """Appoint `person` to `position` for one term from `start`, within the term rule; today's
    other holder leaves the day before. Its own action, or part of the caller's (selection's
    final choice). The appointment's `ended_appointments` lists the holders' terms it ended."""
    with actions.atomic():
        _check(position, person, start, management_sessions, clinical_sessions)
        number = term_number_for(position=position, person=person, start=start)
        reason = term_limit_exception.strip()
        if number > position.max_consecutive_terms and not reason:
            raise ValidationError({"term_limit_exception": past_limit_message(
                position=position, person=person, number=number)})
        if number <= position.max_consecutive_terms:
            reason = ""  # no exception needed, none recorded
        ended = []
        for other in (Appointment.objects.select_for_update().held_on(start)
                      .filter(position=position, start__lt=start)):
            other.ended_on = start - timedelta(days=1)
            other.save(update_fields=["ended_on"])
            ended.append(other.pk)
        appointment = Appointment.objects.create(
            position=position, person=person, start=start, end=term_end(start, position.term_years),
            term_number=number, management_sessions=management_sessions,
            clinical_sessions=clinical_sessions, term_limit_exception=reason)
        appointment.ended_appointments = ended
        organisation = position.organisation
        appointments_changed.send(sender=Appointment, organisation_id=organisation.pk)
        audit.record(actor=actor, action="succession.reappointed" if number > 1 else "succession.appointed",
                     obj=appointment, organisation=organisation,
                     after={"term_number": number, "start": start.isoformat(), "end": appointment.end.isoformat(),
                            "previous_holder_appointments_ended": ended})
        if reason:
            audit.record(actor=actor, action="succession.term_limit_exception", obj=appointment,
                         organisation=organisation,
                         after={"term_number": number, "max_consecutive_terms": position.max_consecutive_terms,
                                "reason": reason})
    return appointment


def reappoint(*, actor, appointment, term_limit_exception="", management_sessions=None, clinical_sessions=None):
    """A further term for the same holder, from the day after the current term ends."""
    if appointment.ended_on is not None:
        raise ValidationError(f"{appointment.person} left this position on {appointment.ended_on:%d/%m/%Y}")
    return appoint(
        actor=actor, position=appointment.position, person=appointment.person,
        start=appointment.end + timedelta(days=1),
        management_sessions=(appointment.management_sessions if management_sessions is None
                             else management_sessions),
        clinical_sessions=appointment.clinical_sessions if clinical_sessions is None else clinical_sessions,
        term_limit_exception=term_limit_exception)
