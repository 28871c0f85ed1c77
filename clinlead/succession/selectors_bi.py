"""The succession monitor's figures as a BI tool reads them through the API (docs/api.md): the
monitor page's own figures and nothing else.

- The headline figures are `monitor_figures_for_page`, the very dictionary the page shows (same
  cache, same day, same drill-down scope).
- Each key position's bench and risk come from the selectors behind the pools page and the risk
  list (`pools_list`, `leaving_within`, `vacant_without_successor`). Holders and candidates are
  not named: the figures are per position.
- Pipeline diversity is the page's: the tables the disclosure rule published in the latest
  daily snapshot (`snapshot_diversity`, shared with the page), for the whole organisation only.
  Nothing here counts people by gender or ethnicity.
"""

from datetime import date, timedelta

from clinlead.dates import add_months
from clinlead.succession.monitor import (
    leaving_within,
    settings_for,
    trend,
    vacant_without_successor,
)
from clinlead.succession.monitor_store import monitor_figures_for_page
from clinlead.succession.selectors import pools_list

TREND_DAYS = 730  # as the page: two years of daily snapshots

BENCH_FIGURES = ("key_positions", "ready_now_1", "ready_now_2", "share_1", "share_2", "empty_pools",
                 "nobody_ready", "missing_partner")
SNAPSHOT_FIGURES = ("key_positions", "ready_now_1", "ready_now_2", "empty_pools", "at_risk")


def snapshot_diversity(snapshot):
    """Pipeline diversity by level against the workforce, as published in the snapshot
    (snapshots stored before category tables had pooled classes are not shown): None or
    [{title, columns, rows}]."""
    if snapshot is None or "diversity" not in snapshot.figures:
        return None
    tables = []
    for stored in snapshot.figures["diversity"].values():
        pipeline = stored["pipeline"]
        if not isinstance(stored["workforce"].get("cells"), list):
            return None
        rows = [r for r in pipeline["rows"] if r["kind"] in ("level", "organisation")]
        rows.append({**stored["workforce"], "label": "Whole workforce (all staff)"})
        tables.append({"title": pipeline["title"], "columns": pipeline["columns"], "rows": rows})
    return tables


def _positions(*, scope, day, window_end):
    """Every key position in scope, highest level first: its pool's depth and why it is at risk
    (the risk list's rule: the holder leaves by the window's end, or the post is vacant, and
    nobody is ready now), else None."""
    leaving = {a.position_id: a.leaves_on for a in leaving_within(scope=scope, day=day, window_end=window_end)}
    vacant = set(vacant_without_successor(scope=scope, day=day).values_list("pk", flat=True))
    rows = []
    for position in pools_list(scope=scope, day=day):
        pool = getattr(position, "succession_pool", None)
        at_risk = "holder_leaves" if position.pk in leaving else "vacant" if position.pk in vacant else None
        rows.append({
            "id": position.pk, "title": position.title, "unit": position.unit.path,
            "level": position.level.name if position.level_id else None,
            "candidates": pool.candidate_count if pool else 0, "ready_now": pool.ready_now_count if pool else 0,
            "at_risk": at_risk, "holder_leaves_on": leaving.get(position.pk),
        })
    return rows


def monitor_summary(*, scope, day: date | None = None) -> dict:
    day = day or date.today()
    figures = monitor_figures_for_page(scope=scope, day=day)
    settings = settings_for(scope.organisation)
    window_end = add_months(day, settings.risk_window_months)
    series = trend(organisation=scope.organisation, since=day - timedelta(days=TREND_DAYS))
    latest = series[-1] if series else None
    return {
        "organisation": scope.organisation.slug,
        "division": scope.division.path if scope.division else None,
        "level": scope.level.name if scope.level else None,
        "day": figures["day"], "computed_at": figures["computed_at"], "refreshing": figures["refreshing"],
        "risk_window_months": figures["settings"].risk_window_months, "window_end": figures["window_end"],
        "bench": {name: figures["bench"][name] for name in BENCH_FIGURES},
        "at_risk": figures["risk_count"], "holder_leaves": figures["leaving_count"],
        "vacant": figures["vacant_count"],
        "terms_ending": [{"months": int(m), "count": n} for m, n in figures["terms_ending"].items()],
        "positions": _positions(scope=scope, day=day, window_end=window_end),
        "trend": [{"day": s.day, **{name: getattr(s, name) for name in SNAPSHOT_FIGURES}} for s in series],
        "diversity": snapshot_diversity(latest) if scope.whole_organisation else None,
        "diversity_as_of": latest.day if latest and scope.whole_organisation else None,
    }
