"""Reading a table that someone uploaded or gave to a command (CSV or .xlsx), within fixed bounds.

Every import (HR extracts, evaluation figures, framework files) reads through this module so a
file can never cost more than the limits below, whatever it claims about itself:

- the file's size, the number of rows and columns, and each cell's length are capped;
- an .xlsx file is streamed row by row as the rows come, ignoring the sheet's `dimension` tag
  (a 5 KB file may claim a million rows by sixteen thousand columns, or fewer rows than it holds);
  the sizes of the parts inside the .xlsx are checked before any is unpacked;
- a row is numbered as a spreadsheet shows it: the header is row 1 and a quoted line break
  inside a CSV cell does not shift the rows after it;
- a heading that appears twice, and a value under a column with no heading, are refused.

Pure Python (no Django), so the analytics package can read files with it too. The limits are
stated in docs/hr-import.md and docs/configuration.md.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 64
MAX_CELL_CHARS = 10_000
# An .xlsx is a zip; its unpacked parts may be larger than the file, but not without bound.
MAX_XLSX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_XLSX_COMPRESSION_RATIO = 200
MAX_JSON_DEPTH = 20
MAX_BLANK_ROWS_BEFORE_HEADER = 100

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters that reorder or hide text (bidirectional overrides and isolates).
_BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")


class TableError(ValueError):
    """The file cannot be read; the message names the row (and column) where it can."""


@dataclass(frozen=True)
class Limits:
    file_bytes: int = MAX_FILE_BYTES
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cell_chars: int = MAX_CELL_CHARS


DEFAULT_LIMITS = Limits()


def column_letter(index: int) -> str:
    """Spreadsheet letters of a 0-based column index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_problem(value: str, *, max_length: int | None = None, name: bool = True) -> str:
    """Why this text cannot be stored, or "" if it can.

    Control characters (NUL, escape, line breaks in a name) and bidirectional overrides are
    refused everywhere; a name or free text may not begin like a spreadsheet formula, since
    every export of it would otherwise be a live formula in someone's spreadsheet.
    """
    if max_length is not None and len(value) > max_length:
        return f"is longer than {max_length} characters"
    for char in value:
        if char in _BIDI_CONTROLS:
            return f"contains a hidden direction-changing character (U+{ord(char):04X})"
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") and not (not name and char in "\n\t"):
            return f"contains a control character (U+{ord(char):04X})"
    if name and value.startswith(FORMULA_START):
        return f"begins with {value[0]!r}, which a spreadsheet would read as a formula"
    return ""


# --------------------------------------------------------------------------- reading


@dataclass
class Table:
    """`header` is row 1 as text; iterate `rows()` for (row number, cells as text)."""

    header: list[str]
    _rows: Iterator[tuple[int, list[str]]]
    source: str

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Non-blank data rows, each padded or trimmed to the header's width."""
        width = len(self.header)
        for number, cells in self._rows:
            if not any(cells):
                continue
            for index, cell in enumerate(cells):
                if cell and (index >= width or not self.header[index]):
                    raise TableError(
                        f"row {number}, column {column_letter(index)}: a value under a column "
                        "with no heading (add the heading or remove the value)"
                    )
            yield number, (cells + [""] * width)[:width]


def read_table(
    *, content: bytes, filename: str, limits: Limits = DEFAULT_LIMITS, lower_header: bool = True
) -> Table:
    """Open a .csv (UTF-8) or .xlsx table; raise TableError naming what is wrong."""
    rows = raw_rows(content=content, filename=filename, limits=limits)
    header = None
    for number, cells in rows:
        if any(cells):
            header = cells
            break
        if number >= MAX_BLANK_ROWS_BEFORE_HEADER:
            raise TableError(f"rows 1 to {number} are empty; put the column headings on row 1")
    if header is None:
        raise TableError("the file is empty")
    header = [h.lower() if lower_header else h for h in header]
    while header and not header[-1]:
        header.pop()
    seen: dict[str, int] = {}
    for index, heading in enumerate(header):
        if heading and heading in seen:
            raise TableError(
                f"row 1: the heading {heading!r} appears twice "
                f"(columns {column_letter(seen[heading])} and {column_letter(index)})"
            )
        seen[heading] = index
    return Table(header=header, _rows=rows, source=filename)


def raw_rows(
    *, content: bytes, filename: str, limits: Limits = DEFAULT_LIMITS, typed: bool = False
) -> Iterator[tuple[int, list[Any]]]:
    """Every row as (row number, cells), blank ones included, within the limits.

    Cells are text, or with `typed` an .xlsx cell's own value (number, date, bool) as Excel
    holds it. The file is opened at once; its rows are read as they are iterated."""
    name = filename.lower()
    if len(content) > limits.file_bytes:
        raise TableError(f"the file is {len(content):,} bytes; the limit is {limits.file_bytes:,}")
    if name.endswith(".xlsx"):
        return _xlsx_rows(content, limits, typed)
    if name.endswith((".csv", ".txt")):
        return _csv_rows(content, limits)
    raise TableError(f"{filename or 'the file'}: use a .csv or .xlsx file")


def _check_cell(text: str, number: int, index: int, limits: Limits) -> str:
    if len(text) > limits.cell_chars:
        raise TableError(
            f"row {number}, column {column_letter(index)}: a cell of {len(text):,} characters; "
            f"the limit is {limits.cell_chars:,}"
        )
    return text


def _check_row_shape(number: int, width: int, limits: Limits) -> None:
    if number > limits.rows + 1:
        raise TableError(f"row {number}: the file has more than {limits.rows:,} rows; split it")
    if width > limits.columns:
        raise TableError(f"row {number}: more than {limits.columns} columns")


def _csv_rows(content: bytes, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(f"not UTF-8 text (byte {exc.start}); save the file as CSV UTF-8") from None
    return _csv_records(text, limits)


def _csv_records(text: str, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # csv's own cap on a cell (process-wide, 128 KB) is far above ours, checked below.
            if "field limit" in str(exc):
                raise TableError(
                    f"row {number + 1}: a cell is longer than {limits.cell_chars:,} characters"
                ) from None
            raise TableError(f"row {number + 1}: unreadable CSV ({exc})") from None
        # A record is one spreadsheet row, however many lines its quoted cells span.
        number += 1
        _check_row_shape(number, len(cells), limits)
        yield number, [_check_cell(c.strip(), number, i, limits) for i, c in enumerate(cells)]


def _xlsx_rows(content: bytes, limits: Limits, typed: bool) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TableError(f"not a readable .xlsx file ({exc})") from None
    if unpacked > min(
        MAX_XLSX_UNPACKED_BYTES, max(len(content), 1) * MAX_XLSX_COMPRESSION_RATIO + 10**7
    ):
        raise TableError(
            f"the .xlsx file unpacks to {unpacked:,} bytes, far more than its rows could need"
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many unrelated types for a damaged file
        raise TableError(f"not a readable .xlsx file ({exc})") from None
    # Never trust the sheet's stated size: read the rows that are there, as they come.
    sheet.reset_dimensions()
    return _xlsx_records(workbook, sheet, limits, typed)


def _xlsx_records(
    workbook: Any, sheet: Any, limits: Limits, typed: bool
) -> Iterator[tuple[int, list[Any]]]:
    try:
        number = 0
        for values in sheet.iter_rows(values_only=True):
            number += 1
            _check_row_shape(number, _last_filled(values), limits)
            texts = [_check_cell(cell_text(v), number, i, limits) for i, v in enumerate(values)]
            yield number, list(values) if typed else texts
    except TableError:
        raise
    except Exception as exc:  # a damaged sheet part, a date Excel cannot hold
        raise TableError(f"row {number + 1}: the Excel sheet cannot be read ({exc})") from None
    finally:
        workbook.close()


def _last_filled(values: Any) -> int:
    for index in range(len(values) - 1, -1, -1):
        if values[index] is not None and values[index] != "":
            return index + 1
    return 0


def cell_text(value: Any) -> str:
    """A cell as a person typed it: a date as YYYY-MM-DD, 12.0 as 12."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Excel turns a typed 2025-01-15 into a datetime; a midnight one is just a date.
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------- dates and JSON

ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_iso_date(text: str, *, earliest: date, latest: date) -> tuple[date | None, str]:
    """A calendar date written YYYY-MM-DD within [earliest, latest], or (None, the reason).

    `date.fromisoformat` also takes week dates (2020-W01-1) and compact forms; an HR file
    means a calendar day, so only the plain form is accepted.
    """
    if not ISO_DATE.match(text):
        return None, "is not a date in the form YYYY-MM-DD"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, "is not a real calendar date"
    if not earliest <= day <= latest:
        return None, f"is outside {earliest.isoformat()} to {latest.isoformat()}"
    return day, ""


def load_json(text: str, *, max_chars: int = 1_000_000, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON text no larger and no deeper than the limits; raise TableError otherwise."""
    import json

    if len(text) > max_chars:
        raise TableError(f"the file has {len(text):,} characters; the limit is {max_chars:,}")
    try:
        data = json.loads(text)
    except RecursionError:
        raise TableError(f"the JSON is nested more than {max_depth} levels deep") from None
    except json.JSONDecodeError as exc:
        raise TableError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise TableError(f"the JSON is nested more than {max_depth} levels deep")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return data
