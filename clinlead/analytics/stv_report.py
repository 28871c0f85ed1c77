"""What a count returns, shared by every counting method, and its readable report.

`CountResult.as_dict()` is the JSON form (see the module docstring of `stv`): counts of
things (seats, ballot papers, stage numbers, the seed) are ints; vote values (quota, votes,
transfers, non-transferable, transfer values) are strings with exactly five decimal places,
because Scottish STV works in exact hundred-thousandths and a float would lose that.
"""

import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# A ballot as the counts take it: (number of papers, names in order of preference or approved).
Ballots = Iterable[tuple[int, Sequence[str]]]

SCALE = 100_000  # vote values are held as integers counting hundred-thousandths of a vote
ZERO = Decimal("0.00000")


def to_decimal(scaled: int) -> Decimal:
    """The exact Decimal for an integer number of hundred-thousandths."""
    return Decimal(scaled).scaleb(-5).quantize(ZERO)


def fmt(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.5f}"


@dataclass
class Stage:
    number: int
    action: str  # "first preferences", "surplus of X", "exclusion of X", "approval count"
    votes: dict[str, Decimal]  # each candidate's total at the end of the stage
    transfers: dict[str, Decimal] = field(default_factory=dict)  # change in this stage
    transfer_value: Decimal | None = None  # for a surplus: the value a 1-vote paper moves at
    exhausted: Decimal = ZERO  # papers with no further preference, this stage
    lost_to_truncation: Decimal = ZERO  # surplus lost by cutting values to 5 places
    non_transferable_total: Decimal = ZERO  # everything not credited to anyone, so far
    elected: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def non_transferable(self) -> Decimal:
        """This stage's non-transferable value: exhausted papers plus truncation loss."""
        return self.exhausted + self.lost_to_truncation

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "action": self.action,
            "votes": {name: fmt(v) for name, v in self.votes.items()},
            "transfers": {name: fmt(v) for name, v in self.transfers.items()},
            "transfer_value": fmt(self.transfer_value),
            "non_transferable": {
                "stage": fmt(self.non_transferable),
                "cumulative": fmt(self.non_transferable_total),
                "exhausted": fmt(self.exhausted),
                "truncation": fmt(self.lost_to_truncation),
            },
            "elected": list(self.elected),
            "excluded": list(self.excluded),
            "reason": self.reason,
        }


@dataclass
class CountResult:
    method: str  # "scottish-stv" or "approval"
    seats: int
    candidates: tuple[str, ...]
    valid_votes: int  # ballot papers with at least one counted preference or approval
    quota: Decimal | None
    elected: list[str]  # in order of election
    stages: list[Stage]
    seed: int | None  # the seed any lot was drawn with; None if no lot was needed nor given
    withdrawn: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "seats": self.seats,
            "candidates": list(self.candidates),
            "withdrawn": list(self.withdrawn),
            "valid_votes": self.valid_votes,
            "quota": fmt(self.quota),
            "elected": list(self.elected),
            "stages": [stage.as_dict() for stage in self.stages],
            "seed": self.seed,
        }


class Lot:
    """Drawing lots, reproducibly: the seed is chosen on the first draw if none was given,
    and kept so that a recount with it draws the same lots."""

    def __init__(self, seed: int | None) -> None:
        self.seed = seed
        self._rng: random.Random | None = None

    def draw(self, tied: Iterable[int]) -> int:
        """One of `tied` (candidate indices), chosen by lot."""
        if self._rng is None:
            if self.seed is None:
                self.seed = secrets.randbelow(2**32)
            self._rng = random.Random(self.seed)
        # Sorted, so the draw depends on the seed alone, not on how ties were found.
        ordered = sorted(tied)
        return ordered[self._rng.randrange(len(ordered))]


def group_ballots(
    *, candidates: Iterable[str], ballots: Ballots, withdrawn: Iterable[str] = ()
) -> tuple[tuple[str, ...], dict[tuple[int, ...], int]]:
    """Check the input and merge identical rankings.

    Returns (names, groups): `groups` maps a ranking (tuple of candidate indices, withdrawn
    candidates skipped) to its number of ballot papers. Rankings left empty are dropped:
    they are not valid votes.
    """
    names = tuple(candidates)
    index = {name: i for i, name in enumerate(names)}
    if len(index) != len(names):
        raise ValueError("candidate names must be distinct")
    for name in withdrawn:
        if name not in index:
            raise ValueError(f"withdrawn candidate {name!r} is not a candidate")
    gone = {index[name] for name in withdrawn}
    groups: dict[tuple[int, ...], int] = {}
    for count, ranking in ballots:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"a ballot count must be a positive whole number, not {count!r}")
        try:
            prefs = tuple(index[name] for name in ranking)
        except KeyError as exc:
            raise ValueError(f"{exc.args[0]!r} is not a candidate") from None
        if len(set(prefs)) != len(prefs):
            raise ValueError(f"a candidate is ranked twice in {list(ranking)}")
        if gone:
            prefs = tuple(p for p in prefs if p not in gone)
        if prefs:
            groups[prefs] = groups.get(prefs, 0) + count
    return names, groups


def format_report(result: CountResult, *, title: str = "") -> str:
    """A stage-by-stage report for people, in plain text."""
    out = []
    if title:
        out += [title, "=" * len(title)]
    method = {"scottish-stv": "Scottish STV", "approval": "Approval voting"}.get(
        result.method, result.method
    )
    out.append(f"Method: {method}; seats: {result.seats}; valid votes: {result.valid_votes}")
    if result.quota is not None:
        out.append(f"Quota: {result.quota:.5f}")
    if result.withdrawn:
        out.append("Withdrawn: " + ", ".join(result.withdrawn))
    width = max([len(name) for name in result.candidates] + [len("Non-transferable")])
    gone: set[str] = set()  # excluded at an earlier stage: left out to keep the tables short
    places = 0 if result.method == "approval" else 5  # approvals are whole numbers
    for stage in result.stages:
        out += ["", f"Stage {stage.number}: {stage.action}"]
        if stage.transfer_value is not None:
            out.append(f"  transfer value {stage.transfer_value:.5f}")
        for name, votes in stage.votes.items():
            if name in gone:
                continue
            change = stage.transfers.get(name)
            moved = f"{change:+14.{places}f}" if change else " " * 14
            mark = ""
            if name in stage.elected:
                mark = "  elected"
            elif name in stage.excluded:
                mark = "  excluded"
            out.append(f"  {name:<{width}} {moved} {votes:14.{places}f}{mark}")
        if stage.number > 1 or stage.non_transferable_total:
            out.append(
                f"  {'Non-transferable':<{width}} {stage.non_transferable:+14.5f} "
                f"{stage.non_transferable_total:14.5f}"
            )
        if stage.reason:
            out.append(f"  Why: {stage.reason}")
        gone.update(stage.excluded)
    out += ["", "Elected, in order of election:"]
    out += [f"  {i}. {name}" for i, name in enumerate(result.elected, 1)]
    if result.seed is not None:
        out.append(f"Seed for drawing lots: {result.seed}")
    return "\n".join(out) + "\n"
