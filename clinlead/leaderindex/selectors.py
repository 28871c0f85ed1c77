"""Reading published leader-index results; other features (succession, selection) use these."""

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
