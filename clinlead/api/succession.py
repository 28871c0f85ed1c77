"""The succession monitor's figures (docs/api.md): what the monitor page shows, from
`succession.selectors_bi`; the drill-down by division or level as the page's."""

from datetime import date, datetime

from ninja import Router, Schema
from ninja.errors import HttpError

from clinlead.api.core import ERRORS, require_scope
from clinlead.org.models import PositionLevel, Unit
from clinlead.succession import selectors_bi
from clinlead.succession.monitor import Scope

router = Router()


class Bench(Schema):
    key_positions: int
    ready_now_1: int
    ready_now_2: int
    share_1: int | None
    share_2: int | None
    empty_pools: int
    nobody_ready: int
    missing_partner: int


class TermsEnding(Schema):
    months: int
    count: int


class KeyPosition(Schema):
    id: int
    title: str
    unit: str
    level: str | None
    candidates: int
    ready_now: int
    at_risk: str | None
    holder_leaves_on: date | None


class Snapshot(Schema):
    day: date
    key_positions: int
    ready_now_1: int
    ready_now_2: int
    empty_pools: int
    at_risk: int


class DiversityCell(Schema):
    label: str
    span: int
    count: int | None
    percent: float | None


class DiversityRow(Schema):
    kind: str
    key: str | int | list[str | int] | None  # the row's identifier in the table (a level's id, ...)
    label: str
    total: int | None
    cells: list[DiversityCell]


class DiversityTable(Schema):
    title: str
    columns: list[str]
    rows: list[DiversityRow]


class MonitorSummary(Schema):
    organisation: str
    division: str | None
    level: str | None
    day: date
    computed_at: datetime
    refreshing: bool
    risk_window_months: int
    window_end: date
    bench: Bench
    at_risk: int
    holder_leaves: int
    vacant: int
    terms_ending: list[TermsEnding]
    positions: list[KeyPosition]
    trend: list[Snapshot]
    diversity: list[DiversityTable] | None
    diversity_as_of: date | None


@router.get("/monitor/", response={200: MonitorSummary, **ERRORS},
            url_name="succession_monitor", operation_id="get_succession_monitor")
def monitor(request, division: int | None = None, level: int | None = None):
    """The succession monitor's figures for the token's organisation, or one of its divisions
    (a top-level unit's id) or position levels: bench strength, the count at risk, each key
    position's pool depth and risk, the daily snapshots and, for the whole organisation, the
    pipeline diversity published in the latest snapshot (null before the first)."""
    require_scope(request, "succession:read")
    organisation = request.auth.organisation
    found_division = (Unit.objects.filter(pk=division, organisation=organisation, depth=0).first()
                      if division else None)
    found_level = (PositionLevel.objects.filter(pk=level, organisation=organisation).first()
                   if level else None)
    if (division and found_division is None) or (level and found_level is None):
        raise HttpError(404, "No such division or level at this organisation")
    return selectors_bi.monitor_summary(
        scope=Scope(organisation=organisation, division=found_division, level=found_level))
