"""Reading published leader-index results; other features (succession, selection) use these."""

from django.conf import settings

from clinlead.analytics import shrinkage
from clinlead.leaderindex.models import LeaderResult


def leader_index_history(*, person):
    """The person's published results as a leader, oldest cycle first."""
    return list(
        LeaderResult.objects.filter(leader=person, cycle__status="published")
        .select_related("cycle").order_by("cycle__opens_on")
    )


def latest_leader_index(*, person):
    """{"cycle", "index", "ci95", "responses", "percentile", "trend": [(cycle, index)]} or None.

    None when the person has no published result: below the threshold nothing exists to show.
    """
    history = leader_index_history(person=person)
    if not history:
        return None
    latest = history[-1]
    return {
        "cycle": latest.cycle.name,
        "index": latest.index,
        "ci95": (latest.ci_low, latest.ci_high) if latest.ci_low is not None else None,
        "responses": latest.responses,
        "percentile": latest.percentile,
        "trend": [(r.cycle.name, r.index) for r in history],
    }


def band_in_words(*, band, band_low, band_high, responses):
    """A published leader's band as stored (quarters 0..3 of the shrunk index, None for none) in
    words: "top quarter", "between upper-middle and top", "too few responses for a band" (fewer
    than settings.CLINLEAD_BAND_MIN_RESPONSES) or why there is none."""
    return shrinkage.band_words(band=-1 if band is None else band, band_low=-1 if band_low is None else band_low,
                                band_high=-1 if band_high is None else band_high, n=responses or 0,
                                min_n=settings.CLINLEAD_BAND_MIN_RESPONSES)
