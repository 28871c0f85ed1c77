"""The analyst CSV's shape, checked before and while pandas reads it: the header, records with
too few fields (pandas pads them without a word) and cells csv cannot parse. Problems are
reported as `FILE: row R, column C: reason`, up to MAX_PROBLEMS of them (`CsvFormatError`)."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from clinlead.analytics.instrument import Instrument

MAX_PROBLEMS = 20


class CsvFormatError(ValueError):
    """The file cannot be used; `problems` lists `row R, column C: reason` strings."""

    def __init__(self, path: object, problems: list[str], more: bool = False):
        self.path = str(path)
        self.problems = problems
        self.more = more
        lines = [f"{self.path}: {p}" for p in problems]
        if more:
            lines.append(f"{self.path}: (stopped after the first {len(problems)} problems)")
        super().__init__("\n".join(lines))



class CheckingReader:
    """A binary file wrapper that moves a progress bar by bytes read and counts the fields of
    every record, since pandas pads a short row with blanks without a word.

    Quote-aware and vectorised: a comma or newline counts only outside quotes, and quote
    parity is the running count of quote characters ("" inside a quoted cell toggles twice).
    """

    def __init__(self, fh: io.BufferedIOBase, bar: Any, fields: int) -> None:
        self.fh = fh
        self.bar = bar
        self.fields = fields
        self.record = 1  # the header is record 1
        self.commas = 0  # commas so far in the current record
        self.in_quotes = False
        self.chars = 0  # bytes so far in the current record
        self.short: list[tuple[int, int]] = []  # (record, fields found)

    def _see(self, data: bytes) -> None:
        if self.bar is not None:
            self.bar.update(len(data))
        if not data:
            if self.chars and self.record > 1 and self.commas + 1 < self.fields:
                self.short.append((self.record, self.commas + 1))
            return
        buf = np.frombuffer(data, dtype=np.uint8)
        if not self.in_quotes and data.find(b'"') < 0:
            # No quote anywhere (the usual export): every comma and newline counts, and commas
            # per record follow from where the commas fall between the newlines.
            commas = np.flatnonzero(buf == 44)
            ends = np.flatnonzero(buf == 10)
            if len(ends) == 0:
                self.commas += len(commas)
                self.chars += len(buf)
                return
            commas_before = np.searchsorted(commas, ends)
            tail = len(commas) - int(commas_before[-1])
        else:
            quotes = np.cumsum(buf == 34) + (1 if self.in_quotes else 0)
            outside = quotes % 2 == 0
            is_comma = (buf == 44) & outside
            ends = np.flatnonzero((buf == 10) & outside)
            self.in_quotes = bool(quotes[-1] % 2)
            if len(ends) == 0:
                self.commas += int(is_comma.sum())
                self.chars += len(buf)
                return
            commas_before = np.cumsum(is_comma)[ends]
            tail = int(is_comma[ends[-1] + 1 :].sum())
        per_record = np.diff(np.r_[0, commas_before])
        per_record[0] += self.commas
        numbers = self.record + np.arange(len(ends))
        # Record 1 is the header, checked on its own; record fields = commas + 1.
        bad = (per_record + 1 < self.fields) & (numbers > 1)
        if bad.any() and len(self.short) < MAX_PROBLEMS:
            for r, c in zip(
                numbers[bad][:MAX_PROBLEMS], per_record[bad][:MAX_PROBLEMS], strict=True
            ):
                self.short.append((int(r), int(c) + 1))
        self.record += len(ends)
        self.commas = tail
        self.chars = len(buf) - ends[-1] - 1

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self._see(data)
        return data

    def read1(self, n: int = -1) -> bytes:  # what a TextIOWrapper around us calls
        data = self.fh.read1(n)
        self._see(data)
        return data

    def readline(self, *args: int) -> bytes:
        data = self.fh.readline(*args)
        self._see(data)
        return data

    def readinto(self, b: Any) -> int:
        raise io.UnsupportedOperation("readinto would bypass the field count")

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fh, name)


def check_header(
    path: str | os.PathLike[str], instrument: Instrument, extra: Sequence[str] = ()
) -> None:
    expected = list(instrument.csv_header) + list(extra)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            found = next(csv.reader(fh), None)
    except UnicodeDecodeError as exc:
        raise CsvFormatError(path, [f"row 1: not UTF-8 text ({exc.reason})"]) from None
    except csv.Error as exc:  # a field over csv's limit (128 KB): no header is that long
        raise CsvFormatError(path, [_header_csv_problem(path, expected, exc)]) from None
    if found is None:
        raise CsvFormatError(path, ["row 1: the file is empty; expected the header"])
    found = [f.strip() for f in found]
    if found == expected:
        return
    problems = []
    for pos in range(max(len(found), len(expected))):
        want = expected[pos] if pos < len(expected) else None
        got = found[pos] if pos < len(found) else None
        if want != got:
            if want is None:
                reason = f"unexpected extra column {got!r}"
            elif got is None:
                reason = f"missing column {want!r}"
            else:
                reason = f"expected {want!r}, found {got!r}"
            problems.append(f"row 1, column {pos + 1}: {reason}")
    problems.insert(0, "row 1: wrong header; expected " + ",".join(expected))
    raise CsvFormatError(path, problems[:MAX_PROBLEMS], len(problems) > MAX_PROBLEMS)


def _header_csv_problem(path: str | os.PathLike[str], expected: list[str], exc: csv.Error) -> str:
    """`row 1, column C: ...` for a header field the csv module refused (it does not say which)."""
    limit = csv.field_size_limit()
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        start = fh.read(limit + 64 * (len(expected) + 1))
    fields = start.split("\n", 1)[0].split(",")
    long = next((i for i, f in enumerate(fields) if len(f) > limit), None)
    if long is None:
        return f"row 1: the header cannot be read ({exc})"
    want = f"; expected {expected[long]!r}" if long < len(expected) else ""
    return f"row 1, column {long + 1}: a header field of more than {limit:,} characters{want}"


FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
