"""Calendar arithmetic in one place (clinlead.dates): a month later keeps the day of the month or
falls back to the month's last day; terms end the day before the same date years later."""

from datetime import date

import pytest

from clinlead.dates import add_months, add_years, due_on, term_end


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
    (date(2025, 5, 15), 12, date(2026, 5, 15)),
    (date(2025, 1, 15), -13, date(2023, 12, 15)),
    (date(2025, 12, 31), 1, date(2026, 1, 31)),
    (date(2025, 8, 31), 18, date(2027, 2, 28)),
    (date(2025, 6, 30), 0, date(2025, 6, 30)),
])
def test_a_month_later_keeps_the_day_or_falls_back_to_the_months_last_day(day, months, expected):
    assert add_months(day, months) == expected


def test_29_february_becomes_28_february_in_a_year_that_has_none():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2024, 2, 29), -1) == date(2023, 2, 28)


def test_a_four_year_term_ends_the_day_before_the_same_date_four_years_on():
    assert term_end(date(2025, 4, 1), 4) == date(2029, 3, 31)
    assert term_end(date(2025, 1, 1), 1) == date(2025, 12, 31)
    assert term_end(date(2024, 2, 29), 4) == date(2028, 2, 28)
    assert term_end(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert term_end(date(2023, 3, 1), 1) == date(2024, 2, 29)


def test_a_due_date_is_months_after_the_start_moved_on_by_days_paused():
    assert due_on(date(2025, 1, 31), 3) == date(2025, 4, 30)
    assert due_on(date(2025, 1, 31), 3, paused_days=10) == date(2025, 5, 10)


def test_no_app_adds_months_or_years_by_hand():
    """Every app imports these; a second helper (the four there were) would drift."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2] / "clinlead"
    pattern = re.compile(r"def (add_months|add_years|_years_before)\b|replace\(year=")
    found = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if p.name != "dates.py" and p.parent.name != "migrations"
             and pattern.search(p.read_text())]
    assert found == []
