"""What a leader's report compares: the organisation's published figures, the leader's own in
the previous published cycle, and each question's share of agreement beside the organisation's.

Everything here is read from published rows or combined from them (sums of published
distributions), so by the disclosure property (docs/anonymity.md) it tells nothing about fewer
than k people that the published figures did not already tell.
"""

from django.core.cache import cache
from django.db.models import Max

from clinlead.leaderindex.models import CycleResult, LeaderResult
from clinlead.surveys.models import SurveyCycle

FAVOURABLE = ("4", "5")  # agree or strongly agree
# A behaviour differing from the organisation's by less than this is read as "about the same":
# behaviour scores have no interval of their own, so the report says so and uses this rule.
SAME_BEHAVIOUR = 0.2
TOP = 3


def organisation_figures(*, cycle):
    """{"index", "ci95", "behaviours"} of the organisation, or None when it published none."""
    result = CycleResult.objects.filter(cycle=cycle).first()
    if result is None or result.index is None:
        return None
    figures = result.organisation_figures or {}
    return {"index": result.index, "ci95": figures.get("ci95"), "behaviours": figures.get("behaviours") or {}}


def previous_result(*, cycle, leader):
    """The leader's published result in the organisation's previous published cycle, or None
    (no such cycle, or no report for this leader in it)."""
    previous = (SurveyCycle.objects.filter(organisation_id=cycle.organisation_id, status=SurveyCycle.Status.PUBLISHED,
                                           opens_on__lt=cycle.opens_on).order_by("-opens_on").first())
    if previous is None:
        return None
    return LeaderResult.objects.filter(cycle=previous, leader=leader).select_related("cycle").first()


def favourable(distribution):
    """(share agreeing, people answering) of one published distribution, or None."""
    if not distribution:
        return None
    answered = sum(int(v) for k, v in distribution.items() if k != "missing")
    if not answered:
        return None
    return sum(int(distribution.get(k) or 0) for k in FAVOURABLE) / answered, answered


def organisation_favourable(*, cycle) -> dict:
    """{item: share agreeing} over every published leader report of the cycle where the question
    is shown: the sum of published distributions. Read once per publication and kept (publishing
    again writes the leaders' rows anew, so the newest row's id names the publication)."""
    newest = LeaderResult.objects.filter(cycle=cycle).aggregate(newest=Max("pk"))["newest"]

    def compute():
        agree, answered = {}, {}
        for items in LeaderResult.objects.filter(cycle=cycle).values_list("items", flat=True).iterator():
            for item, dist in (items or {}).items():
                share = favourable(dist)
                if share is not None:
                    agree[item] = agree.get(item, 0) + share[0] * share[1]
                    answered[item] = answered.get(item, 0) + share[1]
        return {item: agree[item] / answered[item] for item in answered}

    return cache.get_or_set(f"clinlead-leaderindex-favourable-{cycle.pk}-{newest}", compute, timeout=24 * 60 * 60)


def strengths_and_opportunities(*, items: dict, organisation: dict, actionable: set, top: int = TOP):
    """The shown questions with the highest and the lowest share agreeing relative to the
    organisation: ([strengths], [opportunities]), each entry {"item", "share", "organisation",
    "difference" (percentage points), "answered"}. Only questions about a behaviour
    (`actionable`) rank; a hidden question (None) never does."""
    rows = []
    for item, dist in items.items():
        share = favourable(dist)
        if item not in actionable or share is None or item not in organisation:
            continue
        rows.append({"item": item, "share": share[0], "answered": share[1], "organisation": organisation[item],
                     "difference": round(100 * (share[0] - organisation[item]))})
    rows.sort(key=lambda r: (-r["difference"], r["item"]))
    take = min(top, len(rows) // 2)
    # A strength is above the organisation, an opportunity below it: when every question is above
    # (or below) the organisation's, the report names only the one kind.
    strengths = [r for r in rows[:take] if r["difference"] > 0]
    opportunities = [r for r in (rows[len(rows) - take:][::-1] if take else []) if r["difference"] < 0]
    return strengths, opportunities


def compared(value, other, *, same=SAME_BEHAVIOUR):
    """"higher", "lower" or "about the same" for a behaviour beside another figure (None when
    either is not shown)."""
    if value is None or other is None:
        return None
    if abs(value - other) < same:
        return "about the same"
    return "higher" if value > other else "lower"


def index_compared(*, ci, other):
    """The index beside another figure, read through its 95 % interval."""
    if not ci or other is None:
        return None
    low, high = ci
    if low <= other <= high:
        return "about the same"
    return "higher" if low > other else "lower"


def percentile_words(percentile):
    """Where the leader stands among the organisation's published leaders, in plain words."""
    if percentile is None:
        return None
    tenths = max(0, min(10, round(percentile / 10)))
    if tenths >= 8:
        place = "Among the highest fifth"
    elif tenths >= 6:
        place = "Above the middle"
    elif tenths == 5:
        place = "Around the middle"
    elif tenths >= 3:
        place = "Below the middle"
    else:
        place = "Among the lowest fifth"
    return (f"{place} of the organisation's leaders with a published index: about {tenths} in 10 of "
            "them have a lower index")
