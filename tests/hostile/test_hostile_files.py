"""Files a careless or hostile user might upload: each is refused with its row named, within
seconds of CPU and well under 1.5 GB, never with a traceback; or (a leap day) simply works."""

import pytest

from clinlead.org.hr_format import COLUMN_NAMES, read_rows
from tests.hostile.files import REPO, run_bounded, sheet_claiming_xlsx, xlsx_with_dimension

CEILING_MB = 1536


def _refused_quickly(tmp_path, reader_code, content, filename):
    path = tmp_path / filename
    path.write_bytes(content)
    code, output, seconds, peak = run_bounded(reader_code.replace("PATH", str(path)))
    assert code == 0, output
    assert "REFUSED:" in output and "Traceback" not in output, output
    assert seconds < 20 and peak < CEILING_MB, (seconds, peak)
    return output.split("REFUSED:", 1)[1].split("PEAK_MB")[0].strip()


READ_FIGURES = """
    from clinlead.analytics.metric_series import MetricSeriesError, read_metric_series
    try:
        read_metric_series(path="PATH")
    except MetricSeriesError as exc:
        print("REFUSED:", exc)
"""
READ_HR = """
    import django, os
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinlead.settings"
    django.setup()
    from datetime import date
    from clinlead.org.hr_format import HrFileError, parse_extract, read_rows
    try:
        rows = read_rows(path=__import__("pathlib").Path("PATH"))
        extract = parse_extract(rows, known_organisations={"northgate"}, today=date(2028, 2, 29))
        print("REFUSED:", "; ".join(str(p) for p in extract.problems) or "nothing")
    except HrFileError as exc:
        print("REFUSED:", exc)
"""


def test_a_workbook_claiming_a_whole_sheet_is_refused_by_the_evaluation_import(tmp_path):
    reason = _refused_quickly(tmp_path, READ_FIGURES, sheet_claiming_xlsx(), "figures.xlsx")
    assert "more than 200,000 rows" in reason


def test_a_workbook_claiming_a_whole_sheet_is_refused_by_the_hr_import(tmp_path):
    reason = _refused_quickly(tmp_path, READ_HR, sheet_claiming_xlsx(COLUMN_NAMES), "extract.xlsx")
    assert "more than 200,000 rows" in reason


def test_a_200_kb_field_is_refused_naming_its_row(tmp_path):
    content = (
        'organisation,period,metric,value\nTrust A,2025-01,hsmr,1\nTrust A,2025-02,hsmr,"'
        + "9" * 200_000
        + '"\n'
    ).encode()
    assert "row 3: a cell is longer than 10,000 characters" in _refused_quickly(
        tmp_path, READ_FIGURES, content, "figures.csv"
    )
    hr = (
        "organisation,staff_number,first_name,last_name,profession,unit_path\n"
        "northgate,1,Ann,Lee,nurse,Surgery\nnorthgate,2," + "A" * 200_000 + ",Lee,nurse,Surgery\n"
    ).encode()
    assert "row 3: a cell is longer than 10,000 characters" in _refused_quickly(
        tmp_path, READ_HR, hr, "extract.csv"
    )


@pytest.mark.parametrize("claimed", ["A1:F3", "A1:A1"])
def test_xlsx_rows_past_the_dimension_tag_are_read_not_dropped(claimed):
    header = ["organisation", "staff_number", "first_name", "last_name", "profession", "unit_path"]
    rows = [header, *[["northgate", str(i), "Ann", "Lee", "nurse", "Surgery"] for i in range(20)]]
    read = read_rows(content=xlsx_with_dimension(rows, claimed), filename="extract.xlsx")
    assert [(number, cells["staff_number"]) for number, cells in read] == [
        (i + 2, str(i)) for i in range(20)
    ]


def test_a_ballot_weight_of_10_to_the_38_is_refused_by_clinlead_count(tmp_path):
    path = tmp_path / "absurd.blt"
    path.write_text("2 1\n" + str(10**38) + ' 1 0\n1 2 0\n0\n"A"\n"B"\n"Absurd"\n')
    code, output, seconds, _ = run_bounded(f"""
        import subprocess, sys
        done = subprocess.run(
            [sys.executable, "-m", "clinlead", "count", {str(path)!r}], capture_output=True,
            text=True, env={{"PYTHONPATH": {str(REPO)!r}, "PATH": "/usr/bin:/bin"}})
        print(done.returncode, done.stdout, done.stderr)
    """)
    assert code == 0 and "Traceback" not in output, output
    assert "line 2: ballot count" in output and "is too large" in output
