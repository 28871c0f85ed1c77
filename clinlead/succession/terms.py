"""Terms and rotation: appointing and reappointing within the position's term limits, and the
warnings sent 18, 12 and 6 months before a term ends.

A term is consecutive with the person's previous appointment to the same position when it starts
the day after that one's last day (or earlier). Going past `Position.max_consecutive_terms` needs
an exception with a reason: stored on `Appointment.term_limit_exception` and audited as its own
action, `succession.term_limit_exception`.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from clinlead.accounts.models import Role, RoleGrant
from clinlead.audit import services as audit
from clinlead.org.models import Appointment
from clinlead.succession.dates import MILESTONES, add_months
from clinlead.succession.models import TermWarning
from clinlead.succession.monitor_store import data_changed


def term_end(position, start: date) -> date:
    return add_months(start, 12 * position.term_years) - timedelta(days=1)


def consecutive_term_number(*, position, person, start: date) -> int:
    """1, or one more than the person's previous term if this one follows on from it."""
    previous = (Appointment.objects.filter(position=position, person=person, start__lt=start)
                .order_by("-start").first())
    if previous is None or previous.last_day + timedelta(days=1) < start:
        return 1
    return previous.term_number + 1


def _appoint(actor, position, person, start, management_sessions, clinical_sessions, term_limit_exception):
    if person.organisation_id != position.organisation_id:
        raise ValidationError({"person": "Only people of the position's own organisation can hold it"})
    if not person.active:
        raise ValidationError({"person": f"{person} has left the organisation"})
    if not position.active:
        raise ValidationError(f"{position} is no longer an active position")
    for field, value in (("management_sessions", management_sessions), ("clinical_sessions", clinical_sessions)):
        if value is None or not 0 <= value <= 12:
            raise ValidationError({field: "Sessions a week must be between 0 and 12"})
    if Appointment.objects.filter(position=position, person=person, start__lte=start, end__gte=start,
                                  ended_on__isnull=True).exists() or Appointment.objects.filter(
            position=position, person=person, start__gte=start).exists():
        raise ValidationError({"start": f"{person} already holds {position} on {start:%d/%m/%Y} or later"})
    number = consecutive_term_number(position=position, person=person, start=start)
    reason = term_limit_exception.strip()
    if number > position.max_consecutive_terms and not reason:
        raise ValidationError({"term_limit_exception": (
            f"This would be {person}'s term {number} in a row as {position}; the limit is "
            f"{position.max_consecutive_terms} terms of {position.term_years} years. "
            "Give the reason for an exception to appoint anyway.")})
    if number <= position.max_consecutive_terms:
        reason = ""  # no exception needed, none recorded
    later = Appointment.objects.filter(position=position, start__gte=start).exclude(person=person)
    if later.exists():
        raise ValidationError({"start": f"Someone else is already appointed to {position} from that day or later"})
    ended = []
    for other in (Appointment.objects.select_for_update().filter(position=position, start__lt=start, end__gte=start,
                                                                 ended_on__isnull=True).exclude(person=person)):
        other.ended_on = start - timedelta(days=1)
        other.save(update_fields=["ended_on"])
        ended.append(other.pk)
    appointment = Appointment.objects.create(
        position=position, person=person, start=start, end=term_end(position, start), term_number=number,
        management_sessions=management_sessions, clinical_sessions=clinical_sessions,
        term_limit_exception=reason)
    organisation = position.organisation
    data_changed(organisation.pk)
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


def appoint(*, actor, position, person, start: date, management_sessions, clinical_sessions,
            term_limit_exception=""):
    """Appoint someone for one term from `start`; today's other holder leaves the day before."""
    with transaction.atomic(durable=True):
        return _appoint(actor, position, person, start, management_sessions, clinical_sessions,
                        term_limit_exception)


def reappoint(*, actor, appointment, term_limit_exception="", management_sessions=None, clinical_sessions=None):
    """A further term for the same holder, from the day after the current term ends."""
    if appointment.ended_on is not None:
        raise ValidationError(f"{appointment.person} left this position on {appointment.ended_on:%d/%m/%Y}")
    with transaction.atomic(durable=True):
        return _appoint(
            actor, appointment.position, appointment.person, appointment.end + timedelta(days=1),
            appointment.management_sessions if management_sessions is None else management_sessions,
            appointment.clinical_sessions if clinical_sessions is None else clinical_sessions,
            term_limit_exception)


# ---------------------------------------------------------------- warnings


def due_milestones(end: date, today: date) -> list[int]:
    """The milestones (months before the end) already reached on `today`, for a term not yet over."""
    if end < today:
        return []
    return [m for m in MILESTONES if today >= add_months(end, -m)]


def _talent_admin_addresses(organisation_ids):
    grants = (RoleGrant.objects.filter(role=Role.TALENT_ADMIN, organisation_id__in=organisation_ids)
              .select_related("user__person"))
    out = {}
    for grant in grants:
        user = grant.user
        address = (user.person.work_email if user.person_id and user.person.work_email else user.email)
        if address and user.is_active:
            out.setdefault(grant.organisation_id, set()).add(address)
    return out


def selection_link(position) -> str:
    return reverse("succession:start_selection", kwargs={"pk": position.pk})


def _message(appointment, months, recipients, cc):
    position, person = appointment.position, appointment.person
    pool = getattr(position, "succession_pool", None)
    depth = (f"{pool.candidate_count} candidate(s), {pool.ready_now_count} ready now" if pool
             else "no succession pool yet")
    site = settings.SITE_URL.rstrip("/")
    body = "\n".join([
        f"The term of {person} as {position} ends on {appointment.end:%d %B %Y}, within {months} months.",
        f"This is term {appointment.term_number} of at most {position.max_consecutive_terms} in a row.",
        f"Succession pool: {depth}.",
        "",
        f"Review the succession pool: {site}{reverse('succession:pool', kwargs={'pk': position.pk})}",
        f"Start a selection: {site}{selection_link(position)}",
        "",
        "You receive this as the holder of the position or as a talent admin of the organisation.",
    ])
    return EmailMessage(subject=f"{position}: term ends within {months} months", body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL, to=recipients, cc=cc)


def send_term_warnings(*, today: date | None = None, organisation=None):
    """Send each due warning once; returns [(appointment, months)] of the e-mails sent.

    When several milestones are due together (say the first run is 5 months before a term ends),
    only the most urgent goes out and the others are recorded as passed, so nobody gets three
    e-mails at once.
    """
    today = today or date.today()
    horizon = add_months(today, max(MILESTONES))
    appointments = (Appointment.objects.filter(start__lte=today, end__gte=today, end__lte=horizon,
                                               ended_on__isnull=True, position__active=True)
                    .select_related("person", "position__organisation", "position__succession_pool")
                    .prefetch_related(Prefetch("term_warnings", to_attr="warnings_sent"))
                    .order_by("end", "pk"))
    if organisation is not None:
        appointments = appointments.filter(position__organisation=organisation)
    appointments = list(appointments)
    admins = _talent_admin_addresses({a.position.organisation_id for a in appointments})
    sent = []
    connection = get_connection()
    for appointment in appointments:
        recorded = {w.months_before for w in appointment.warnings_sent}
        unsent = [m for m in due_milestones(appointment.end, today) if m not in recorded]
        if not unsent:
            continue
        urgent = min(unsent)
        to = [appointment.person.work_email] if appointment.person.work_email else []
        cc = sorted(admins.get(appointment.position.organisation_id, set()) - set(to))
        with transaction.atomic(durable=True):
            for months in unsent:
                TermWarning.objects.create(appointment=appointment, months_before=months, emailed=months == urgent,
                                           recipients=len(to) + len(cc) if months == urgent else 0)
            audit.record(actor=None, action="succession.term_warning_sent", obj=appointment,
                         organisation=appointment.position.organisation,
                         after={"months_before": urgent, "recipients": len(to) + len(cc),
                                "passed": [m for m in unsent if m != urgent]})
            if to or cc:
                # Sent inside the transaction: if sending fails nothing is recorded and the next run retries.
                connection.send_messages([_message(appointment, urgent, to, cc)])
        sent.append((appointment, urgent))
    return sent
