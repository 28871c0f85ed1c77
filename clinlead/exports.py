"""Exports people open in a spreadsheet: Excel workbooks and CSV files.

Every text cell of every export goes through `spreadsheet_text` (CSV) or `_write_cell` (Excel)
so that a name typed as `=HYPERLINK(...)`, `+1+1`, `-2+3`, `@SUM(...)` or beginning with a tab
or carriage return is shown as the text it is, never run as a formula (OWASP's "CSV injection").
In CSV the value is prefixed with an apostrophe, as OWASP advises; in Excel the cell is stored as
text and marked "quote prefix", so it looks unchanged but Excel will not evaluate it even when
the cell is edited.
"""

import csv
import io

from django.http import HttpResponse

from clinlead.tabular import FORMULA_START

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def looks_like_formula(value) -> bool:
    # Leading spaces and line breaks are skipped by some spreadsheet imports before the "=".
    return (
        isinstance(value, str)
        and value.lstrip(" \n")[:1] in FORMULA_START
        and value.strip(" \n") != ""
    )


def spreadsheet_text(value):
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + value if looks_like_formula(value) else value


class SafeCsvWriter:
    """csv.writer whose every row goes through `spreadsheet_text`."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_text(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def _write_cell(sheet, row, column, value):
    cell = sheet.cell(row=row, column=column, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def workbook_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """sheets: {sheet title: (header, rows)}."""
    # Imported here: the URLs import this module in every process, and openpyxl takes a tenth of
    # a second or more to import; only a process that writes a workbook pays for it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title[:31])
        for number, values in enumerate([header, *rows], start=1):
            for column, value in enumerate(values, start=1):
                cell = _write_cell(sheet, number, column, value)
                if number == 1:
                    cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(*, sheets, filename: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
