"""Calendar arithmetic: the one home for adding months and years, term ends and due dates.

A month or year later keeps the day of the month, or falls back to the month's last day when it
has no such day (31 January + 1 month = 28 or 29 February; 29 February + 1 year = 28 February).
Every app uses these; none adds months by hand.
"""

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, if negative), or that month's last day when it
    has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 28 February in other years."""
    return add_months(day, 12 * years)


def term_end(start: date, years: int) -> date:
    """The last day of a term of `years` years that starts on `start`: the day before the same date
    `years` later (a four-year term from 1 April 2025 ends on 31 March 2029). A term that starts on
    29 February runs to 28 February in a common year, so it is never a day short."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February; the anniversary in a common year is 1 March
        anniversary = date(start.year + years, 3, 1)
    return anniversary - timedelta(days=1)


def due_on(start: date, months: int, *, paused_days: int = 0) -> date:
    """A date due `months` after `start`, moved on by any days paused in between."""
    return add_months(start, months) + timedelta(days=paused_days)
