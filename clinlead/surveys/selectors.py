"""Reading survey cycles. Nothing here reveals who has or has not answered."""

from django.db.models import Q

from clinlead.org.models import Appointment, Person, ReportingLine, Unit, UnitMembership
from clinlead.surveys.models import ResponseRateSnapshot, SurveyCycle


def leader_choices(*, invitation):
    """Whom a respondent may name as their immediate leader instead of the one on record:
    leaders of anyone in their unit, and holders of positions in their unit or above it."""
    day = invitation.cycle.snapshot_date
    unit = invitation.unit
    if unit is None:
        return Person.objects.filter(pk=invitation.leader_id) if invitation.leader_id else Person.objects.none()
    colleagues = UnitMembership.objects.on(day).filter(unit=unit).values("person_id")
    line_leaders = ReportingLine.objects.on(day).filter(person_id__in=colleagues).values("leader_id")
    units_above = [u.pk for u in unit.ancestors()] + [unit.pk]
    holders = Appointment.objects.held_on(day).filter(position__unit_id__in=units_above).values("person_id")
    return (Person.objects.filter(Q(id__in=line_leaders) | Q(id__in=holders) | Q(id=invitation.leader_id))
            .exclude(pk=invitation.person_id).filter(active=True).order_by("last_name", "first_name"))


def cycles_for(*, organisation):
    return SurveyCycle.objects.filter(organisation=organisation).select_related("instrument")


def progress(*, cycle):
    """Response rates from the latest daily snapshot, by top-level unit and for the organisation.

    A unit's figures show only when at least k people there were invited and at least k have
    answered; counts are rounded down to a multiple of k, so one more answer cannot be seen, and
    the response-rate band is worked out from that rounded count.
    """
    latest = ResponseRateSnapshot.objects.filter(cycle=cycle).order_by("-day").values_list("day", flat=True).first()
    if latest is None:
        return None, []
    k = cycle.min_responses
    rows = []
    for snap in ResponseRateSnapshot.objects.filter(cycle=cycle, day=latest).select_related("unit").order_by("unit__path"):
        shown = snap.invited >= k and snap.responded >= k
        at_least = (snap.responded // k) * k if shown else None
        rows.append({
            "unit": snap.unit,
            "invited": snap.invited if snap.invited >= k else None,
            "responded_at_least": at_least,
            # From the published count, never the exact one: the band moves only when that count
            # does, so two days' bands cannot be told apart by one more answer.
            "rate_band": _band(at_least / snap.invited) if shown else None,
        })
    return latest, rows


def _band(rate):
    low = int(rate * 10) * 10
    return f"{low}–{min(low + 10, 100)}%"


def top_units(*, organisation):
    return Unit.objects.filter(organisation=organisation, depth=0).order_by("path")
