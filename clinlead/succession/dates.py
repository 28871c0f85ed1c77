"""Calendar months, for terms and the monitor's windows."""

from datetime import date

# Term warnings go out this many months before a term ends (TermWarning.Milestone).
MILESTONES = [18, 12, 6]


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the month's last day when it has no such day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
