"""The executive dashboard of a published cycle: the organisation, its units, change since the
previous published cycle, and the division filter.

Anonymity (docs/anonymity.md): the dashboard only ever shows figures publication stored
(UnitResult, CycleResult), never a figure computed on a new subset of answers. The unfiltered view
shows divisions and departments (depth 0 and 1); a division filter selects that division and its
departments among the same stored figures, so filtered and unfiltered views together publish no
figure the unfiltered view does not. There is no profession filter: answers keep no profession
after close (clinlead/surveys/coarsening.py), and no figure per profession is published.
"""

from clinlead.leaderindex.models import CycleResult, UnitResult
from clinlead.org.models import Unit
from clinlead.surveys.models import SurveyCycle

BEHAVIOURS = ["include", "inform", "inquire", "develop", "recognize", "overall"]
SHOWN_DEPTH = 1  # divisions (0) and their departments (1)
NOT_COMPARABLE = "not comparable"


def previous_cycle(*, cycle):
    """The organisation's latest published cycle before this one, on the same instrument (an
    index on another instrument is not on the same scale), or None."""
    return (SurveyCycle.objects.filter(organisation_id=cycle.organisation_id, status=SurveyCycle.Status.PUBLISHED,
                                       instrument_id=cycle.instrument_id, opens_on__lt=cycle.opens_on)
            .order_by("-opens_on").first())


def change(now, before):
    """Change in a published index between two cycles, or None when either is not published."""
    if now is None or before is None:
        return None
    return now - before


def signed(value):
    """A change to one decimal with its sign, as people read it: "+1.2", "−0.4", "0.0"."""
    if value is None:
        return NOT_COMPARABLE
    shown = round(value, 1)
    return "0.0" if shown == 0 else f"+{shown:.1f}" if shown > 0 else f"−{abs(shown):.1f}"


def divisions(*, cycle):
    """The organisation's divisions (top-level units), for the filter."""
    return list(Unit.objects.filter(organisation_id=cycle.organisation_id, depth=0).order_by("path"))


def dashboard(*, cycle, division=None):
    """{"result", "previous", "organisation_change", "units": [row], "heat": [cell], "division"}.

    A row is {"unit", "result" (UnitResult or None), "change" (float or None), "comparable"};
    `division` (a top-level Unit or None) keeps that division and its departments only."""
    result = CycleResult.objects.filter(cycle=cycle).first()
    previous = previous_cycle(cycle=cycle)
    units = Unit.objects.filter(organisation_id=cycle.organisation_id, depth__lte=SHOWN_DEPTH).order_by("path")
    if division is not None:
        units = [u for u in units if division.contains(u)]
    published = {r.unit_id: r for r in UnitResult.objects.filter(cycle=cycle)}
    before = {r.unit_id: r for r in UnitResult.objects.filter(cycle=previous)} if previous else {}
    before_result = CycleResult.objects.filter(cycle=previous).first() if previous else None
    rows, heat = [], []
    for unit in units:
        shown, earlier = published.get(unit.pk), before.get(unit.pk)
        delta = change(shown and shown.index, earlier and earlier.index)
        rows.append({"unit": unit, "result": shown, "change": delta, "comparable": delta is not None, "change_text": signed(delta),
                     "previous_index": earlier.index if earlier and shown else None})
        for b in BEHAVIOURS:
            heat.append({"unit": unit.path, "behaviour": b.capitalize(),
                         "score": shown.behaviours.get(b) if shown else None})
    organisation_change = change(result and result.index, before_result and before_result.index)
    organisation = (result.organisation_figures.get("behaviours") or {}) if result else {}
    return {
        "result": result, "previous": previous, "division": division, "units": rows, "heat": heat,
        "organisation_behaviours": {b.capitalize(): organisation.get(b) for b in BEHAVIOURS},
        "organisation_change": organisation_change, "organisation_change_text": signed(organisation_change),
    }
