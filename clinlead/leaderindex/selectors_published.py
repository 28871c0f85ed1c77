"""Every figure a published cycle shows, read back from what publication stored, in the shape
of the analyst command's `score --json --covers` output. The auditor's view of the web app:
`clinlead leaderindex published CYCLE_ID --json [--covers]` prints it."""

from clinlead.leaderindex.models import CycleResult, LeaderResult, UnitResult


def _ci(row):
    return [row.ci_low, row.ci_high] if row.ci_low is not None and row.ci_high is not None else None


def _rate(rate, answered):
    return {"n": answered, "rate": rate} if rate is not None else None


def published_figures(*, cycle, covers=True) -> dict:
    """{"min_n", "leaders": [...], "units": [...]} for a published cycle (published entries only:
    nothing is stored for the others)."""
    root = cycle.organisation.name
    leaders = []
    rows = LeaderResult.objects.filter(cycle=cycle).select_related("leader").order_by("leader__staff_number")
    for r in rows:
        entry = {
            "cycle": cycle.name, "leader_id": r.leader.staff_number, "n": r.responses, "published": True,
            "index": r.index, "ci95": _ci(r), "behaviours": r.behaviours, "items": r.items,
            "burnout": _rate(r.burnout_rate, r.burnout_answered),
            "satisfaction": _rate(r.satisfaction_rate, r.satisfaction_answered),
        }
        if covers:
            entry["covers"] = r.covers
        leaders.append(entry)
    units = []
    result = CycleResult.objects.filter(cycle=cycle).first()
    if result is not None and result.index is not None:
        figures = result.organisation_figures
        entry = {"cycle": cycle.name, "unit": root, "n": result.responses, "published": True,
                 "index": result.index, "ci95": figures.get("ci95"), "behaviours": figures.get("behaviours"),
                 "items": None, "some_answers_counted_higher_up": figures.get("some_answers_counted_higher_up")}
        if covers:
            entry["covers"] = figures.get("covers", [])
        units.append(entry)
    for r in UnitResult.objects.filter(cycle=cycle).select_related("unit").order_by("unit__path"):
        entry = {"cycle": cycle.name, "unit": f"{root}/{r.unit.path}", "n": r.responses, "published": True,
                 "index": r.index, "ci95": _ci(r), "behaviours": r.behaviours, "items": None,
                 "some_answers_counted_higher_up": r.counted_higher_up}
        if covers:
            entry["covers"] = r.covers
        units.append(entry)
    return {"min_n": result.min_responses if result else cycle.min_responses, "leaders": leaders, "units": units}
