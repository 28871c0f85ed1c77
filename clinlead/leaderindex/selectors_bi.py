"""The published leader-index figures a BI tool reads through the API (docs/api.md): the same
figures the dashboard and its Excel export show, and nothing else.

Every row read here was stored at publication by the disclosure rule (analytics.disclosure), so
nothing below the organisation's threshold exists to be read. A behaviour held back ("not shown:
fewer than k answered" on the pages) is None.
"""

from clinlead.leaderindex.models import CycleResult, LeaderResult, UnitResult
from clinlead.surveys.models import SurveyCycle


def published_cycles(*, organisation):
    return list(SurveyCycle.objects.filter(organisation=organisation, status=SurveyCycle.Status.PUBLISHED)
                .order_by("opens_on", "pk"))


def published_cycle(*, organisation, pk):
    """The organisation's published cycle with this id, or None (another organisation's is None too)."""
    return SurveyCycle.objects.filter(organisation=organisation, pk=pk,
                                      status=SurveyCycle.Status.PUBLISHED).first()


def _ci(row):
    return [row.ci_low, row.ci_high] if row.ci_low is not None and row.ci_high is not None else None


def leader_index_summary(*, cycle, with_leaders: bool) -> dict:
    """The dashboard's organisation figures, the export's unit rows and, `with_leaders`, its
    leader rows (else None)."""
    result = CycleResult.objects.filter(cycle=cycle).first()
    rate = (result.response_rate if result else {}) or {}
    organisation = {
        "respondents": result.responses if result else None,
        "index": result.index if result else None,
        "some_answers_counted_higher_up": bool(
            result and result.organisation_figures.get("some_answers_counted_higher_up")),
        "invited": rate.get("invited"), "responded": rate.get("responded"),
        "leaders_published": len(result.leader_indices) if result else 0,
    }
    units = [{"unit": r.unit.path, "respondents": r.responses, "index": r.index, "ci95": _ci(r),
              "behaviours": r.behaviours, "some_answers_counted_higher_up": r.counted_higher_up}
             for r in UnitResult.objects.filter(cycle=cycle).select_related("unit").order_by("unit__path")]
    leaders = None
    if with_leaders:
        leaders = [{"staff_number": r.leader.staff_number, "name": r.leader.full_name,
                    "respondents": r.responses, "index": r.index, "ci95": _ci(r),
                    "percentile": r.percentile, "behaviours": r.behaviours}
                   for r in LeaderResult.objects.filter(cycle=cycle).select_related("leader")
                   .order_by("leader__staff_number")]
    return {"cycle_id": cycle.pk, "cycle": cycle.name, "organisation": cycle.organisation.slug,
            "min_responses": result.min_responses if result else cycle.min_responses,
            "organisation_figures": organisation, "units": units, "leaders": leaders}
