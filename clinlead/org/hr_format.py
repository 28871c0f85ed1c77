"""The HR extract format: reading CSV or Excel and checking every row before anything is written.

The columns are documented in docs/hr-import.md; `COLUMNS` is the single source of that list.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from clinlead.org.models import Person, Profession, Site, Unit
from clinlead.org.special_category import ETHNIC_GROUPS, Gender
from clinlead.tabular import TableError, parse_iso_date, read_table, text_problem


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
EARLIEST_START = date(1900, 1, 1)


def _length(model, name):
    return model._meta.get_field(name).max_length


# Free-text columns: the database column's length, and whether the value is a name (a name may
# not begin like a spreadsheet formula). Identifiers are checked for control characters only.
TEXT_COLUMNS = {
    "staff_number": (_length(Person, "staff_number"), False),
    "first_name": (_length(Person, "first_name"), True),
    "last_name": (_length(Person, "last_name"), True),
    "work_email": (_length(Person, "work_email"), False),
    "grade": (_length(Person, "grade"), True),
    "site": (_length(Site, "code"), True),
    "unit_path": (_length(Unit, "path"), False),
    "leader_staff_number": (_length(Person, "staff_number"), False),
}
UNIT_NAME_LENGTH = _length(Unit, "name")


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
    # (organisation, staff number) of rows refused for their own problems: they are still in
    # the file, so their reports are not "missing a leader" as well.
    refused: set[tuple[str, str]] = field(default_factory=set)

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
    """Yield (row_number, {column: text}) from a CSV or .xlsx file; the header is row 1.

    The file is read within clinlead.tabular's bounds (size, rows, columns, cell length)."""
    name = filename or (path.name if path else "")
    if content is None:
        content = Path(path).read_bytes()
    try:
        table = read_table(content=content, filename=name)
        header = _check_header(table.header)
        for number, cells in table.rows():
            yield number, dict(zip(header, cells, strict=True))
    except TableError as exc:
        raise HrFileError(str(exc)) from None


def _check_header(header):
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise HrFileError("row 1: missing required column(s): " + ", ".join(missing))
    unknown = [h for h in header if h and h not in COLUMN_NAMES]
    if unknown:
        raise HrFileError("row 1: unknown column(s): " + ", ".join(unknown))
    return header


def parse_extract(rows, *, known_organisations: set[str], today: date) -> HrExtract:
    """Check every row; collect all problems. Cross-row checks run after the last row."""
    extract = HrExtract()
    seen = {}
    for number, cells in rows:
        row = _parse_row(number, cells, extract, known_organisations, today)
        if row is None:
            extract.refused.add((cells.get("organisation", ""), cells.get("staff_number", "")))
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
        # A start date up to a year (366 days: 29 February has no twin) after the effective date.
        start, reason = parse_iso_date(cells["start_date"], earliest=EARLIEST_START,
                                       latest=min(today, date.max - timedelta(days=366)) + timedelta(days=366))
        if reason:
            problem("start_date", reason)
    unit_path = "/".join(part.strip() for part in cells.get("unit_path", "").split("/"))
    if cells.get("unit_path") and any(not part for part in unit_path.split("/")):
        problem("unit_path", "has an empty unit name between slashes")
    for column, allowed in (("gender", GENDER_VALUES), ("ethnicity", ETHNICITY_VALUES)):
        if cells.get(column) and cells[column] not in allowed:
            # The value itself is special-category data: name the row, not the value.
            extract.add_problem(Problem(number, column, "", "is not one of the allowed codes"))
    if cells.get("leader_staff_number") and cells["leader_staff_number"] == cells.get("staff_number"):
        problem("leader_staff_number", "is the person's own staff number")
    for text_column, (limit, is_name) in TEXT_COLUMNS.items():
        reason = text_problem(cells.get(text_column, ""), max_length=limit, name=is_name)
        if reason:
            problem(text_column, reason)
    for part in unit_path.split("/"):
        reason = text_problem(part, max_length=UNIT_NAME_LENGTH)
        if reason and cells.get("unit_path"):
            problem("unit_path", f"a unit name {reason}")
            break
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
