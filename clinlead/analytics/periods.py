"""Reporting periods: ISO month ``2025-01``, quarter ``2025-Q1`` or ISO date ``2025-01-15``.

A metric's series must use one granularity throughout, because "one period after the
start" only means something when every step is the same kind of step.

Relative-period arithmetic ("how many periods after the pilot started"):

* months and quarters count calendar steps, so a missing month still counts as a month;
* dates have no natural step (weekly? fortnightly? irregular?), so they are counted by
  position in the series' own calendar of observed dates (see :func:`relative_period`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import total_ordering

MONTH = "month"
QUARTER = "quarter"
DATE = "date"
GRANULARITIES = (MONTH, QUARTER, DATE)

FORMAT_HINT = "use 2025-01 (month), 2025-Q1 (quarter) or 2025-01-15 (date)"

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class PeriodError(ValueError):
    """A period that cannot be read, or periods that cannot be compared."""


@total_ordering
@dataclass(frozen=True, eq=False)
class Period:
    """One reporting period.

    ``ordinal`` counts steps of the granularity from a fixed origin (months since year 0,
    quarters since year 0, or the proleptic Gregorian day number for dates), so two
    periods of the same granularity subtract to a number of steps.
    """

    granularity: str
    ordinal: int
    label: str = field(compare=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.granularity, self.ordinal) == (other.granularity, other.ordinal)

    def __hash__(self) -> int:
        return hash((self.granularity, self.ordinal))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        if other.granularity != self.granularity:
            # Ordering a month against a quarter has no right answer, so refuse loudly.
            raise PeriodError(
                f"cannot compare {self.granularity} {self.label!r} with "
                f"{other.granularity} {other.label!r}: use one granularity per metric"
            )
        return self.ordinal < other.ordinal

    def __str__(self) -> str:
        return self.label

    def shifted(self, *, steps: int) -> Period:
        """The period ``steps`` months/quarters later (earlier if negative)."""
        if self.granularity == MONTH:
            year, month0 = divmod(self.ordinal + steps, 12)
            return _month(year, month0 + 1)
        if self.granularity == QUARTER:
            year, quarter0 = divmod(self.ordinal + steps, 4)
            return _quarter(year, quarter0 + 1)
        # A date series has no fixed step; shifting by days would silently change meaning.
        raise PeriodError("dates have no fixed step; shift months or quarters only")


def _month(year: int, month: int) -> Period:
    return Period(MONTH, year * 12 + (month - 1), f"{year:04d}-{month:02d}")


def _quarter(year: int, quarter: int) -> Period:
    return Period(QUARTER, year * 4 + (quarter - 1), f"{year:04d}-Q{quarter}")


def parse_period(*, text: str | Period) -> Period:
    """Read one period; raise :class:`PeriodError` saying what is wrong and what is expected."""
    if isinstance(text, Period):
        return text
    if not isinstance(text, str):
        raise PeriodError(f"{text!r} is not a period: {FORMAT_HINT}")
    stripped = text.strip()
    if not stripped:
        raise PeriodError(f"blank period: {FORMAT_HINT}")
    if match := _MONTH_RE.match(stripped):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"{stripped!r} is not a valid month: month must be 01 to 12")
        return _month(year, month)
    if match := _QUARTER_RE.match(stripped):
        return _quarter(int(match[1]), int(match[2]))
    if match := _DATE_RE.match(stripped):
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise PeriodError(f"{stripped!r} is not a valid date: {exc}") from None
        return Period(DATE, day.toordinal(), day.isoformat())
    raise PeriodError(f"{stripped!r} is not a period: {FORMAT_HINT}")


def granularity_of(*, periods: Iterable[Period]) -> str:
    """The one granularity shared by ``periods``; raise if they mix granularities."""
    seen: dict[str, Period] = {}
    for period in periods:
        seen.setdefault(period.granularity, period)
    if not seen:
        raise PeriodError("no periods given")
    if len(seen) > 1:
        examples = ", ".join(f"{g} ({p.label})" for g, p in seen.items())
        raise PeriodError(f"periods mix granularities: {examples}; use one granularity per metric")
    return next(iter(seen))


def parse_periods(*, texts: Iterable[str]) -> list[Period]:
    """Read a series' periods, requiring one granularity; order is kept."""
    periods = [parse_period(text=text) for text in texts]
    granularity_of(periods=periods)
    return periods


def relative_period(
    *, period: Period, start: Period, calendar: Sequence[Period] | None = None
) -> int:
    """Periods from ``start`` to ``period``: 0 at the start, -1 just before, +1 just after.

    Months and quarters count calendar steps. Dates need ``calendar`` (the series' sorted
    distinct dates) and count positions in it; a start falling between two observed dates
    makes the first observed date on or after it relative period 0.
    """
    if period.granularity != start.granularity:
        raise PeriodError(
            f"period {period.label!r} is a {period.granularity} but start {start.label!r} "
            f"is a {start.granularity}"
        )
    if period.granularity != DATE:
        return period.ordinal - start.ordinal
    if calendar is None:
        raise PeriodError("relative periods between dates need the series' calendar of dates")
    ordinals = sorted({p.ordinal for p in calendar})
    return _rank(ordinals, period.ordinal) - _rank(ordinals, start.ordinal)


def _rank(sorted_ordinals: list[int], ordinal: int) -> int:
    # Number of calendar entries strictly before ``ordinal``.
    return bisect_left(sorted_ordinals, ordinal)


def describe_granularity(*, granularity: str) -> str:
    """Plain words with an example, for error messages."""
    return {
        MONTH: "months (like 2025-01)",
        QUARTER: "quarters (like 2025-Q1)",
        DATE: "dates (like 2025-01-15)",
    }[granularity]
