"""Reading succession: pools and their scorecards, candidate cards, the charts of key positions
and of dyads, each in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.db.models import Count, Q

from clinlead.dates import add_months
from clinlead.development.selectors import development_summary, onboarding_warnings
from clinlead.leaderindex.models import LeaderResult
from clinlead.leaderindex.selectors import latest_leader_index
from clinlead.org.models import Appointment, Person, Position, Unit
from clinlead.org.readiness import readiness_of
from clinlead.org.selectors import decorate_position, positions_with_holders
from clinlead.succession.models import IncumbentPlan, PoolCandidate, Readiness, SuccessionPool
from clinlead.succession.monitor import current_appointments, settings_for
from clinlead.succession.org_chart import Box, Line, layout, wrap

RISK_LABELS = {"high": "High risk", "medium": "Medium risk", "low": "Low risk"}
RISK_TAGS = {"high": "nhsuk-tag--red", "medium": "nhsuk-tag--yellow", "low": "nhsuk-tag--green"}


def person_in(*, organisation, staff_number):
    """The person with this staff number, or None. Typed text, so it may hold anything: a staff
    number never holds control characters (and PostgreSQL refuses a NUL in a query)."""
    staff_number = staff_number.strip()
    if not staff_number or not staff_number.isprintable():
        return None
    return Person.objects.filter(organisation=organisation, staff_number__iexact=staff_number).first()


def latest_published_results(person_ids):
    """{person id: their latest published LeaderResult}, in one query."""
    latest = {}
    for result in (LeaderResult.objects.filter(leader_id__in=list(person_ids), cycle__status="published")
                   .select_related("cycle").order_by("leader_id", "cycle__opens_on")):
        latest[result.leader_id] = result
    return latest


def depth_by_readiness(candidates):
    counts = {r.value: 0 for r in Readiness}
    for c in candidates:
        counts[c.readiness] += 1
    return [(r.label, counts[r.value]) for r in Readiness]


def competence_summary(candidates):
    """How much evidence the pool has: published leader indices and development records."""
    results = latest_published_results(c.person_id for c in candidates)
    indices = [results[c.person_id].index for c in candidates if c.person_id in results]
    development = sum(1 for c in candidates if has_development_record(development_summary(person=c.person)))
    return {
        "candidates": len(candidates),
        "with_leader_index": len(indices),
        "median_leader_index": round(median(indices), 1) if indices else None,
        "with_development_record": development,
        "results": results,
    }


def pool_page(*, position, day: date):
    """The position (with holder and partners), its pool, candidates and scorecard."""
    position = decorate_position(positions_with_holders(queryset=Position.objects.filter(pk=position.pk), day=day)[0])
    if position.holder:
        attach_plans([position.holder])
    pool = SuccessionPool.objects.filter(position=position).first()
    candidates = list(pool.candidates.select_related("person", "standing")) if pool else []
    order = {value: i for i, value in enumerate(Readiness.values)}
    candidates.sort(key=lambda c: (order[c.readiness], c.person.last_name, c.person.first_name))
    competence = competence_summary(candidates)
    onboarding = onboarding_warnings(c.person_id for c in candidates)
    for c in candidates:
        c.leader_result = competence["results"].get(c.person_id)
        c.onboarding = onboarding.get(c.person_id)
    return {
        "position": position,
        "pool": pool,
        "candidates": candidates,
        "depth": depth_by_readiness(candidates),
        "competence": competence,
        "in_onboarding": [c for c in candidates if c.onboarding],
        "history": list(position.appointments.select_related("person").order_by("-start")),
        "plan": position.holder.plan if position.holder else None,
        "risk": risk_of(position=position, pool=pool, day=day),
    }


def attach_plans(appointments):
    """Set `.plan` (an IncumbentPlan or None) on each appointment, in one query."""
    plans = {p.appointment_id: p for p in IncumbentPlan.objects.filter(appointment__in=[a.pk for a in appointments])}
    for a in appointments:
        a.plan = plans.get(a.pk)
    return appointments


def risk_of(*, position, pool, day, window_end=None):
    """high: the holder leaves within the risk window (or the post is vacant) with nobody ready
    now; medium: nobody ready now; low: someone is ready now."""
    if pool is not None and pool.ready_now_count:
        return "low"
    holder = getattr(position, "holder", None)
    if window_end is None:
        window_end = add_months(day, settings_for(position.organisation_id).risk_window_months)
    if holder is None:
        return "high"
    plan = getattr(holder, "plan", None)
    leaves = min(holder.end, plan.planned_departure) if plan and plan.planned_departure else holder.end
    return "high" if leaves <= window_end else "medium"


def my_positions(*, person, day: date):
    """Positions the person holds today, each with its pool (or None)."""
    held = current_appointments(day).filter(person=person).values("position_id")
    positions = [decorate_position(p) for p in positions_with_holders(
        queryset=Position.objects.filter(id__in=held).select_related("succession_pool"), day=day)]
    for p in positions:
        p.pool = getattr(p, "succession_pool", None)
    return positions


def candidate_card(*, person, day: date, visible_pools):
    """Everything a selection panel needs about one person."""
    appointments = list(Appointment.objects.filter(person=person).select_related("position__unit", "position__level")
                        .order_by("-start"))
    current = [a for a in appointments if a.in_force_on(day)]
    leadership_days = sum((min(a.last_day, day) - a.start).days + 1 for a in appointments if a.start <= day)
    development = development_summary(person=person)
    return {
        "person": person,
        "current": current,
        "past": [a for a in appointments if a not in current],
        "years_in_role": round(((day - current[0].start).days + 1) / 365.25, 1) if current else None,
        "years_in_leadership": round(leadership_days / 365.25, 1),
        "sessions": [(a.position, a.management_sessions, a.clinical_sessions) for a in current],
        "leader_index": latest_leader_index(person=person),
        "development": development if has_development_record(development) else None,
        "entries": list(PoolCandidate.objects.filter(person=person, pool__in=visible_pools)
                        .select_related("pool__position", "standing").order_by("pool__position__title")),
        # The one readiness per position (pools and career conversations), with its history.
        "readiness": readiness_of(person=person),
        "onboarding": onboarding_warnings([person.pk]).get(person.pk),
    }


def pools_list(*, scope, day: date, empty_only=False):
    """Key positions in scope with their pool depth, highest level first (a queryset to page)."""
    queryset = Position.objects.filter(scope.q(), is_key=True).select_related("succession_pool")
    if empty_only:
        queryset = queryset.filter(Q(succession_pool__isnull=True) | Q(succession_pool__candidate_count=0))
    return positions_with_holders(queryset=queryset.order_by("-level__rank", "title"), day=day)


# ---------------------------------------------------------------- charts nested by unit


@dataclass
class ChartNode:
    unit: Unit
    positions: list = field(default_factory=list)
    children: list = field(default_factory=list)


def _nest(organisation, positions):
    """Positions placed in their units, with every unit above them, as a forest of ChartNodes."""
    paths = set()
    for p in positions:
        parts = p.unit.path.split("/")
        paths.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    nodes = {u.path: ChartNode(u) for u in Unit.objects.filter(organisation=organisation, path__in=paths)}
    for p in positions:
        nodes[p.unit.path].positions.append(p)
    roots = []
    for path in sorted(nodes):
        parent = path.rsplit("/", 1)[0] if "/" in path else None
        (nodes[parent].children if parent in nodes else roots).append(nodes[path])
    for node in nodes.values():
        node.positions.sort(key=lambda p: (-p.level.rank, p.title))
    return roots


def succession_chart(*, organisation, day: date, division=None):
    """Key positions nested by unit, each with holder, term end, partners, pool depth and risk."""
    queryset = Position.objects.filter(organisation=organisation, active=True, is_key=True)
    if division is not None:
        queryset = queryset.filter(unit__in=division.subtree())
    window_end = add_months(day, settings_for(organisation).risk_window_months)
    positions = [decorate_position(p) for p in positions_with_holders(
        queryset=queryset.select_related("succession_pool"), day=day)]
    attach_plans([p.holder for p in positions if p.holder])
    counts = {"high": 0, "medium": 0, "low": 0}
    for p in positions:
        p.pool = getattr(p, "succession_pool", None)
        p.risk = risk_of(position=p, pool=p.pool, day=day, window_end=window_end)
        p.risk_label, p.risk_tag = RISK_LABELS[p.risk], RISK_TAGS[p.risk]
        counts[p.risk] += 1
    return {"roots": _nest(organisation, positions), "positions": positions, "counts": counts}


def chart_drawing(chart):
    """The succession chart as boxes and lines (`org_chart.layout`), for the SVG."""
    def box(node):
        lines = [Line(f"{node.unit.get_kind_display()}: {node.unit.name}", "heading")]
        for p in node.positions:
            lines += [Line(text, "title") for text in wrap(p.title)]
            if p.holder:
                lines.append(Line(f"{p.holder.person}, term {p.holder.term_number} of {p.max_consecutive_terms}"))
                lines.append(Line(f"Term ends {p.holder.end:%-d %b %Y}"))
            else:
                lines.append(Line("Vacant"))
            depth = (f"{p.pool.candidate_count} in pool, {p.pool.ready_now_count} ready now" if p.pool
                     else "No succession pool")
            lines.append(Line(depth))
            lines.append(Line(p.risk_label, f"risk-{p.risk}"))
        return Box(lines=lines, children=[box(child) for child in node.children])

    return layout([box(root) for root in chart["roots"]])


def dyad_chart(*, organisation, day: date, division=None):
    """Every leadership position nested by unit with its administrator and nurse leader partners."""
    queryset = Position.objects.filter(organisation=organisation, active=True)
    if division is not None:
        queryset = queryset.filter(unit__in=division.subtree())
    positions = [decorate_position(p) for p in positions_with_holders(queryset=queryset, day=day)]
    missing = sum(1 for p in positions if p.missing_partner)
    return {"roots": _nest(organisation, positions), "missing": missing, "total": len(positions)}


def scorecards(*, organisation, day: date):
    """One row per key position for the Excel export: depth by readiness and evidence."""
    rows = []
    pools = {p.position_id: p for p in SuccessionPool.objects.filter(position__organisation=organisation)}
    readiness = {}
    for row in (PoolCandidate.objects.filter(pool__position__organisation=organisation)
                .values("pool__position_id", "standing__level").annotate(n=Count("id"))):
        readiness[(row["pool__position_id"], row["standing__level"])] = row["n"]
    chart = succession_chart(organisation=organisation, day=day)
    for p in sorted(chart["positions"], key=lambda p: (-p.level.rank, p.title)):
        holder = p.holder
        rows.append([
            p.title, p.level.name, p.unit.path,
            holder.person.full_name if holder else "Vacant",
            holder.end if holder else None,
            f"{holder.term_number} of {p.max_consecutive_terms}" if holder else "",
            p.administrator.person.full_name if p.administrator else "None",
            *(readiness.get((p.pk, r.value), 0) for r in Readiness),
            pools[p.pk].candidate_count if p.pk in pools else 0,
            p.risk_label,
        ])
    header = ["Position", "Level", "Unit", "Holder", "Term ends", "Term", "Administrator partner",
              *(r.label for r in Readiness), "Candidates", "Risk"]
    return header, rows


def has_development_record(summary) -> bool:
    """Anything recorded: a programme, an assessment, a career conversation or learning."""
    return any(summary.get(key) for key in ("programme", "assessment", "plan", "learning_records"))
