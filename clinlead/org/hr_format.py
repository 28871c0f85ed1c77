"""The HR extract format: reading CSV or Excel and checking every row before anything is written.

The columns are documented in docs/hr-import.md; `COLUMNS` is the single source of that list.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from clinlead.org.models import Profession
from clinlead.org.special_category import ETHNIC_GROUPS, Gender


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str


COLUMNS = [
    Column("organisation", True, "The organisation's short name (slug), e.g. `northgate`."),
    Column("staff_number", True, "The person's staff (assignment) number, unique in the organisation."),
    Column("first_name", True, "Given name."),
    Column("last_name", True, "Family name."),
    Column("work_email", False, "Work e-mail; used to match single sign-on logins and to send invitations."),
    Column("profession", True, "One of: " + ", ".join(f"`{v}`" for v in Profession.values) + "."),
    Column("grade", False, "Pay band or medical grade as HR records it, e.g. `Band 6`, `Consultant`."),
    Column("start_date", False, "First day in the organisation, `YYYY-MM-DD`."),
    Column("site", False, "Code of the hospital the person is based at; created if new."),
    Column("unit_path", True, "The person's unit from the top down, names joined by `/`, e.g. `Surgery/Orthopaedics/Ward 7`."),
    Column("leader_staff_number", False, "Staff number of the person's immediate leader (same organisation)."),
    Column("gender", False, "Special-category. One of: " + ", ".join(f"`{v}`" for v in Gender.values) + "."),
    Column("ethnicity", False, "Special-category. ONS 2021 code, one of: " + ", ".join(f"`{c}`" for c, _, _ in ETHNIC_GROUPS) + "."),
]
COLUMN_NAMES = [c.name for c in COLUMNS]
REQUIRED = [c.name for c in COLUMNS if c.required]

PROFESSION_ALIASES = {v: v for v in Profession.values} | {
    label.lower(): value for value, label in Profession.choices
}
GENDER_VALUES = set(Gender.values)
ETHNICITY_VALUES = {code for code, _, _ in ETHNIC_GROUPS}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_PROBLEMS_LISTED = 500


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str

    def __str__(self):
        shown = f" {self.value!r}" if self.value else ""
        return f"row {self.row}, column {self.column}{shown}: {self.reason}"


@dataclass
class HrRow:
    row: int
    organisation: str
    staff_number: str
    first_name: str
    last_name: str
    work_email: str
    profession: str
    grade: str
    start_date: date | None
    site: str
    unit_path: str
    leader_staff_number: str
    gender: str
    ethnicity: str


@dataclass
class HrExtract:
    rows: list[HrRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0

    @property
    def ok(self):
        return self.total_problems == 0

    def add_problem(self, problem):
        self.total_problems += 1
        if len(self.problems) < MAX_PROBLEMS_LISTED:
            self.problems.append(problem)


class HrFileError(Exception):
    """The file cannot be read at all (wrong type, missing columns)."""


def read_rows(*, path: Path | None = None, content: bytes | None = None, filename: str = ""):
    """Yield (row_number, {column: text}) from a CSV or .xlsx file; the header is row 1."""
    name = (filename or (path.name if path else "")).lower()
    if content is None:
        content = Path(path).read_bytes()
    if name.endswith(".xlsx"):
        yield from _read_xlsx(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        yield from _read_csv(content)
    else:
        raise HrFileError(f"{name or 'the file'}: use a .csv or .xlsx file")


def _check_header(header):
    header = [(h or "").strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise HrFileError("row 1: missing required column(s): " + ", ".join(missing))
    unknown = [h for h in header if h and h not in COLUMN_NAMES]
    if unknown:
        raise HrFileError("row 1: unknown column(s): " + ", ".join(unknown))
    return header


def _read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HrFileError(f"the file is not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _check_header(next(reader))
    except StopIteration:
        raise HrFileError("the file is empty") from None
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        yield reader.line_num, dict(zip(header, (c.strip() for c in cells), strict=False)) | {
            "__extra__": len(cells) > len(header)
        }


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise HrFileError(f"the Excel file cannot be opened: {exc}") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = _check_header([str(h) if h is not None else "" for h in next(rows)])
    except StopIteration:
        raise HrFileError("the first sheet is empty") from None
    for number, values in enumerate(rows, start=2):
        cells = ["" if v is None else _excel_text(v) for v in values]
        if not any(cells):
            continue
        yield number, dict(zip(header, cells, strict=False)) | {"__extra__": False}
    workbook.close()


def _excel_text(value):
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_extract(rows, *, known_organisations: set[str], today: date) -> HrExtract:
    """Check every row; collect all problems. Cross-row checks run after the last row."""
    extract = HrExtract()
    seen = {}
    for number, cells in rows:
        row = _parse_row(number, cells, extract, known_organisations, today)
        if row is None:
            continue
        key = (row.organisation, row.staff_number)
        if key in seen:
            extract.add_problem(
                Problem(number, "staff_number", row.staff_number, f"appears again (first on row {seen[key]})")
            )
            continue
        seen[key] = number
        extract.rows.append(row)
    return extract


def _parse_row(number, cells, extract, known_organisations, today):
    before = extract.total_problems

    def problem(column, reason):
        extract.add_problem(Problem(number, column, cells.get(column, ""), reason))

    if cells.get("__extra__"):
        problem("(row)", "has more cells than the header has columns")
    for name in REQUIRED:
        if not cells.get(name, ""):
            problem(name, "is required")
    organisation = cells.get("organisation", "")
    if organisation and organisation not in known_organisations:
        problem("organisation", "is not an organisation you may import for")
    profession = PROFESSION_ALIASES.get(cells.get("profession", "").lower())
    if cells.get("profession") and profession is None:
        problem("profession", "is not one of " + ", ".join(Profession.values))
    email = cells.get("work_email", "")
    if email and not EMAIL.match(email):
        problem("work_email", "is not an e-mail address")
    start = None
    if cells.get("start_date"):
        try:
            start = date.fromisoformat(cells["start_date"])
        except ValueError:
            problem("start_date", "is not a date in the form YYYY-MM-DD")
        else:
            if start > today.replace(year=today.year + 1):
                problem("start_date", "is more than a year in the future")
    unit_path = "/".join(part.strip() for part in cells.get("unit_path", "").split("/"))
    if cells.get("unit_path") and any(not part for part in unit_path.split("/")):
        problem("unit_path", "has an empty unit name between slashes")
    for column, allowed in (("gender", GENDER_VALUES), ("ethnicity", ETHNICITY_VALUES)):
        if cells.get(column) and cells[column] not in allowed:
            # The value itself is special-category data: name the row, not the value.
            extract.add_problem(Problem(number, column, "", "is not one of the allowed codes"))
    if cells.get("leader_staff_number") and cells["leader_staff_number"] == cells.get("staff_number"):
        problem("leader_staff_number", "is the person's own staff number")
    for text_column, limit in (("first_name", 100), ("last_name", 100), ("grade", 60), ("staff_number", 30)):
        if len(cells.get(text_column, "")) > limit:
            problem(text_column, f"is longer than {limit} characters")
    if extract.total_problems > before:
        return None
    return HrRow(
        row=number,
        organisation=organisation,
        staff_number=cells["staff_number"],
        first_name=cells["first_name"],
        last_name=cells["last_name"],
        work_email=email.lower(),
        profession=profession,
        grade=cells.get("grade", ""),
        start_date=start,
        site=cells.get("site", ""),
        unit_path=unit_path,
        leader_staff_number=cells.get("leader_staff_number", ""),
        gender=cells.get("gender", ""),
        ethnicity=cells.get("ethnicity", ""),
    )
