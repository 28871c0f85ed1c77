import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinlead.analytics.periods import (
    DATE,
    MONTH,
    QUARTER,
    PeriodError,
    granularity_of,
    parse_period,
    parse_periods,
    relative_period,
)


@pytest.mark.parametrize(
    ("text", "granularity", "label"),
    [
        ("2025-01", MONTH, "2025-01"),
        (" 2025-12 ", MONTH, "2025-12"),
        ("2025-Q1", QUARTER, "2025-Q1"),
        ("2025-q4", QUARTER, "2025-Q4"),
        ("2025-01-15", DATE, "2025-01-15"),
        ("2024-02-29", DATE, "2024-02-29"),
    ],
)
def test_the_three_formats_are_read_to_a_canonical_label(text, granularity, label):
    period = parse_period(text=text)
    assert (period.granularity, period.label) == (granularity, label)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2025-13", "month must be 01 to 12"),
        ("2025-00", "month must be 01 to 12"),
        ("2025-Q5", "is not a period"),
        ("2025-02-30", "not a valid date"),
        ("2023-02-29", "not a valid date"),
        ("2025-1", "is not a period"),
        ("Jan 2025", "is not a period"),
        ("01/02/2025", "is not a period"),
        ("", "blank period"),
    ],
)
def test_a_bad_period_is_refused_with_the_reason_and_the_formats_expected(text, says):
    with pytest.raises(PeriodError, match=says):
        parse_period(text=text)


def test_an_unrecognised_period_says_which_formats_are_expected():
    with pytest.raises(PeriodError) as caught:
        parse_period(text="March 2025")
    assert "use 2025-01 (month), 2025-Q1 (quarter) or 2025-01-15 (date)" in str(caught.value)


def test_a_series_must_use_one_granularity():
    assert granularity_of(periods=parse_periods(texts=["2025-01", "2025-02"])) == MONTH
    with pytest.raises(PeriodError, match=r"mix granularities: month \(2025-01\), quarter"):
        parse_periods(texts=["2025-01", "2025-Q1", "2025-02"])


def test_periods_of_one_granularity_order_by_time_and_mixed_ones_refuse_to():
    months = [parse_period(text=t) for t in ("2025-02", "2024-12", "2025-01")]
    assert [p.label for p in sorted(months)] == ["2024-12", "2025-01", "2025-02"]
    assert parse_period(text="2025-01") == parse_period(text="2025-01")
    with pytest.raises(PeriodError, match="cannot compare month '2025-01' with quarter"):
        _ = parse_period(text="2025-01") < parse_period(text="2025-Q1")


def test_months_and_quarters_count_calendar_steps_across_year_ends():
    start = parse_period(text="2024-11")
    assert relative_period(period=parse_period(text="2025-02"), start=start) == 3
    assert relative_period(period=parse_period(text="2024-10"), start=start) == -1
    assert relative_period(period=start, start=start) == 0
    quarter = parse_period(text="2024-Q4")
    assert relative_period(period=parse_period(text="2025-Q2"), start=quarter) == 2


def test_dates_count_positions_in_the_series_calendar():
    calendar = [parse_period(text=t) for t in ("2025-01-06", "2025-01-13", "2025-01-27")]
    start = parse_period(text="2025-01-13")
    assert [relative_period(period=p, start=start, calendar=calendar) for p in calendar] == [
        -1,
        0,
        1,
    ]
    # A start between two observed dates makes the next observed date period 0.
    between = parse_period(text="2025-01-20")
    assert relative_period(period=calendar[2], start=between, calendar=calendar) == 0
    assert relative_period(period=calendar[1], start=between, calendar=calendar) == -1
    with pytest.raises(PeriodError, match="need the series' calendar"):
        relative_period(period=calendar[2], start=start)


def test_relative_period_refuses_a_start_of_another_granularity():
    with pytest.raises(PeriodError, match="is a month but start '2025-Q1' is a quarter"):
        relative_period(period=parse_period(text="2025-01"), start=parse_period(text="2025-Q1"))


def test_shifting_crosses_year_ends_and_dates_cannot_shift():
    assert parse_period(text="2024-11").shifted(steps=3).label == "2025-02"
    assert parse_period(text="2025-01").shifted(steps=-1).label == "2024-12"
    assert parse_period(text="2024-Q4").shifted(steps=1).label == "2025-Q1"
    with pytest.raises(PeriodError, match="dates have no fixed step"):
        parse_period(text="2025-01-15").shifted(steps=1)


@given(
    year=st.integers(1900, 2200),
    month=st.integers(1, 12),
    steps=st.integers(-600, 600),
    quarterly=st.booleans(),
)
def test_shifting_by_n_steps_is_n_periods_later(year, month, steps, quarterly):
    text = f"{year}-Q{(month - 1) // 3 + 1}" if quarterly else f"{year}-{month:02d}"
    start = parse_period(text=text)
    later = start.shifted(steps=steps)
    assert relative_period(period=later, start=start) == steps
    assert parse_period(text=later.label) == later
