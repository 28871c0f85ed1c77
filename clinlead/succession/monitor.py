"""The central monitor: bench strength, empty pools, positions at risk, over-nominated people,
terms ending, missing dyad partners and clinical practice, for an organisation or a division
or level of it.

Every figure is an aggregate computed by the database, and every list is cut to its first rows,
so the number of queries and the rows read into Python do not grow with the number of positions.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import Coalesce, Least

from clinlead import charts
from clinlead.dates import add_months
from clinlead.org.models import (
    Appointment,
    PartnerRole,
    Person,
    Position,
    PositionLevel,
    Profession,
    Unit,
)
from clinlead.succession.models import (
    MILESTONES,
    MonitorSettings,
    MonitorSnapshot,
    PoolCandidate,
    SuccessionPool,
)

LIST_LENGTH = 20
RISK_RELATED = ["person", "position__unit", "position__level", "position__succession_pool", "succession_plan"]
NON_CLINICAL = [Profession.MANAGER, Profession.OTHER]


@dataclass(frozen=True)
class Scope:
    organisation: object
    division: Unit | None = None  # a top-level unit
    level: PositionLevel | None = None

    def q(self, prefix=""):
        """Active positions in scope, as a filter on a model reaching Position through `prefix`."""
        q = Q(**{f"{prefix}organisation": self.organisation, f"{prefix}active": True})
        if self.division is not None:  # one subquery for the division's units, not a join per row
            q &= Q(**{f"{prefix}unit__in": self.division.subtree().values("id")})
        if self.level is not None:
            q &= Q(**{f"{prefix}level": self.level})
        return q

    @property
    def whole_organisation(self):
        return self.division is None and self.level is None

    def query(self):
        out = {}
        if self.division is not None:
            out["division"] = self.division.pk
        if self.level is not None:
            out["level"] = self.level.pk
        return out


def settings_for(organisation):
    """The organisation's (or its id's) monitor settings; the defaults when none are saved."""
    organisation_id = getattr(organisation, "pk", organisation)
    return (MonitorSettings.objects.filter(organisation_id=organisation_id).first()
            or MonitorSettings(organisation_id=organisation_id))


def current_appointments(day: date):
    return Appointment.objects.held_on(day)


def _administrator_now(day):
    return PartnerRole.objects.on(day).filter(position=OuterRef("pk"), role=PartnerRole.Role.ADMINISTRATOR)


def _nobody_ready(prefix=""):
    return Q(**{f"{prefix}succession_pool__isnull": True}) | Q(**{f"{prefix}succession_pool__ready_now_count": 0})


def leaving_within(*, scope, day, window_end):
    """Holders of key positions in scope who leave by `window_end` (term end or planned
    departure) with nobody ready now: the risk list, soonest first."""
    return (current_appointments(day).filter(scope.q("position__"), position__is_key=True)
            .filter(_leaving(window_end), _nobody_ready("position__"))
            .annotate(leaves_on=Least(F("end"), Coalesce(F("succession_plan__planned_departure"), F("end"))))
            .select_related(*RISK_RELATED)
            .order_by("leaves_on", "position__title"))


def vacant_without_successor(*, scope, day):
    holder = current_appointments(day).filter(position=OuterRef("pk"))
    return (Position.objects.filter(scope.q(), is_key=True).filter(~Exists(holder)).filter(_nobody_ready())
            .select_related("unit", "level", "succession_pool").order_by("title"))


def _leaving(window_end, prefix=""):
    # A holder whose successor is already appointed (their ended_on is set the day before the
    # successor starts) still holds the post until then, but leaves nobody at risk.
    return (Q(**{f"{prefix}end__lte": window_end})
            | Q(**{f"{prefix}succession_plan__planned_departure__lte": window_end})) & Q(
        **{f"{prefix}ended_on__isnull": True})


def _first(queryset, related):
    """The first LIST_LENGTH rows of an ordered queryset: their keys first (no joins but those the
    filter and order need), then those few rows with their related objects."""
    ids = list(queryset.values_list("pk", flat=True)[:LIST_LENGTH])
    if not ids:
        return []
    rows = queryset.model.objects.select_related(*related).in_bulk(ids)
    return [rows[pk] for pk in ids]


def monitor_figures(*, scope, day: date | None = None, lists=True, settings=None):
    """The monitor's figures for a scope; `lists=False` leaves out the named lists.

    Two aggregate queries give every count (one over the key positions in scope, one over
    today's holders); each list is its first LIST_LENGTH rows, and a list whose count is nought
    is not asked for."""
    day = day or date.today()
    settings = settings or settings_for(scope.organisation)
    window_end = add_months(day, settings.risk_window_months)
    key = Position.objects.filter(scope.q(), is_key=True)
    bench = key.aggregate(
        key_positions=Count("id"),
        ready_now_1=Count("id", filter=Q(succession_pool__ready_now_count__gte=1)),
        ready_now_2=Count("id", filter=Q(succession_pool__ready_now_count__gte=2)),
        empty_pools=Count("id", filter=Q(succession_pool__isnull=True) | Q(succession_pool__candidate_count=0)),
        nobody_ready=Count("id", filter=_nobody_ready()),
        missing_partner=Count("id", filter=~Exists(_administrator_now(day))),
    )
    n = bench["key_positions"]
    bench["share_1"] = round(100 * bench["ready_now_1"] / n) if n else None
    bench["share_2"] = round(100 * bench["ready_now_2"] / n) if n else None
    levels = list(PositionLevel.objects.filter(organisation=scope.organisation).order_by("-rank"))
    holders = current_appointments(day).filter(scope.q("position__"))
    clinical = Exists(Person.objects.filter(pk=OuterRef("person_id")).exclude(profession__in=NON_CLINICAL))
    nobody_ready_key = Q(position__is_key=True) & _nobody_ready("position__")
    counts = holders.aggregate(
        **{f"m{m}": Count("id", filter=Q(end__lte=add_months(day, m))) for m in MILESTONES},
        leaving=Count("id", filter=nobody_ready_key & _leaving(window_end)),
        held_nobody_ready=Count("position", distinct=True, filter=nobody_ready_key),
        no_clinical=Count("id", filter=Q(clinical_sessions=0) & clinical),
        **{f"n{lv.pk}": Count("id", filter=Q(position__level=lv)) for lv in levels},
        **{f"mg{lv.pk}": Avg("management_sessions", filter=Q(position__level=lv)) for lv in levels},
        **{f"cl{lv.pk}": Avg("clinical_sessions", filter=Q(position__level=lv)) for lv in levels},
    )
    vacant = bench["nobody_ready"] - counts["held_nobody_ready"]
    figures = {
        "day": day, "settings": settings, "window_end": window_end, "bench": bench,
        "terms_ending": {str(m): counts[f"m{m}"] for m in MILESTONES},
        "risk_count": counts["leaving"] + vacant, "leaving_count": counts["leaving"],
        "vacant_count": vacant, "no_clinical_count": counts["no_clinical"],
        "management_by_level": [
            {"position__level__name": lv.name, "position__level__rank": lv.rank, "holders": counts[f"n{lv.pk}"],
             "management": counts[f"mg{lv.pk}"], "clinical": counts[f"cl{lv.pk}"]}
            for lv in levels if counts[f"n{lv.pk}"]],
    }
    if not lists:
        return figures
    pools_in_scope = SuccessionPool.objects.filter(scope.q("position__")).values("id")  # as a subquery, so the candidates are read pool by pool
    over_nominated = list(
        PoolCandidate.objects.filter(pool__in=pools_in_scope).values("person_id")
        .annotate(pools=Count("id"), ready_now=Count("id", filter=Q(standing__level="ready_now")))
        .filter(pools__gte=settings.over_nomination_threshold)
        .annotate(total=Window(Count("*"))).order_by("-pools", "person_id")[:LIST_LENGTH])
    names = Person.objects.in_bulk([r["person_id"] for r in over_nominated])
    for row in over_nominated:
        row["person"] = names[row["person_id"]]
    leaving = leaving_within(scope=scope, day=day, window_end=window_end)
    figures.update({
        "risk_list": _first(leaving, RISK_RELATED) if counts["leaving"] else [],
        "vacant_list": _first(vacant_without_successor(scope=scope, day=day), ["unit", "level"]) if vacant else [],
        "empty_list": _first(key.filter(Q(succession_pool__isnull=True) | Q(succession_pool__candidate_count=0))
                             .order_by("-level__rank", "title"), ["unit", "level"]) if bench["empty_pools"] else [],
        "over_nominated_count": over_nominated[0]["total"] if over_nominated else 0,
        "over_nominated": over_nominated,
        "no_clinical": _first(holders.filter(Q(clinical_sessions=0) & clinical).order_by("position__title"),
                              ["person", "position"]) if counts["no_clinical"] else [],
    })
    for row in figures["risk_list"]:  # in_bulk drops the annotation
        plan = getattr(row, "succession_plan", None)
        row.leaves_on = min(row.end, plan.planned_departure) if plan and plan.planned_departure else row.end
    return figures


def snapshot_values(*, organisation, day: date):
    """A MonitorSnapshot's fields for the day: headline figures, published diversity only, and
    the trend chart up to that day (drawn once here rather than on every visit)."""
    from clinlead.succession.diversity import pipeline_diversity, workforce_mix

    figures = monitor_figures(scope=Scope(organisation=organisation), day=day, lists=False)
    bench = figures["bench"]
    diversity = {dimension: {"pipeline": pipeline_diversity(organisation=organisation, dimension=dimension).as_dict(
                                 kinds=("organisation", "level", "division")),
                             "workforce": workforce_mix(organisation=organisation, dimension=dimension, day=day)}
                 for dimension in ("gender", "ethnicity")}
    values = {"key_positions": bench["key_positions"], "ready_now_1": bench["ready_now_1"],
              "ready_now_2": bench["ready_now_2"], "empty_pools": bench["empty_pools"],
              "at_risk": figures["risk_count"]}
    series = [s for s in trend(organisation=organisation, since=add_months(day, -24)) if s.day < day]
    chart = trend_chart([*series, MonitorSnapshot(day=day, **values)])
    return {**values, "figures": {"diversity": diversity, "terms_ending": figures["terms_ending"],
                                  "trend_svg": chart}}


def trend_chart(rows):
    """Bench strength over time as an SVG line chart (None for fewer than two points)."""
    if len(rows) < 2:
        return None
    import altair as alt  # here, not at the top: the pools' recount imports this module at startup

    data = [{"day": r.day.isoformat(), "measure": label, "share": round(100 * value / r.key_positions)}
            for r in rows if r.key_positions
            for label, value in (("At least one ready now", r.ready_now_1), ("At least two ready now", r.ready_now_2))]
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=True).encode(
        x=alt.X("day:T", title="Day"), y=alt.Y("share:Q", title="Key positions (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("measure:N", title=None))
    return charts.to_svg(charts.theme(chart, title="Bench strength over time"),
                         description="Line chart of the share of key positions with candidates ready now; "
                                     "the same figures are in the table below.")


def trend(*, organisation, since: date):
    """The stored daily figures; more than three months are shown one point a month (its last day)."""
    rows = list(MonitorSnapshot.objects.filter(organisation=organisation, day__gte=since).order_by("day"))
    if rows and (rows[-1].day - rows[0].day).days > 92:
        by_month = {}
        for row in rows:
            by_month[(row.day.year, row.day.month)] = row
        rows = list(by_month.values())
    return rows


def organisation_overview(*, organisations, day: date | None = None):
    """Bench strength per organisation, in one query, for a group-wide view."""
    day = day or date.today()
    return list(
        Position.objects.filter(organisation__in=organisations, active=True, is_key=True)
        .values("organisation__slug", "organisation__name")
        .annotate(key_positions=Count("id"),
                  ready_now_1=Count("id", filter=Q(succession_pool__ready_now_count__gte=1)),
                  ready_now_2=Count("id", filter=Q(succession_pool__ready_now_count__gte=2)),
                  empty_pools=Count("id", filter=Q(succession_pool__isnull=True) | Q(succession_pool__candidate_count=0)))
        .order_by("organisation__name"))
