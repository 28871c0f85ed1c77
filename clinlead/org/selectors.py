"""Reading the organisation: effective-dated lookups the pages and later features share."""

from datetime import date

from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery

from clinlead.org.models import (
    Appointment,
    PartnerRole,
    Person,
    Position,
    ReportingLine,
    Unit,
    UnitMembership,
)


def current_unit(*, person, day: date):
    membership = UnitMembership.objects.on(day).filter(person=person).select_related("unit").first()
    return membership.unit if membership else None


def immediate_leader(*, person, day: date):
    line = ReportingLine.objects.on(day).filter(person=person).select_related("leader").first()
    return line.leader if line else None


def direct_reports(*, person, day: date):
    return Person.objects.filter(
        id__in=ReportingLine.objects.on(day).filter(leader=person).values("person_id"), active=True
    )


def person_summary(*, person, day: date):
    return {
        "unit": current_unit(person=person, day=day),
        "leader": immediate_leader(person=person, day=day),
        "reports": direct_reports(person=person, day=day).count(),
        "appointments": person_appointments(person=person),
        "partner_roles": PartnerRole.objects.filter(person=person).select_related("position"),
    }


def person_appointments(*, person):
    return Appointment.objects.filter(person=person).select_related("position", "position__unit").order_by("-start")


def unit_members(*, unit, day: date):
    return Person.objects.filter(
        id__in=UnitMembership.objects.on(day).filter(unit=unit).values("person_id"), active=True
    ).order_by("last_name", "first_name")


def staff_count_by_unit(*, organisation, day: date, depth: int):
    """Active staff in each unit's subtree, for the units at one depth: people, not memberships
    (someone in two teams of a department counts once), and only the units at that depth (someone
    sitting directly in a division is in no department's subtree)."""
    people = {}
    rows = (
        UnitMembership.objects.on(day)
        .filter(unit__organisation=organisation, person__active=True, unit__depth__gte=depth)
        .values_list("unit__path", "person_id")
    )
    for path, person_id in rows.iterator(chunk_size=5000):
        top = "/".join(path.split("/")[: depth + 1])
        people.setdefault(top, set()).add(person_id)
    return {path: len(members) for path, members in people.items()}


def positions_with_holders(*, queryset, day: date):
    """Positions with today's holder and partners, in a fixed number of queries."""
    holders = Appointment.objects.held_on(day).select_related("person")
    partners = PartnerRole.objects.on(day).select_related("person")
    return queryset.select_related("unit", "level").prefetch_related(
        Prefetch("appointments", queryset=holders, to_attr="current_appointments"),
        Prefetch("partners", queryset=partners, to_attr="current_partners"),
    )


def decorate_position(position):
    appointment = position.current_appointments[0] if position.current_appointments else None
    administrator = next((p for p in position.current_partners if p.role == PartnerRole.Role.ADMINISTRATOR), None)
    nurse = next((p for p in position.current_partners if p.role == PartnerRole.Role.NURSE_LEADER), None)
    position.holder = appointment
    position.administrator = administrator
    position.nurse_leader = nurse
    position.missing_partner = administrator is None
    return position


def search_people(*, organisation, query: str):
    people = Person.objects.filter(organisation=organisation)
    for word in query.split():
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(staff_number__iexact=word))
    return people.order_by("-active", "last_name", "first_name")


def top_units(*, organisation, depth_limit=1):
    return Unit.objects.filter(organisation=organisation, depth__lte=depth_limit).order_by("path")


def key_positions(*, organisation):
    return Position.objects.filter(organisation=organisation, is_key=True, active=True)


# The positions register's orders: {sort key: (label, ordering)}. Term end is the current
# holder's (vacant positions last).
REGISTER_SORTS = {
    "level": ("Level, most senior first", ("-level__rank", "title")),
    "title": ("Title", ("title",)),
    "unit": ("Unit", ("unit__path", "title")),
    "term_end": ("Term ending soonest", (F("term_ends").asc(nulls_last=True), "title")),
}


def positions_register(*, organisation, day: date, query: str = "", level_id=None, key_only=False,
                       sort: str = "level"):
    """The organisation's active positions with today's holders and partners, searched (every
    word in the title, the unit or the holder's name), filtered and sorted (`REGISTER_SORTS`)."""
    held = Appointment.objects.held_on(day).filter(position=OuterRef("pk"))
    positions = Position.objects.filter(organisation=organisation, active=True).annotate(
        term_ends=Subquery(held.order_by("end").values("end")[:1]))
    if level_id:
        positions = positions.filter(level_id=level_id)
    if key_only:
        positions = positions.filter(is_key=True)
    for word in query.split():
        holder = held.filter(Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word))
        positions = positions.filter(Q(title__icontains=word) | Q(unit__path__icontains=word) | Exists(holder))
    ordering = REGISTER_SORTS.get(sort, REGISTER_SORTS["level"])[1]
    return positions_with_holders(queryset=positions.order_by(*ordering), day=day)


def register_rows(positions):
    """The register as spreadsheet rows (header, rows) for `clinlead.exports.xlsx_response`."""
    header = ["Position", "Level", "Unit", "Key position", "Held by", "Term", "Term ends",
              "Administrator", "Nurse leader"]
    rows = []
    for p in map(decorate_position, positions):
        holder = p.holder
        rows.append([p.title, str(p.level), p.unit.path if p.unit_id else "", "Yes" if p.is_key else "No",
                     holder.person.full_name if holder else "Vacant",
                     f"{holder.term_number} of {p.max_consecutive_terms}" if holder else "",
                     holder.end if holder else None,
                     p.administrator.person.full_name if p.administrator else "",
                     p.nurse_leader.person.full_name if p.nurse_leader else ""])
    return header, rows
