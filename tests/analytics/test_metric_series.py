from datetime import datetime

import pytest
from openpyxl import Workbook

from clinlead.analytics.metric_series import (
    MetricSeriesError,
    Problem,
    metric_series_from_records,
    parse_metric_rows,
    read_metric_series,
    usable_exposure,
)

HEADER = ["organisation", "period", "metric", "value"]
# Rows 2..8 as a person would see them in the file; rows 3, 4, 6 and 7 are wrong.
ROWS = [
    ["Trust A", "2025-01", "hsmr", "101.5"],
    ["Trust A", "2025-02", "hsmr", "abc"],
    ["Trust B", "2025-13", "hsmr", ""],
    ["Trust B", "2025-01", "hsmr", "99"],
    ["Trust B", "2025-01", "hsmr", "98"],
    ["Trust C", "2025-Q1", "hsmr", "97"],
    ["Trust C", "2025-Q1", "turnover_pct", "11.2"],
]
EXPECTED = [
    Problem(3, "value", "abc", "not a number"),
    Problem(4, "period", "2025-13", "'2025-13' is not a valid month: month must be 01 to 12"),
    Problem(4, "value", "", "blank value"),
    Problem(
        6,
        "",
        "",
        "duplicate of row 5 (same organisation 'Trust B', period '2025-01', metric 'hsmr')",
    ),
    Problem(
        7,
        "period",
        "2025-Q1",
        "metric 'hsmr' uses months (like 2025-01) from row 2; use one granularity per metric",
    ),
]


def write_csv(path, rows, header=HEADER):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path, rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def problems_of(path):
    with pytest.raises(MetricSeriesError) as caught:
        read_metric_series(path=path)
    return caught.value


def test_a_clean_csv_is_read_with_canonical_periods_and_float_values(tmp_path):
    path = write_csv(
        tmp_path / "ok.csv",
        [["Trust A", "2025-01", "hsmr", "101.5"], ["Trust B", "2025-q1", "turnover_pct", "11"]],
    )
    series = read_metric_series(path=path)
    assert series.metrics() == ["hsmr", "turnover_pct"]
    assert series.granularity(metric="turnover_pct") == "quarter"
    frame = series.to_frame(metric="turnover_pct")
    assert frame.to_dict("records") == [
        {
            "organisation": "Trust B",
            "period": "2025-Q1",
            "metric": "turnover_pct",
            "value": 11.0,
            "row": 3,
        }
    ]


def test_every_bad_csv_row_is_reported_with_its_row_number_and_nothing_is_read(tmp_path):
    error = problems_of(write_csv(tmp_path / "bad.csv", ROWS))
    assert error.problems == EXPECTED
    message = str(error)
    assert message.startswith("bad.csv: 5 problems found, nothing was read:")
    assert "row 3, column 'value', value 'abc': not a number" in message
    assert "row 4, column 'value': blank value" in message


def test_an_xlsx_file_reports_the_same_problems_at_the_same_rows(tmp_path):
    error = problems_of(write_xlsx(tmp_path / "bad.xlsx", ROWS))
    assert error.problems == EXPECTED


def test_xlsx_numbers_and_dates_are_read_as_a_person_typed_them(tmp_path):
    path = write_xlsx(
        tmp_path / "ok.xlsx",
        [
            ["Trust A", datetime(2025, 1, 15), "hsmr", 101.5],
            ["Trust A", datetime(2025, 2, 15), "hsmr", 100],
            [None, None, None, None],  # an empty row in the sheet is skipped
            ["Trust B", "2025-01-15", "hsmr", "99.5"],
        ],
    )
    series = read_metric_series(path=path)
    assert [(o.period.label, o.value, o.row) for o in series.observations] == [
        ("2025-01-15", 101.5, 2),
        ("2025-02-15", 100.0, 3),
        ("2025-01-15", 99.5, 5),
    ]


def test_an_excel_true_or_false_is_not_a_number(tmp_path):
    error = problems_of(write_xlsx(tmp_path / "bool.xlsx", [["Trust A", "2025-01", "hsmr", True]]))
    assert error.problems == [Problem(2, "value", "True", "not a number")]


def test_blank_lines_are_skipped_but_still_counted_in_row_numbers(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        "organisation,period,metric,value\nTrust A,2025-01,hsmr,1\n\nTrust A,2025-02,hsmr,x\n",
        encoding="utf-8",
    )
    assert problems_of(path).problems == [Problem(4, "value", "x", "not a number")]


def test_a_byte_order_mark_from_excel_csv_export_is_ignored(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        "organisation,period,metric,value\nTrust A,2025-01,hsmr,1\n".encode("utf-8-sig")
    )
    assert read_metric_series(path=path).organisations() == ["Trust A"]


def test_header_problems_are_reported_on_row_1(tmp_path):
    path = write_csv(tmp_path / "head.csv", [["A", "2025-01", "x", "1"]], header=[
        "organisation", "month", "metric", "value"
    ])  # fmt: skip
    assert problems_of(path).problems == [
        Problem(1, "month", "month", "unexpected column; expected organisation, period, metric, value (and optionally exposure)"),
        Problem(1, "period", "", "missing column in the header"),
    ]  # fmt: skip


def test_header_columns_may_come_in_any_order_and_any_case(tmp_path):
    path = write_csv(
        tmp_path / "order.csv", [["1.5", "hsmr", "2025-01", "A"]], header=["Value", "METRIC", "period", "Organisation"]
    )  # fmt: skip
    (observation,) = read_metric_series(path=path).observations
    assert (observation.organisation, observation.value) == ("A", 1.5)


def test_a_row_with_the_wrong_number_of_fields_is_reported(tmp_path):
    path = write_csv(
        tmp_path / "short.csv", [["A", "2025-01", "hsmr"], ["A", "2025-02", "hsmr", "1", "2"]]
    )
    assert problems_of(path).problems == [
        Problem(2, "", "", "expected 4 fields, found 3"),
        Problem(3, "", "", "expected 4 fields, found 5"),
    ]  # fmt: skip


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_values_must_be_finite_numbers(tmp_path, value):
    path = write_csv(tmp_path / "nan.csv", [["A", "2025-01", "hsmr", value]])
    assert problems_of(path).problems == [Problem(2, "value", value, "not a finite number")]


def test_blank_organisation_and_metric_are_named(tmp_path):
    path = write_csv(tmp_path / "blank.csv", [[" ", "2025-01", "", "1"]])
    assert problems_of(path).problems == [
        Problem(2, "organisation", "", "blank organisation"),
        Problem(2, "metric", "", "blank metric"),
    ]


def test_different_metrics_may_use_different_granularities(tmp_path):
    path = write_csv(
        tmp_path / "mixed.csv", [["A", "2025-01", "hsmr", "1"], ["A", "2025-Q1", "turnover_pct", "2"]]
    )  # fmt: skip
    assert read_metric_series(path=path).granularity(metric="hsmr") == "month"


def test_a_long_list_of_problems_is_shortened_but_counted(tmp_path):
    rows = [["A", f"{2000 + i // 12}-{i % 12 + 1:02d}", "hsmr", "?"] for i in range(60)]
    error = problems_of(write_csv(tmp_path / "many.csv", rows))
    assert len(error.problems) == 60
    assert str(error).endswith("... and 10 more")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("data.txt", "x", "unsupported file type '.txt': use .csv or .xlsx"),
        ("empty.csv", "", "the file is empty"),
        ("header.csv", "organisation,period,metric,value\n", "header but no data rows"),
        ("fake.xlsx", "not a zip", "not a readable .xlsx file"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert says in str(problems_of(path))


def test_a_missing_file_is_refused(tmp_path):
    assert "file not found" in str(problems_of(tmp_path / "nowhere.csv"))


def test_text_that_is_not_utf8_is_refused_with_advice(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "organisation,period,metric,value\nSt Mary\xe9,2025-01,hsmr,1\n".encode("latin-1")
    )
    assert "save the file as CSV UTF-8" in str(problems_of(path))


def test_records_in_memory_are_validated_like_a_file():
    with pytest.raises(MetricSeriesError) as caught:
        metric_series_from_records(
            records=[
                {"organisation": "A", "period": "2025-01", "metric": "hsmr", "value": 1.0},
                {"organisation": "A", "period": "2025-02", "metric": "hsmr", "value": None},
            ]
        )
    assert caught.value.problems == [Problem(3, "value", "", "blank value")]


# --------------------------------------------------------------------------- exposure

EXPOSURE_ROWS = [
    ["organisation", "period", "metric", "value", "exposure"],
    ["Trust A", "2025-01", "hsmr", "12", "10.5"],
    ["Trust A", "2025-02", "hsmr", "9", ""],
    ["Trust B", "2025-01", "hsmr", "11", "0"],
    ["Trust B", "2025-02", "hsmr", "7", "-3"],
    ["Trust C", "2025-01", "hsmr", "8", "many"],
    ["Trust C", "2025-02", "turnover_pct", "11.2", "400"],
    ["Trust D", "2025-01", "hsmr", "-1", "12"],
]


def _parse(rows):
    return parse_metric_rows(rows=enumerate(rows, start=1), source="figures.csv")


def test_exposure_is_optional_and_a_blank_one_is_none():
    series = _parse(EXPOSURE_ROWS[:3])
    assert [o.exposure for o in series.observations] == [10.5, None]
    records = metric_series_from_records(records=[dict(zip(HEADER, ROWS[0], strict=True))])
    assert records.observations[0].exposure is None


def test_a_bad_exposure_names_its_row_column_and_reason():
    with pytest.raises(MetricSeriesError) as error:
        _parse(EXPOSURE_ROWS)
    found = [(p.row, p.column, p.value) for p in error.value.problems]
    assert found == [(4, "exposure", "0"), (5, "exposure", "-3"), (6, "exposure", "many"),
                     (7, "exposure", "400"), (8, "value", "-1")]
    reasons = [p.reason for p in error.value.problems]
    assert reasons[0] == reasons[1] == "exposure is zero or negative: an exposure must be above zero"
    assert reasons[2] == "exposure is not a number"
    assert reasons[3].startswith("metric 'turnover_pct' is not a count per exposure")
    assert reasons[4] == "negative: with an exposure the value is a count"


def test_the_analysis_takes_exposure_only_when_every_figure_has_it():
    every = _parse(EXPOSURE_ROWS[:2]).to_frame(metric="hsmr")
    data, caveat = usable_exposure(frame=every)
    assert data["exposure"].tolist() == [10.5] and caveat.startswith("Every figure has an exposure")
    some = _parse(EXPOSURE_ROWS[:3]).to_frame(metric="hsmr")
    data, caveat = usable_exposure(frame=some)
    assert "exposure" not in data and caveat.startswith("1 of 2 figures have no exposure")
    none = _parse([row[:4] for row in EXPOSURE_ROWS[:3]]).to_frame(metric="hsmr")
    data, caveat = usable_exposure(frame=none)
    assert "exposure" not in data and caveat == ""
