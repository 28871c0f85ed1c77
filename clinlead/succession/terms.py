"""Terms and rotation: the warnings sent 18, 12 and 6 months before a term ends.

Appointing and reappointing, with the term-limit rule, are `clinlead.org.appointments` (shared
with selection); the rule is written out in docs/succession.md.
"""

from datetime import date

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from clinlead import actions, notifications
from clinlead.accounts.models import Role, RoleGrant
from clinlead.audit import services as audit
from clinlead.dates import add_months
from clinlead.org.models import Appointment
from clinlead.succession.models import MILESTONES, TermWarning

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
    return notifications.Message(subject=f"{position}: term ends within {months} months", body=body,
                                 to=tuple(recipients), cc=tuple(cc))


def send_term_warnings(*, today: date | None = None, organisation=None):
    """Send each due warning once; returns [(appointment, months)] of the e-mails sent.

    When several milestones are due together (say the first run is 5 months before a term ends),
    only the most urgent goes out and the others are recorded as passed, so nobody gets three
    e-mails at once.
    """
    today = today or date.today()
    horizon = add_months(today, max(MILESTONES))
    appointments = (Appointment.objects.held_on(today)
                    # Someone leaving early (ended_on set) won't reach the term's end: no warning.
                    .filter(end__lte=horizon, ended_on__isnull=True, position__active=True)
                    .select_related("person", "position__organisation", "position__succession_pool")
                    .prefetch_related(Prefetch("term_warnings", to_attr="warnings_sent"))
                    .order_by("end", "pk"))
    if organisation is not None:
        appointments = appointments.filter(position__organisation=organisation)
    appointments = list(appointments)
    admins = _talent_admin_addresses({a.position.organisation_id for a in appointments})
    sent = []
    for appointment in appointments:
        recorded = {w.months_before for w in appointment.warnings_sent}
        unsent = [m for m in due_milestones(appointment.end, today) if m not in recorded]
        if not unsent:
            continue
        urgent = min(unsent)
        to = [appointment.person.work_email] if appointment.person.work_email else []
        cc = sorted(admins.get(appointment.position.organisation_id, set()) - set(to))
        try:
            _record_and_send(appointment, unsent, urgent, to, cc)
        except notifications.NotSent as exc:
            # Nothing is recorded as sent, so the next run tries again; the failure itself is
            # recorded where the talent admins see it.
            notifications.record_failure(kind="succession.term_warning", organisation=appointment.position.organisation,
                                         about=appointment, failed=exc.failed, total=exc.total, error=exc.error)
            continue
        sent.append((appointment, urgent))
    return sent


def _record_and_send(appointment, unsent, urgent, to, cc):
    with actions.atomic():
        for months in unsent:
            TermWarning.objects.create(appointment=appointment, months_before=months, emailed=months == urgent,
                                       recipients=len(to) + len(cc) if months == urgent else 0)
        audit.record(actor=None, action="succession.term_warning_sent", obj=appointment,
                     organisation=appointment.position.organisation,
                     after={"months_before": urgent, "recipients": len(to) + len(cc),
                            "passed": [m for m in unsent if m != urgent]})
        if to or cc:
            # Sent inside the transaction: if sending fails nothing is recorded and the next run retries.
            notifications.deliver([_message(appointment, urgent, to, cc)])
