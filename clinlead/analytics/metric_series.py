"""Read a metric time-series file: CSV or Excel (.xlsx), with the header
``organisation,period,metric,value`` and optionally ``exposure``.

``exposure`` (bed days, expected deaths, admissions) is the denominator of a count-based
metric's rate model: a number above zero, or blank. With an exposure, ``value`` is the count
itself (deaths, infections), so it may not be negative. A metric the catalogue does not mark
as count-based takes no exposure: the row is refused rather than the figure silently dropped,
because nothing would use it and a person who filled it in expects it to count.

Every row is checked and every problem is collected as ``(row, column, value, reason)``
before anything is returned, so one upload shows the whole list of fixes needed and a
half-read file is never analysed. ``row`` is the 1-based line (CSV) or sheet row (Excel)
that a person would look at; the header is row 1.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from clinlead.analytics.metric_catalogue import count_based_names, is_count_based
from clinlead.analytics.periods import (
    Period,
    PeriodError,
    describe_granularity,
    parse_period,
)
from clinlead.tabular import TableError, raw_rows
from clinlead.tabular import cell_text as _text

COLUMNS = ("organisation", "period", "metric", "value")
OPTIONAL_COLUMNS = ("exposure",)
# Enough to fix a file without drowning the reader; the rest are counted.
MAX_PROBLEMS_SHOWN = 50


class Problem(NamedTuple):
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        if self.value != "":
            where += f", value {self.value!r}"
        return f"{where}: {self.reason}"


class MetricSeriesError(ValueError):
    """The file could not be used; ``problems`` lists every row-level problem found."""

    def __init__(
        self,
        *,
        source: str,
        problems: Sequence[Problem] = (),
        message: str = "",
        readable: Sequence[Observation] = (),
    ):
        self.source = source
        self.problems = list(problems)
        self.message = message
        # The rows that passed, so a caller checking them further (against an evaluation's
        # organisations and metrics) can report every problem of the file in one round.
        self.readable = tuple(readable)
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.problems:
            return f"{self.source}: {self.message}"
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{self.source}: {count} {noun} found, nothing was read:"]
        lines += [f"  {problem}" for problem in self.problems[:MAX_PROBLEMS_SHOWN]]
        if count > MAX_PROBLEMS_SHOWN:
            lines.append(f"  ... and {count - MAX_PROBLEMS_SHOWN} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class Observation:
    organisation: str
    period: Period
    metric: str
    value: float
    row: int
    exposure: float | None = None  # the rate model's denominator; None: not given


@dataclass(frozen=True)
class MetricSeries:
    """Validated observations, in file order."""

    source: str
    observations: tuple[Observation, ...]

    def metrics(self) -> list[str]:
        return sorted({o.metric for o in self.observations})

    def organisations(self, *, metric: str | None = None) -> list[str]:
        return sorted(
            {o.organisation for o in self.observations if metric is None or o.metric == metric}
        )

    def granularity(self, *, metric: str) -> str:
        for observation in self.observations:
            if observation.metric == metric:
                return observation.period.granularity
        raise KeyError(metric)

    def to_frame(self, *, metric: str | None = None) -> pd.DataFrame:
        """Columns organisation, period (canonical label), metric, value, row, and exposure
        when any chosen row has one (NaN where blank: see :func:`usable_exposure`)."""
        chosen = [o for o in self.observations if metric is None or o.metric == metric]
        frame = pd.DataFrame(
            {
                "organisation": [o.organisation for o in chosen],
                "period": [o.period.label for o in chosen],
                "metric": [o.metric for o in chosen],
                "value": [o.value for o in chosen],
                "row": [o.row for o in chosen],
            }
        )
        if any(o.exposure is not None for o in chosen):
            frame["exposure"] = [math.nan if o.exposure is None else o.exposure for o in chosen]
        return frame


# The headline, the charts and the board's words use ``value`` as it is: with exposure, counts.
COUNTS_CAVEAT = (
    "Every figure has an exposure, so the figures are counts: the headline estimate and the "
    "charts are in counts per organisation and period, not in the metric's own unit; the rate "
    "model gives the change per unit of exposure."
)


def usable_exposure(*, frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """One metric's figures as the analysis takes them, and a caveat: that the figures are
    counts when every one has an exposure, or that exposure is dropped when only some have.

    The rate model uses exposure only when every figure has one: a model with some figures
    per bed day and others per "one unit" compares unlike things, and a blank exposure
    usually means the count is missing too. So a partly filled exposure column is left out
    (every figure then counts as one unit of exposure) and the caveat says how many lack it.
    """
    if "exposure" not in frame:
        return frame, ""
    exposure = pd.to_numeric(frame["exposure"], errors="coerce")
    missing = int(exposure.isna().sum())
    if missing == 0:
        return frame, COUNTS_CAVEAT
    if missing == len(frame):
        return frame.drop(columns="exposure"), ""
    caveat = (
        f"{missing} of {len(frame)} figures have no exposure, so the rate model does not use "
        "exposure for this metric (every figure counts as one unit); give every figure its "
        "exposure, or none."
    )
    return frame.drop(columns="exposure"), caveat


def read_metric_series(*, path: str | Path) -> MetricSeries:
    """Read and validate a ``.csv`` or ``.xlsx`` file; raise :class:`MetricSeriesError`."""
    path = Path(path)
    source = path.name
    if not path.is_file():
        raise MetricSeriesError(source=str(path), message="file not found")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        rows = _bounded_rows(path=path, source=source)
    else:
        raise MetricSeriesError(
            source=source,
            message=f"unsupported file type {suffix or '(none)'!r}: use .csv or .xlsx",
        )
    return parse_metric_rows(rows=rows, source=source)


def metric_series_from_records(
    *, records: Iterable[dict[str, Any]], source: str = "records"
) -> MetricSeries:
    """Validate in-memory dicts (e.g. demo rows) exactly as a file would be validated."""
    chosen = list(records)
    columns = COLUMNS + tuple(c for c in OPTIONAL_COLUMNS if any(c in r for r in chosen))
    numbered: list[tuple[int, list[Any]]] = [(1, list(columns))]
    numbered += [
        (index, [record.get(column) for column in columns])
        for index, record in enumerate(chosen, start=2)
    ]
    return parse_metric_rows(rows=numbered, source=source)


def _bounded_rows(*, path: Path, source: str) -> list[tuple[int, list[Any]]]:
    """Every row, read within clinlead.tabular's bounds (an .xlsx cell keeps its own type)."""
    try:
        return list(raw_rows(content=path.read_bytes(), filename=path.name, typed=True))
    except TableError as exc:
        raise MetricSeriesError(source=source, message=str(exc)) from None


def _blank(cells: Sequence[Any]) -> bool:
    return all(_text(cell) == "" for cell in cells)


def parse_metric_rows(*, rows: Iterable[tuple[int, Sequence[Any]]], source: str) -> MetricSeries:
    """Validate ``(row_number, cells)`` pairs whose first non-blank row is the header."""
    numbered = [(number, list(cells)) for number, cells in rows if not _blank(cells)]
    if not numbered:
        raise MetricSeriesError(source=source, message="the file is empty")
    header_row, header = numbered[0]
    columns, width = _read_header(header=header, row=header_row, source=source)

    problems: list[Problem] = []
    observations: list[Observation] = []
    first_seen: dict[tuple[str, Period, str], int] = {}
    granularity_seen: dict[str, tuple[str, int]] = {}
    for number, cells in numbered[1:]:
        # Excel pads short rows with None; only real extra content is a problem.
        while len(cells) > width and _text(cells[-1]) == "":
            cells.pop()
        if len(cells) != width:
            problems.append(Problem(number, "", "", f"expected {width} fields, found {len(cells)}"))
            continue
        row_problems: list[Problem] = []
        fields = {name: cells[index] for name, index in columns.items()}

        organisation = _text(fields["organisation"])
        if not organisation:
            row_problems.append(Problem(number, "organisation", "", "blank organisation"))
        metric = _text(fields["metric"])
        if not metric:
            row_problems.append(Problem(number, "metric", "", "blank metric"))

        period = None
        period_text = _text(fields["period"])
        try:
            period = parse_period(text=period_text)
        except PeriodError as exc:
            row_problems.append(Problem(number, "period", period_text, str(exc)))

        value, reason = _read_value(fields["value"])
        if reason:
            row_problems.append(Problem(number, "value", _text(fields["value"]), reason))
        exposure: float | None = None
        if "exposure" in fields:
            exposure, exposure_problems = _check_exposure(
                cell=fields["exposure"], metric=metric, value=value, row=number
            )
            row_problems += exposure_problems

        if period is not None and metric:
            granularity, where = granularity_seen.setdefault(metric, (period.granularity, number))
            if period.granularity != granularity:
                row_problems.append(
                    Problem(
                        number,
                        "period",
                        period_text,
                        f"metric {metric!r} uses {describe_granularity(granularity=granularity)}"
                        f" from row {where}; use one granularity per metric",
                    )
                )
        if period is not None and metric and organisation:
            key = (organisation, period, metric)
            if key in first_seen:
                row_problems.append(
                    Problem(
                        number,
                        "",
                        "",
                        f"duplicate of row {first_seen[key]} (same organisation "
                        f"{organisation!r}, period {period.label!r}, metric {metric!r})",
                    )
                )
            else:
                first_seen[key] = number

        if row_problems:
            problems.extend(row_problems)
        else:
            assert period is not None  # a row with no problem has a period
            observations.append(Observation(organisation, period, metric, value, number, exposure))

    if problems:
        raise MetricSeriesError(source=source, problems=problems, readable=observations)
    if not observations:
        raise MetricSeriesError(source=source, message="the file has a header but no data rows")
    return MetricSeries(source=source, observations=tuple(observations))


def _read_header(*, header: list[Any], row: int, source: str) -> tuple[dict[str, int], int]:
    """Column positions by name, and the row width (trailing empty header cells dropped)."""
    names = [_text(cell).lower() for cell in header]
    while names and names[-1] == "":
        names.pop()
    problems = []
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in columns:
            problems.append(Problem(row, name, name, "column appears twice in the header"))
        elif name not in COLUMNS + OPTIONAL_COLUMNS:
            problems.append(
                Problem(
                    row,
                    name,
                    name,
                    f"unexpected column; expected {', '.join(COLUMNS)}"
                    f" (and optionally {', '.join(OPTIONAL_COLUMNS)})",
                )
            )
        else:
            columns[name] = index
    for name in COLUMNS:
        if name not in columns:
            problems.append(Problem(row, name, "", "missing column in the header"))
    if problems:
        raise MetricSeriesError(source=source, problems=problems)
    return columns, len(names)


def _check_exposure(
    *, cell: Any, metric: str, value: float, row: int
) -> tuple[float | None, list[Problem]]:
    """The row's exposure (None when blank) and its problems: a number above zero, for a
    count-based metric only, whose value is then a count and so not negative."""
    text = _text(cell)
    if text == "":
        return None, []
    number, reason = _read_value(cell)
    if not reason and number <= 0:
        reason = "zero or negative: an exposure must be above zero"
    if reason:
        return None, [Problem(row, "exposure", text, f"exposure is {reason}")]
    if metric and not is_count_based(name=metric):
        which = ", ".join(count_based_names())
        return None, [
            Problem(
                row,
                "exposure",
                text,
                f"metric {metric!r} is not a count per exposure, so nothing would use it; "
                f"leave it blank (exposure is for {which})",
            )
        ]
    if math.isfinite(value) and value < 0:
        return None, [
            Problem(row, "value", f"{value:g}", "negative: with an exposure the value is a count")
        ]
    return number, []


def _read_value(cell: Any) -> tuple[float, str]:
    if isinstance(cell, bool):
        # bool is an int in Python, but TRUE is not a measurement.
        return math.nan, "not a number"
    if isinstance(cell, int | float):
        number = float(cell)
    else:
        text = _text(cell)
        if text == "":
            return math.nan, "blank value"
        try:
            number = float(text)
        except ValueError:
            return math.nan, "not a number"
    if not math.isfinite(number):
        return math.nan, "not a finite number"
    return number, ""
