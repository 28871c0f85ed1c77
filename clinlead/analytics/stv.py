"""Scottish STV: the counting rules of the Scottish Local Government Elections Order.

Rules 45-52 of schedule 1 to SSI 2007/42 (rule numbers below). The 2011 Order that replaced
it (SSI 2011/399) numbers the same rules 46-53; for the 2017 and 2022 ward elections in
shared/data/ballots, held under it, this module elects the official winners. In short:

* Quota (46): floor(valid first-preference votes / (seats + 1)) + 1.
* A candidate whose votes equal or exceed the quota is elected (47). Several elected at one
  stage are listed by votes, most first (then in ballot-paper order).
* Surplus (48): ALL the elected candidate's ballot papers move to their next continuing
  preference; each paper's new value is surplus x (its value when received) / (the
  candidate's total votes), truncated to five decimal places. The candidate keeps the quota.
* Largest surplus first (49); equal surpluses go by the most recent earlier stage at which
  those candidates had unequal votes (highest first), then by lot.
* Surpluses are transferred before anyone is excluded. Otherwise the continuing candidate
  with the fewest votes is excluded (50) and all their papers move in one stage at the value
  at which they were received (50(4); unlike the Northern Irish rules, not in sub-stages by
  transfer value). Equal lowest candidates go by the most recent earlier stage at which they
  had unequal votes (lowest goes), then by lot (51). With three or more tied, each earlier
  stage narrows the group to those lowest (or highest) there.
* When the continuing candidates are no more than the vacancies left, they are all elected
  and nothing more is transferred (52).

Arithmetic is exact: integers counting hundred-thousandths of a vote. Lots are drawn with
`random.Random(seed)`; the seed is in the result (one is chosen when a lot is first needed if
none was given), so a recount with that seed is identical.

Every stage balances: sum of candidates' votes + cumulative non-transferable = valid votes.
Non-transferable is papers with no further preference ("exhausted") plus the part of a
surplus lost by truncating transfer values ("truncation").

`CountResult.as_dict()` (JSON-ready)::

    {"method": "scottish-stv", "seats": 3, "candidates": [...], "withdrawn": [...],
     "valid_votes": 3419, "quota": "855.00000", "elected": [names in order of election],
     "seed": null or int,
     "stages": [{"number": 1, "action": "first preferences" | "surplus of X" | "exclusion of X",
                 "votes": {name: "123.00000"}, "transfers": {name: "+/-..."},
                 "transfer_value": null or "0.12345",
                 "non_transferable": {"stage", "cumulative", "exhausted", "truncation"},
                 "elected": [...], "excluded": [...], "reason": "..."}]}

Counts of things are ints; vote values are strings with exactly five decimal places.
"""

from collections.abc import Callable, Iterable

from clinlead.analytics.stv_report import (
    SCALE,
    Ballots,
    CountResult,
    Lot,
    Stage,
    group_ballots,
    to_decimal,
)

__all__ = ["count_scottish_stv"]


def count_scottish_stv(
    *,
    candidates: Iterable[str],
    ballots: Ballots,
    seats: int,
    seed: int | None = None,
    withdrawn: Iterable[str] = (),
) -> CountResult:
    """Count by Scottish STV.

    `candidates`: names in ballot-paper order. `ballots`: (count, ranking) pairs, ranking
    the candidate names from first preference on (identical rankings may repeat: they are
    merged). `withdrawn`: names whose preferences are skipped. Returns a `CountResult`.
    """
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValueError(f"seats must be a positive whole number, not {seats!r}")
    names, groups = group_ballots(candidates=candidates, ballots=ballots, withdrawn=withdrawn)
    count = _ScottishCount(names, groups, seats, set(withdrawn), Lot(seed))
    count.run()
    return CountResult(
        method="scottish-stv",
        seats=seats,
        candidates=names,
        valid_votes=count.valid,
        quota=to_decimal(count.quota),
        elected=[names[c] for c in count.elected],
        stages=count.stages,
        seed=count.lot.seed,
        withdrawn=tuple(withdrawn),
    )


_CONTINUING, _ELECTED, _EXCLUDED, _WITHDRAWN = range(4)


class _ScottishCount:
    def __init__(
        self,
        names: tuple[str, ...],
        groups: dict[tuple[int, ...], int],
        seats: int,
        withdrawn: set[str],
        lot: Lot,
    ) -> None:
        self.names = names
        self.rankings = list(groups)
        self.counts = list(groups.values())
        self.seats = seats
        self.lot = lot
        self.valid = sum(self.counts)
        self.quota = (self.valid // (seats + 1) + 1) * SCALE
        self.state = [_WITHDRAWN if n in withdrawn else _CONTINUING for n in names]
        self.shown = [c for c in range(len(names)) if self.state[c] != _WITHDRAWN]
        self.votes = [0] * len(names)
        # Each candidate's papers, grouped by value: {value: [(ballot group, position)]}.
        # Grouping by value lets a surplus compute each transfer value once.
        self.piles: list[dict[int, list[tuple[int, int]]]] = [{} for _ in names]
        self.history: list[list[int]] = []  # votes at the end of each stage, for tie-breaks
        self.stages: list[Stage] = []
        self.elected: list[int] = []
        self.pending: list[int] = []  # elected candidates whose surplus is not yet transferred
        self.non_transferable = 0

    def continuing(self) -> list[int]:
        return [c for c in self.shown if self.state[c] == _CONTINUING]

    def run(self) -> None:
        for gid, ranking in enumerate(self.rankings):
            first = ranking[0]
            self.piles[first].setdefault(SCALE, []).append((gid, 0))
            self.votes[first] += self.counts[gid] * SCALE
        stage = self.record("first preferences", [], 0, 0)
        stage.reasons.append(f"{self.valid} valid votes; quota {to_decimal(self.quota):.5f}")
        while True:
            self.elect_quota_holders(stage)
            vacancies = self.seats - len(self.elected)
            if vacancies <= 0:
                return
            remaining = self.continuing()
            if len(remaining) <= vacancies:
                self.fill_last_vacancies(stage, remaining, vacancies)
                return
            if self.pending:
                stage = self.transfer_surplus()
            else:
                stage = self.exclude_lowest()

    def record(
        self,
        action: str,
        before: list[int],
        exhausted: int,
        truncation: int,
        transfer_value: int | None = None,
    ) -> Stage:
        self.non_transferable += exhausted + truncation
        self.history.append(list(self.votes))
        stage = Stage(
            number=len(self.stages) + 1,
            action=action,
            votes={self.names[c]: to_decimal(self.votes[c]) for c in self.shown},
            transfers={self.names[c]: to_decimal(self.votes[c] - before[c]) for c in self.shown}
            if before
            else {},
            transfer_value=None if transfer_value is None else to_decimal(transfer_value),
            exhausted=to_decimal(exhausted),
            lost_to_truncation=to_decimal(truncation),
            non_transferable_total=to_decimal(self.non_transferable),
        )
        self.stages.append(stage)
        return stage

    def by_votes(self, group: Iterable[int]) -> list[int]:
        # Most votes first; ballot-paper order among equals (only the listing depends on it).
        return sorted(group, key=lambda c: (-self.votes[c], c))

    def elect_quota_holders(self, stage: Stage) -> None:
        reached = [c for c in self.continuing() if self.votes[c] >= self.quota]
        for c in self.by_votes(reached):
            if len(self.elected) >= self.seats:
                break
            self.state[c] = _ELECTED
            self.elected.append(c)
            stage.elected.append(self.names[c])
            stage.reasons.append(
                f"{self.names[c]} reached the quota of {to_decimal(self.quota):.5f}"
            )
            if self.votes[c] > self.quota:
                self.pending.append(c)

    def fill_last_vacancies(self, stage: Stage, remaining: list[int], vacancies: int) -> None:
        for c in self.by_votes(remaining):
            self.state[c] = _ELECTED
            self.elected.append(c)
            stage.elected.append(self.names[c])
        if not remaining:
            stage.reasons.append(f"no continuing candidates are left for {vacancies} vacancies")
        elif len(remaining) == vacancies == 1:
            stage.reasons.append("the one remaining continuing candidate fills the last vacancy")
        elif len(remaining) == vacancies:
            stage.reasons.append(
                f"the remaining {len(remaining)} continuing candidates "
                f"fill the {vacancies} vacancies"
            )
        else:
            stage.reasons.append(
                f"only {len(remaining)} continuing candidates are left for {vacancies} "
                "vacancies: all are elected"
            )

    def transfer_surplus(self) -> Stage:
        largest = max(self.votes[c] for c in self.pending)
        tied = [c for c in self.pending if self.votes[c] == largest]
        source, tie_note = self.break_tie(tied, highest=True)
        self.pending.remove(source)
        total = self.votes[source]
        surplus = total - self.quota
        before = list(self.votes)
        # Rule 48(3): surplus x paper value / total votes, truncated to 5 places. In scaled
        # integers that is surplus * value // total.
        moved, exhausted = self.move_papers(source, lambda value: surplus * value // total)
        self.votes[source] = self.quota
        truncation = surplus - moved - exhausted
        stage = self.record(
            f"surplus of {self.names[source]}",
            before,
            exhausted,
            truncation,
            transfer_value=surplus * SCALE // total,
        )
        stage.reasons.append(
            tie_note or f"{self.names[source]} has the largest surplus, {to_decimal(surplus):.5f}"
        )
        return stage

    def exclude_lowest(self) -> Stage:
        remaining = self.continuing()
        lowest = min(self.votes[c] for c in remaining)
        tied = [c for c in remaining if self.votes[c] == lowest]
        loser, tie_note = self.break_tie(tied, highest=False)
        self.state[loser] = _EXCLUDED
        before = list(self.votes)
        moved, exhausted = self.move_papers(loser, lambda value: value)
        self.votes[loser] = 0
        stage = self.record(f"exclusion of {self.names[loser]}", before, exhausted, 0)
        stage.excluded.append(self.names[loser])
        stage.reasons.append(
            tie_note
            or f"{self.names[loser]} is the lowest of the continuing candidates, "
            f"with {to_decimal(lowest):.5f} votes"
        )
        return stage

    def move_papers(self, source: int, new_value: Callable[[int], int]) -> tuple[int, int]:
        """Pass each of `source`'s papers to its next continuing preference at
        `new_value(old value)`. Returns (value credited to candidates, value exhausted)."""
        rankings, counts, piles, votes = self.rankings, self.counts, self.piles, self.votes
        open_ = [s == _CONTINUING for s in self.state]
        moved = exhausted = 0
        for value, papers in piles[source].items():
            worth = new_value(value)
            if worth == 0:
                continue  # nothing left to carry; the loss is counted as truncation
            for gid, pos in papers:
                ranking = rankings[gid]
                nxt = pos + 1
                end = len(ranking)
                while nxt < end and not open_[ranking[nxt]]:
                    nxt += 1
                carried = counts[gid] * worth
                if nxt == end:
                    exhausted += carried
                    continue
                dest = ranking[nxt]
                pile = piles[dest].get(worth)
                if pile is None:
                    pile = piles[dest][worth] = []
                pile.append((gid, nxt))
                votes[dest] += carried
                moved += carried
        piles[source] = {}
        return moved, exhausted

    def break_tie(self, tied: list[int], *, highest: bool) -> tuple[int, str]:
        """Rules 49(2)-(3) and 51: look back to the most recent earlier stage at which the
        tied candidates had unequal votes, then draw lots. Returns (candidate, note)."""
        if len(tied) == 1:
            return tied[0], ""
        group = sorted(tied)
        listed = ", ".join(self.names[c] for c in group)
        pick = max if highest else min
        what = "the most votes" if highest else "the fewest votes"
        steps: list[str] = []
        # history[-1] is the stage just ended, at which they are equal.
        for number in range(len(self.history) - 1, 0, -1):
            past = self.history[number - 1]
            if len({past[c] for c in group}) == 1:
                continue
            best = pick(past[c] for c in group)
            group = [c for c in group if past[c] == best]
            steps.append(f"{', '.join(self.names[c] for c in group)} had {what} at stage {number}")
            if len(group) == 1:
                return group[0], (
                    f"{listed} tied; tie broken by earlier stages: " + "; ".join(steps)
                )
        chosen = self.lot.draw(group)
        return chosen, (
            f"{listed} tied"
            + (f" (earlier stages: {'; '.join(steps)})" if steps else "")
            + f"; tie broken by lot, seed {self.lot.seed}: {self.names[chosen]}"
        )
