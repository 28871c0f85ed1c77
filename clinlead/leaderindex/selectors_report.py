"""What the leader-index pages show: only rows stored at publication (published figures).
A behaviour stored as None is "not shown: fewer than k answered"."""

from clinlead.analytics.association_clustered import METHOD_WORDS
from clinlead.leaderindex.models import CycleResult, LeaderResult, UnitResult
from clinlead.leaderindex.selectors import band_in_words
from clinlead.surveys.models import Comment

BEHAVIOURS = ["include", "inform", "inquire", "develop", "recognize", "overall"]
NOT_SHOWN = "not shown"
COUNTED_HIGHER_UP = "A few answers are counted at a higher level to protect anonymity"


def _two(value):
    return NOT_SHOWN if value is None else round(value, 2)


def leader_report(*, cycle, leader):
    """The leader's report for a cycle, or None when their group was not published."""
    result = LeaderResult.objects.filter(cycle=cycle, leader=leader).first()
    if result is None:
        return None
    history = LeaderResult.objects.filter(leader=leader, cycle__status="published",
                                          cycle__opens_on__lte=cycle.opens_on).select_related("cycle").order_by("cycle__opens_on")
    comments = []
    if result.comments_released:
        # Shuffled by their random keys: no order that follows when they were written.
        comments = list(Comment.objects.filter(cycle=cycle, leader=leader).order_by("id").values_list("text", flat=True))
    return {"result": result, "trend": [(r.cycle.name, r.index) for r in history], "comments": comments,
            "standing": standing(result)}


def standing(result):
    """A published leader's place among the organisation's leaders: the index shrunk toward the
    organisation's mean, its interval (clipped to the scale) and the band in words
    (clinlead.analytics.shrinkage); None for a result published before shrinkage was stored."""
    if result.shrunk_index is None:
        return None
    return {"index": result.shrunk_index, "ci95": (result.shrunk_low, result.shrunk_high),
            "band": band_in_words(band=result.band, band_low=result.band_low, band_high=result.band_high,
                                  responses=result.responses)}


def export_sheets(*, cycle):
    """Published aggregates only, for Excel."""
    behaviours = BEHAVIOURS
    units = [[r.unit.path, r.responses, round(r.index, 2), r.ci_low and round(r.ci_low, 2), r.ci_high and round(r.ci_high, 2),
              *[_two(r.behaviours.get(b)) for b in behaviours], COUNTED_HIGHER_UP if r.counted_higher_up else ""]
             for r in UnitResult.objects.filter(cycle=cycle).select_related("unit").order_by("unit__path")]
    leaders = [[r.leader.full_name, r.leader.staff_number, r.responses, round(r.index, 2), r.percentile and round(r.percentile),
                *[_two(r.behaviours.get(b)) for b in behaviours]]
               for r in LeaderResult.objects.filter(cycle=cycle).select_related("leader").order_by("leader__last_name")]
    result = CycleResult.objects.filter(cycle=cycle).first()
    association = []
    if result:
        for outcome in ("burnout", "satisfaction"):
            a = result.association.get(outcome) or {}
            if a.get("odds_ratio_per_point") is not None:
                association.append([outcome, a.get("n"), a.get("odds_ratio_per_point"), *(a.get("ci95") or [None, None]),
                                    a.get("pct_change_odds_per_point"), ", ".join(a.get("covariates") or []),
                                    ", ".join(a.get("unadjusted_for") or []), a.get("errors") or METHOD_WORDS["plain"]])
    return {
        "Units": (["Unit", "Respondents counted", "Index", "CI low", "CI high", *[b.capitalize() for b in behaviours],
                   "Note"], units),
        "Leaders": (["Leader", "Staff number", "Respondents counted", "Index", "Percentile",
                     *[b.capitalize() for b in behaviours]], leaders),
        "Association": (["Outcome", "N", "Odds ratio per point", "CI low", "CI high", "% change in odds per point", "Adjusted for",
                         "Not adjusted for", "Errors"], association),
    }
