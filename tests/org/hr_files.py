"""HR extracts for tests, made by the demo generator as the docs' example is."""

import csv
import io

from clinlead.org.demo import DemoGenerator
from clinlead.org.hr_format import COLUMN_NAMES


def extract_rows(*, staff=1000, seed=5, organisation="northgate"):
    """One generated trust's staff, renamed to `organisation`; leaders all inside the file."""
    generator = DemoGenerator(staff=staff * 100 // 40, seed=seed).build()
    return [dict(r, organisation=organisation) for r in generator.extract_rows() if r["organisation"] == "northgate"]


def to_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def to_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(COLUMN_NAMES)
    for row in rows:
        sheet.append([row[c] for c in COLUMN_NAMES])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def imported_extract(organisation, *, effective, staff=100):
    """A small trust's extract, already imported (as a partial update) on `effective`: its rows."""
    from clinlead.org.hr_import import import_hr_extract

    rows = extract_rows(staff=staff, organisation=organisation.slug)
    result = import_hr_extract(actor=None, content=to_csv(rows), filename="first.csv", dry_run=False,
                               effective=effective)
    assert result.ok, result.problems[:3]
    return rows
