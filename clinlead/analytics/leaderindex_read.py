"""The analyst CSV (one row per response) read into a compact `ResponseTable`.

Header, exactly: cycle,leader_id,unit,profession,<item ids>,<burnout id>,<satisfaction id>
(from the instrument). A blank cell is a missing answer. `unit` is a path such as
`Trust A/Surgery/Orthopaedics`.

Large files are streamed with pandas in chunks; numeric columns are parsed as floats (fast) and
only when a cell is not a number at all is the file read again as text, to say where. Problems
are reported as `FILE: row R, column C: reason`, R counting records with the header as row 1
(the line number, unless a quoted cell spans lines), up to MAX_PROBLEMS of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from clinlead.analytics.instrument import Instrument, default_instrument
from clinlead.analytics.leaderindex_csv import (
    FIELDS_RE,
    MAX_PROBLEMS,
    CheckingReader,
    CsvFormatError,
    check_header,
)

CHUNK_ROWS = 1_000_000
TEXT_COLUMNS = ("cycle", "leader_id", "unit", "profession")
NOT_STATED = ""  # a blank profession is its own category


@dataclass
class ResponseTable:
    """One row per response; strings are held once and rows refer to them by code.

    items: int8 (rows x items), 0 = missing; burnout, satisfaction: int8, 0 = missing.
    """

    instrument: Instrument
    cycles: list[str]
    cycle: np.ndarray
    leaders: list[str]
    leader: np.ndarray
    units: list[str]
    unit: np.ndarray
    professions: list[str]
    profession: np.ndarray
    items: np.ndarray
    burnout: np.ndarray
    satisfaction: np.ndarray
    # What leaderindex_report.score_cycle computed from this table, by (cycle, k): `score` and
    # then `associate` in one process score the cycle once. Nothing changes a table's arrays in
    # place (take() makes a new table, with nothing kept).
    scored: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.leader)

    def take(self, rows: np.ndarray) -> ResponseTable:
        """The same table restricted to `rows` (a boolean mask or indices); names are kept."""
        return ResponseTable(
            instrument=self.instrument,
            cycles=self.cycles,
            cycle=self.cycle[rows],
            leaders=self.leaders,
            leader=self.leader[rows],
            units=self.units,
            unit=self.unit[rows],
            professions=self.professions,
            profession=self.profession[rows],
            items=self.items[rows],
            burnout=self.burnout[rows],
            satisfaction=self.satisfaction[rows],
        )


def normalise_unit(*, path: str) -> str | None:
    """`Trust A / Surgery` -> `Trust A/Surgery`; None when a segment is empty."""
    parts = [p.strip() for p in str(path).split("/")]
    if not parts or any(not p for p in parts):
        return None
    return "/".join(parts)


# A path that normalise_unit would change or refuse: a blank around a "/" (\s is exactly what
# str.strip removes), an empty segment, or nothing at all.
_UNTIDY_PATH = re.compile(r"\s/|/\s|//|^/|/$|^$")


class _Lookup:
    """A growing mapping of distinct keys to positions 0, 1, ..., looked up a chunk's distinct
    values at a time through a pandas hash index (no Python loop per value)."""

    def __init__(self) -> None:
        self.keys: list[Any] = []
        self.index: pd.Index | None = None  # over self.keys; built when the next chunk needs it

    def positions(
        self, keys: np.ndarray, *, distinct: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Position of each key, adding the new ones; and where the keys not seen before are.
        `distinct`: the keys are known to differ from each other (a chunk's uniques)."""
        if not self.keys:  # the first chunk: every key is new
            pos = np.full(len(keys), -1, dtype=np.int64)
        else:
            if self.index is None:
                self.index = pd.Index(self.keys, dtype=object)
            pos = self.index.get_indexer(keys)
        new = np.flatnonzero(pos < 0)
        if len(new):
            if distinct:
                which, added = np.arange(len(new)), keys[new]
            else:  # a new key may come twice
                which, added = pd.factorize(keys[new])
            pos[new] = len(self.keys) + which
            self.keys.extend(np.asarray(added, dtype=object).tolist())
            self.index = None
        return pos, new


class _Codes:
    """Grows a string -> code mapping across chunks."""

    def __init__(self) -> None:
        self.lookup = _Lookup()

    @property
    def names(self) -> list[str]:
        return self.lookup.keys

    def encode(self, codes: np.ndarray, names: np.ndarray) -> np.ndarray:
        """Chunk-local codes with their names (two raw values may clean to one) -> global codes."""
        table, _ = self.lookup.positions(names)
        out: np.ndarray = table.astype(np.int32)[codes]
        return out


def table_from_rows(
    *, rows: Iterable[Mapping[str, Any]], instrument: Instrument | None = None
) -> ResponseTable:
    """A ResponseTable from plain dicts keyed by the CSV header (None or "" = missing)."""
    instrument = instrument or default_instrument()
    rows = list(rows)
    numeric = instrument.item_ids + (instrument.burnout.id, instrument.satisfaction.id)
    frame = {c: np.array([str(r.get(c) or "") for r in rows], dtype=object) for c in TEXT_COLUMNS}
    for c in numeric:
        frame[c] = np.array(
            [np.nan if r.get(c) in (None, "") else float(r[c]) for r in rows], dtype=float
        )
    builder = _Builder(instrument)
    problems = builder.add(pd.DataFrame(frame), first_row=2)
    if problems:
        header = instrument.csv_header
        lines = [f"row {r}, column {header[c]}: {why}" for r, c, why in problems[:MAX_PROBLEMS]]
        raise CsvFormatError("rows", lines, len(problems) > MAX_PROBLEMS)
    return builder.table()


class _Builder:
    def __init__(self, instrument: Instrument):
        self.instrument = instrument
        self.codes = {c: _Codes() for c in TEXT_COLUMNS}
        # raw text -> cleaned, kept across chunks: the raw values' positions, their cleaned names
        self.raw = {c: _Lookup() for c in TEXT_COLUMNS}
        self.cleaned: dict[str, list[str]] = {c: [] for c in TEXT_COLUMNS}
        self.parts: list[dict[str, np.ndarray]] = []
        self.numeric = instrument.item_ids + (instrument.burnout.id, instrument.satisfaction.id)
        lo, hi = instrument.scale_min, instrument.scale_max
        self.ranges = {i: (lo, hi) for i in instrument.item_ids}
        for w in instrument.wellbeing:
            self.ranges[w.id] = (w.options[0].value, w.options[-1].value)

    def add(self, df: pd.DataFrame, *, first_row: int) -> list[tuple[int, int, str]]:
        """Validate and store one chunk; returns its problems as (row, column position, text)."""
        header = self.instrument.csv_header
        problems: list[tuple[int, int, str]] = []
        rownum = np.arange(first_row, first_row + len(df))

        def flag(mask: np.ndarray, col: str, reason_of: Callable[[int], str]) -> None:
            for r in np.nonzero(mask)[0][:MAX_PROBLEMS]:
                problems.append((int(rownum[r]), header.index(col), reason_of(r)))

        # Text columns are checked and cleaned once per distinct value, not per row.
        text = {}
        for col in TEXT_COLUMNS:
            codes, uniques = pd.factorize(df[col].to_numpy(), use_na_sentinel=True)
            uniques = np.asarray(uniques, dtype=object)
            pos, new = self.raw[col].positions(uniques, distinct=True)
            cleaned = self.cleaned[col]
            names_new = [str(u).strip() for u in uniques[new].tolist()]
            if col == "unit":  # most paths are tidy already: only the others are split
                names_new = [
                    (normalise_unit(path=n) or "") if _UNTIDY_PATH.search(n) else n
                    for n in names_new
                ]
            cleaned.extend(names_new)
            names = np.array(cleaned, dtype=object)[pos] if len(pos) else np.array([], dtype=object)
            text[col] = (codes, names)
            if col == "profession":
                continue
            empty = np.append(names == "", True)  # last: NaN (sentinel -1)
            bad = empty[codes]
            if bad.any():
                raw_empty = np.array([not str(u).strip() for u in uniques] + [True])
                if col == "unit":
                    flag(bad & raw_empty[codes], col, lambda r: "unit is empty")
                    flag(bad & ~raw_empty[codes], col, lambda r: "a unit path segment is empty")
                else:
                    flag(bad, col, lambda r: f"{col} is empty")  # noqa: B023  (flag calls it now)
        values = {}
        for col in self.numeric:
            raw = df[col]
            if not is_numeric_dtype(raw):  # read as text: find what is not a number
                cells = raw.fillna("").astype(str).str.strip()
                num = pd.to_numeric(cells.where(cells != ""), errors="coerce").to_numpy(float)
                bad = ((cells != "").to_numpy()) & np.isnan(num)
                flag(bad, col, lambda r: f"{cells.iloc[r]!r} is not a whole number")  # noqa: B023
            else:
                num = raw.to_numpy(float)
            lo, hi = self.ranges[col]
            present = ~np.isnan(num)
            frac = present & (num != np.round(num))
            flag(frac, col, lambda r: f"{num[r]:g} is not a whole number")  # noqa: B023
            out = present & ~frac & ((num < lo) | (num > hi))
            flag(out, col, lambda r: f"{num[r]:g} is out of range {lo}-{hi}")  # noqa: B023
            values[col] = np.where(present & ~frac & ~out, num, 0).astype(np.int8)
        if problems:
            return sorted(problems)
        part = {c: self.codes[c].encode(*text[c]) for c in TEXT_COLUMNS}
        part["items"] = np.column_stack([values[c] for c in self.instrument.item_ids])
        part["burnout"] = values[self.instrument.burnout.id]
        part["satisfaction"] = values[self.instrument.satisfaction.id]
        self.parts.append(part)
        return []

    def table(self) -> ResponseTable:
        def cat(key: str, dtype: type) -> np.ndarray:
            arrays = [p[key] for p in self.parts]
            if arrays:
                return np.concatenate(arrays).astype(dtype, copy=False)
            width = (0, self.instrument.n_items) if key == "items" else 0
            return np.zeros(width, dtype=dtype)

        return ResponseTable(
            instrument=self.instrument,
            cycles=self.codes["cycle"].names,
            cycle=cat("cycle", np.int32),
            leaders=self.codes["leader_id"].names,
            leader=cat("leader_id", np.int32),
            units=self.codes["unit"].names,
            unit=cat("unit", np.int32),
            professions=self.codes["profession"].names,
            profession=cat("profession", np.int32),
            items=cat("items", np.int8),
            burnout=cat("burnout", np.int8),
            satisfaction=cat("satisfaction", np.int8),
        )



def read_responses(
    *,
    path: str | os.PathLike[str],
    instrument: Instrument | None = None,
    progress: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    extra: Sequence[str] = (),
) -> ResponseTable:
    """Read and validate the analyst CSV. Raises CsvFormatError listing up to 20 problems.

    ``extra``: text columns the header carries after the instrument's (an analyst's age band
    and sex, for adjustment); they are checked for the field count only and read with
    :func:`read_extra_columns`, never into the table."""
    instrument = instrument or default_instrument()
    check_header(path, instrument, extra)
    try:
        return _read(path, instrument, progress, chunk_rows, as_text=False, extra=extra)
    except _NotNumeric:
        return _read(path, instrument, progress, chunk_rows, as_text=True, extra=extra)


def read_extra_columns(
    *, path: str | os.PathLike[str], columns: Sequence[str]
) -> dict[str, np.ndarray]:
    """The named text columns, one value per response in file order (blank: not stated), for a
    file :func:`read_responses` has accepted with them as ``extra``."""
    frame = pd.read_csv(path, usecols=list(columns), dtype=str, keep_default_na=False,
                        encoding="utf-8-sig", skip_blank_lines=False)  # fmt: skip
    return {c: frame[c].str.strip().to_numpy(dtype=object) for c in columns}


class _NotNumeric(Exception):
    pass


def _chunks(reader: Iterable[pd.DataFrame], as_text: bool) -> Iterator[pd.DataFrame]:
    """The reader's chunks; a cell that is not a number in a float column ends the fast path."""
    chunks = iter(reader)
    while True:
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        except pd.errors.ParserError:
            raise
        except ValueError as exc:
            if as_text:
                raise
            raise _NotNumeric(str(exc)) from None
        yield chunk


def _read(
    path: str | os.PathLike[str],
    instrument: Instrument,
    progress: bool,
    chunk_rows: int,
    *,
    as_text: bool,
    extra: Sequence[str] = (),
) -> ResponseTable:
    header = list(instrument.csv_header)
    numeric = header[len(TEXT_COLUMNS) :]
    header += list(extra)
    if as_text:
        dtype: dict[str, Any] = dict.fromkeys(header, str)
        na_values = None
    else:
        dtype = {**dict.fromkeys(TEXT_COLUMNS, str), **dict.fromkeys(numeric, "float64"),
                 **dict.fromkeys(extra, str)}  # fmt: skip
        na_values = {c: [""] for c in numeric}
    builder = _Builder(instrument)
    problems: list[tuple[int, int, str]] = []
    bar = None
    checking = None
    if progress:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=os.path.getsize(path), unit="B", unit_scale=True, desc=str(path))
    try:
        with open(path, "rb") as raw:
            checking = CheckingReader(raw, bar, len(header))
            reader = pd.read_csv(
                checking,
                header=None,
                skiprows=1,
                names=header,
                dtype=dtype,
                keep_default_na=False,
                na_values=na_values,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                chunksize=chunk_rows,
            )
            first_row = 2
            for chunk in _chunks(reader, as_text):
                problems.extend(builder.add(chunk, first_row=first_row))
                first_row += len(chunk)
                if len(problems) > MAX_PROBLEMS:
                    break
    except pd.errors.ParserError as exc:
        m = FIELDS_RE.search(str(exc))
        if not m:
            raise CsvFormatError(path, [f"cannot parse: {exc}"]) from None
        problems.append((int(m.group(2)), -1, f"expected {m.group(1)} fields, found {m.group(3)}"))
    except UnicodeDecodeError as exc:
        raise CsvFormatError(path, [f"not UTF-8 text near byte {exc.start}"]) from None
    finally:
        if bar is not None:
            bar.close()
    for record, found in checking.short if checking else ():
        problems.append((record, -1, f"expected {len(header)} fields, found {found}"))
    if problems:
        problems.sort()
        lines = [
            f"row {r}, column {header[c]}: {reason}"
            if "fields" not in reason
            else f"row {r}: {reason}"
            for r, c, reason in problems[:MAX_PROBLEMS]
        ]
        raise CsvFormatError(path, lines, len(problems) > MAX_PROBLEMS)
    return builder.table()
