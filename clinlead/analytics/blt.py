"""Read and write ballots in BLT, the plain-text format STV counting programs exchange.

Layout::

    4 2              candidates and seats
    -3               optional: withdrawn candidates, as negative numbers
    12 1 3 2 0       one line per distinct ballot: how many voters, their preferences, 0
    5 2 0
    0                end of ballots
    "Ann Smith"      one name per candidate, in number order
    Bob Jones        (names may be unquoted, as in the 2017 Scottish files: the whole line)
    "Cara ""CJ"" Lee"    inside quotes, "" stands for one "
    "Dee Wu"
    "Title"          the election title

Only the plain form is read: equal preferences (``1=2``) and ballot ids are rejected with
a clear error rather than guessed at, because a recount must mean one thing.
"""

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# A ballot line's count; far above any real electorate, far below what the fixed-point count holds.
MAX_BALLOT_COUNT = 10**9
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class BltError(ValueError):
    """A malformed BLT file; `line` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(line, reason)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class BltElection:
    candidates: tuple[str, ...]
    seats: int
    # (count, ranking) pairs, ranking as candidate names from first preference on.
    ballots: tuple[tuple[int, tuple[str, ...]], ...]
    title: str = ""
    withdrawn: tuple[str, ...] = field(default=())


def read_blt(*, path: str | os.PathLike[str]) -> BltElection:
    """Parse the BLT file at `path` (UTF-8, with or without a byte-order mark)."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BltError(raw[: exc.start].count(b"\n") + 1, "the file is not UTF-8 text") from exc
    return parse_blt(text=text)


def parse_blt(*, text: str) -> BltElection:
    """Parse BLT text into a `BltElection`; raise `BltError` on the first problem found."""
    lines = text.splitlines()
    at = _skip_blank(lines, 0)
    if at >= len(lines):
        raise BltError(1, "the file is empty")
    n_candidates, seats = _parse_header(lines[at], at + 1)
    at += 1

    withdrawn_numbers: list[int] = []
    at = _skip_blank(lines, at)
    if at < len(lines) and lines[at].split() and lines[at].split()[0].startswith("-"):
        withdrawn_numbers = _parse_withdrawn(lines[at], at + 1, n_candidates)
        at += 1

    ballots: list[tuple[int, tuple[int, ...]]] = []
    while True:
        at = _skip_blank(lines, at)
        if at >= len(lines):
            raise BltError(len(lines) + 1, "the ballots are not ended by a line holding only 0")
        tokens = lines[at].split()
        if tokens == ["0"]:
            at += 1
            break
        ballots.append(_parse_ballot(tokens, at + 1, n_candidates))
        at += 1

    names: list[str] = []
    for _ in range(n_candidates):
        if at >= len(lines) or not lines[at].strip():
            raise BltError(
                at + 1,
                f"expected {n_candidates} candidate names, found {len(names)}",
            )
        name = _unquote(lines[at], at + 1)
        if not name:
            raise BltError(at + 1, "a candidate name is empty")
        if name in names:
            raise BltError(at + 1, f"candidate name {name!r} appears twice")
        names.append(name)
        at += 1

    title = ""
    if at < len(lines) and lines[at].strip():
        title = _unquote(lines[at], at + 1)
        at += 1
    rest = _skip_blank(lines, at)
    if rest < len(lines):
        raise BltError(rest + 1, "unexpected text after the title")

    return BltElection(
        candidates=tuple(names),
        seats=seats,
        ballots=tuple((count, tuple(names[p - 1] for p in prefs)) for count, prefs in ballots),
        title=title,
        withdrawn=tuple(names[p - 1] for p in withdrawn_numbers),
    )


def write_blt(
    *,
    candidates: Iterable[str],
    seats: int,
    ballots: Iterable[tuple[int, Sequence[str]]],
    title: str,
    withdrawn: Iterable[str] = (),
) -> str:
    """BLT text for these ballots: `ballots` are (count, ranking-of-names) pairs.

    Ballots are written in the order given, one line each, so `parse_blt` gives them back.
    """
    names = list(candidates)
    for name in [*names, title]:
        if "\n" in name or "\r" in name:
            raise ValueError(f"a name or title cannot contain a line break: {name!r}")
    if any(not name.strip() for name in names):
        raise ValueError("a candidate name is empty")
    number = {name: i + 1 for i, name in enumerate(names)}
    if len(number) != len(names):
        raise ValueError("candidate names must be distinct")
    if not 1 <= seats <= len(names):
        raise ValueError(f"seats must be between 1 and {len(names)}, not {seats}")

    out = [f"{len(names)} {seats}"]
    withdrawn = list(withdrawn)
    if withdrawn:
        out.append(" ".join(f"-{number[name]}" for name in withdrawn))
    for count, ranking in ballots:
        if count < 1:
            raise ValueError(f"a ballot count must be at least 1, not {count}")
        prefs = [number[name] for name in ranking]
        if len(set(prefs)) != len(prefs):
            raise ValueError(f"a candidate is ranked twice in {list(ranking)}")
        out.append(" ".join(str(x) for x in [count, *prefs, 0]))
    out.append("0")
    out.extend(_quote(name) for name in names)
    out.append(_quote(title))
    return "\n".join(out) + "\n"


def _skip_blank(lines: list[str], at: int) -> int:
    while at < len(lines) and not lines[at].strip():
        at += 1
    return at


def _integer(token: str, line: int, what: str) -> int:
    # ASCII digits only: int() also reads other scripts' digits, and a BLT file means 0-9.
    if not _WHOLE_NUMBER.fullmatch(token):
        raise BltError(line, f"{what} {token[:40]!r} is not a whole number")
    if len(token.lstrip("-")) > len(str(MAX_BALLOT_COUNT)):
        raise BltError(
            line, f"{what} {token[:40]!r} is too large (the most is {MAX_BALLOT_COUNT:,})"
        )
    return int(token)


def _parse_header(text: str, line: int) -> tuple[int, int]:
    tokens = text.split()
    if len(tokens) != 2:
        raise BltError(line, "the first line must hold two numbers: candidates and seats")
    n_candidates = _integer(tokens[0], line, "the number of candidates")
    seats = _integer(tokens[1], line, "the number of seats")
    if n_candidates < 1:
        raise BltError(line, f"there must be at least one candidate, not {n_candidates}")
    if seats < 1:
        raise BltError(line, f"there must be at least one seat, not {seats}")
    if seats > n_candidates:
        raise BltError(line, f"{seats} seats but only {n_candidates} candidates")
    return n_candidates, seats


def _parse_withdrawn(text: str, line: int, n_candidates: int) -> list[int]:
    numbers: list[int] = []
    for token in text.split():
        value = _integer(token, line, "withdrawn candidate")
        if value >= 0:
            raise BltError(
                line, f"withdrawn candidates are written as negative numbers, not {value}"
            )
        if -value > n_candidates:
            raise BltError(
                line, f"withdrawn candidate {-value} is not a candidate (there are {n_candidates})"
            )
        if -value in numbers:
            raise BltError(line, f"candidate {-value} is withdrawn twice")
        numbers.append(-value)
    return numbers


def _parse_ballot(tokens: list[str], line: int, n_candidates: int) -> tuple[int, tuple[int, ...]]:
    if any("=" in token for token in tokens):
        raise BltError(line, "equal preferences ('=') are not supported")
    count = _integer(tokens[0], line, "ballot count")
    if count < 1:
        raise BltError(line, f"a ballot count must be a positive whole number, not {count}")
    if count > MAX_BALLOT_COUNT:
        # Votes are counted in fixed point to five decimals; an absurd weight would overflow it.
        raise BltError(line, f"a ballot count of {count} is more than {MAX_BALLOT_COUNT:,} ballots")
    if tokens[-1] != "0" or len(tokens) < 2:
        raise BltError(line, "the ballot is not ended by 0")
    prefs: list[int] = []
    for token in tokens[1:-1]:
        pref = _integer(token, line, "preference")
        if pref == 0:
            raise BltError(line, "preferences follow the terminating 0")
        if not 1 <= pref <= n_candidates:
            raise BltError(line, f"preference {pref} is not a candidate (there are {n_candidates})")
        if pref in prefs:
            raise BltError(line, f"candidate {pref} is ranked more than once")
        prefs.append(pref)
    return count, tuple(prefs)


def _unquote(text: str, line: int) -> str:
    text = text.strip()
    if not text.startswith('"'):
        # 2017 Scottish files: the whole line is the name.
        return text
    if len(text) < 2 or not text.endswith('"'):
        raise BltError(line, "a quoted name has no closing quote")
    inner = text[1:-1]
    if inner.replace('""', "").count('"'):
        raise BltError(line, 'a double quote inside a quoted name must be doubled ("")')
    return inner.replace('""', '"')


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
