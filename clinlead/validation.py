"""What every form and query string may contain: one place for ids, dates and text lengths.

- An id is ASCII digits only (`str.isdigit` also accepts `²` and other scripts' digits, which
  `int` then refuses) and fits the database's 64-bit key.
- A date lies between CLINLEAD_EARLIEST_YEAR (1900) and today + CLINLEAD_YEARS_AHEAD (50) years:
  year 1 or 9999 is a slip of the keyboard, and 9999-12-31 cannot even have a day added to it.
- Free text is capped (CLINLEAD_FORM_TEXT_MAX_CHARS); a model field's own max_length applies too.

`install()` (run once at start-up by the accounts app) puts the date and text checks on every
Django form field of those kinds, so a form written tomorrow is covered without remembering to.
Invalid input is then an ordinary form error, never a server error.
"""

import re
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

_ASCII_ID = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id written in `value`, or None if it is not one (blank, `²`, `1e3`, too large)."""
    text = str(value or "").strip()
    if not _ASCII_ID.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def date_window() -> tuple[date, date]:
    today = timezone.localdate()
    earliest = date(getattr(settings, "CLINLEAD_EARLIEST_YEAR", 1900), 1, 1)
    ahead = getattr(settings, "CLINLEAD_YEARS_AHEAD", 50)
    try:
        latest = today.replace(year=today.year + ahead)
    except ValueError:  # 29 February, when the year ahead is not a leap year
        latest = today.replace(year=today.year + ahead, day=28)
    return earliest, latest


def check_plausible_date(value):
    """A form validator: the date (or a date-time's day) lies in the plausible window."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    earliest, latest = date_window()
    if not earliest <= day <= latest:
        raise ValidationError(
            "Enter a date between %(earliest)s and %(latest)s.", code="implausible_date",
            params={"earliest": earliest.strftime("%-d %B %Y"), "latest": latest.strftime("%-d %B %Y")})


def text_cap() -> int:
    return getattr(settings, "CLINLEAD_FORM_TEXT_MAX_CHARS", 20_000)


class _CappedText(MaxLengthValidator):
    """The site-wide cap on any text field, read from settings when checked."""

    def __init__(self):
        super().__init__(limit_value=text_cap)


def install():
    """Every form DateField / DateTimeField checks the window; every CharField the text cap."""
    for field_class in (forms.DateField, forms.DateTimeField):
        if check_plausible_date not in field_class.default_validators:
            field_class.default_validators = [*field_class.default_validators, check_plausible_date]
    if not any(isinstance(v, _CappedText) for v in forms.CharField.default_validators):
        forms.CharField.default_validators = [*forms.CharField.default_validators, _CappedText()]
