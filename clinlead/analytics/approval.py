"""Approval voting: each ballot approves some candidates; the `seats` most approved win.

For ranked ballots (BLT), every candidate ranked counts as approved, and the first
preference is kept for tie-breaks.

Ties, in this order:
1. more approvals;
2. with ranked ballots, more first preferences;
3. lot, drawn with `random.Random(seed)`; the seed is in the result (chosen on the first
   draw if none was given). Lots are drawn only for a tie across the last seat; candidates
   tied but all elected are listed in ballot-paper order.

"Order of election" is the order of that ranking. `as_dict()` has the same shape as Scottish
STV's (see `clinlead.analytics.stv`) with `"method": "approval"`, `"quota": null` and one
stage, "approval count", whose `votes` are the approval counts.
"""

from collections.abc import Iterable

from clinlead.analytics.stv_report import (
    SCALE,
    Ballots,
    CountResult,
    Lot,
    Stage,
    group_ballots,
    to_decimal,
)

__all__ = ["count_approval"]


def count_approval(
    *,
    candidates: Iterable[str],
    ballots: Ballots,
    seats: int,
    seed: int | None = None,
    ranked: bool = False,
    withdrawn: Iterable[str] = (),
) -> CountResult:
    """Count by approval voting.

    `ballots`: (count, approved names) pairs. With `ranked=True` the names are a ranking
    (first preference first) and first preferences break ties. Returns a `CountResult`.
    """
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValueError(f"seats must be a positive whole number, not {seats!r}")
    if not ranked:
        # An approval set has no order: sort so equal sets merge and none looks "first".
        ballots = [(count, sorted(names, key=str)) for count, names in ballots]
    names, groups = group_ballots(candidates=candidates, ballots=ballots, withdrawn=withdrawn)
    gone = set(withdrawn)
    standing = [c for c, name in enumerate(names) if name not in gone]

    approvals = [0] * len(names)
    firsts = [0] * len(names)
    for prefs, count in groups.items():
        for c in prefs:
            approvals[c] += count
        firsts[prefs[0]] += count

    def strength(c: int) -> tuple[int, int]:
        return (approvals[c], firsts[c] if ranked else 0)

    ranking = sorted(standing, key=lambda c: (-approvals[c], -firsts[c] if ranked else 0, c))
    lot = Lot(seed)
    elected: list[int] = []
    reasons: list[str] = []
    at = 0
    while at < len(ranking) and len(elected) < seats:
        tied = [c for c in ranking[at:] if strength(c) == strength(ranking[at])]
        at += len(tied)
        room = seats - len(elected)
        if len(tied) <= room:
            elected += tied
            continue
        # The tie crosses the last seat: lots decide who fills the `room` places.
        pool = list(tied)
        drawn: list[int] = []
        for _ in range(room):
            pick = lot.draw(pool)
            pool.remove(pick)
            drawn.append(pick)
        elected += drawn
        tie = f"{approvals[tied[0]]} approvals"
        if ranked:
            tie += f" and {firsts[tied[0]]} first preferences"
        reasons.append(
            f"{', '.join(names[c] for c in sorted(tied))} tied on {tie}; "
            f"tie broken by lot, seed {lot.seed}: {', '.join(names[c] for c in drawn)}"
        )
    if len(elected) < seats:
        reasons.append(f"only {len(elected)} candidates stood for {seats} seats: all are elected")

    stage = Stage(
        number=1,
        action="approval count",
        votes={names[c]: to_decimal(approvals[c] * SCALE) for c in standing},
        elected=[names[c] for c in elected],
        reasons=[f"the {min(seats, len(standing))} most approved candidates", *reasons],
    )
    return CountResult(
        method="approval",
        seats=seats,
        candidates=names,
        valid_votes=sum(groups.values()),
        quota=None,
        elected=list(stage.elected),
        stages=[stage],
        seed=lot.seed,
        withdrawn=tuple(withdrawn),
    )
