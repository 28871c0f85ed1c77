"""What every form and query string may contain: one place for ids, dates and text lengths.

- An id is ASCII digits only (`str.isdigit` also accepts `²` and other scripts' digits, which
  `int` then refuses) and fits the database's 64-bit key.
- A date lies between CLINLEAD_EARLIEST_YEAR (1900) and today + CLINLEAD_YEARS_AHEAD (50) years:
  year 1 or 9999 is a slip of the keyboard, and 9999-12-31 cannot even have a day added to it.
- Free text is capped (CLINLEAD_FORM_TEXT_MAX_CHARS); a model field's own max_length applies too.

`install()` (run once at start-up by the accounts app) puts the date and text checks on every
Django form field of those kinds, and the id check on every model choice field, so a form
written tomorrow is covered without remembering to.
Invalid input is then an ordinary form error, never a server error.
"""

import re
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import HttpResponseBadRequest
from django.utils import timezone

from clinlead.dates import add_years

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
    return earliest, add_years(today, ahead)


def check_plausible_date(value):
    """A form validator: the date (or a date-time's day) lies in the plausible window."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    earliest, latest = date_window()
    if not earliest <= day <= latest:
        raise ValidationError(
            "Enter a date between %(earliest)s and %(latest)s.", code="implausible_date",
            params={
                "earliest": earliest.strftime("%-d %B %Y"),
                "latest": latest.strftime("%-d %B %Y"),
            },
        )


def text_cap() -> int:
    return getattr(settings, "CLINLEAD_FORM_TEXT_MAX_CHARS", 20_000)


class _CappedText(MaxLengthValidator):
    """The site-wide cap on any text field, read from settings when checked."""

    def __init__(self):
        super().__init__(limit_value=text_cap)


def _integer_key(field) -> bool:
    key = field.queryset.model._meta.pk if not field.to_field_name else \
        field.queryset.model._meta.get_field(field.to_field_name)
    return isinstance(key, models.IntegerField)


def _check_ids(field, values, code):
    """Refuse a choice that is not an id before it reaches the database: `²` cannot be an id,
    and a 30-digit number makes SQLite raise OverflowError instead of finding nothing."""
    if not _integer_key(field):
        return
    for value in values:
        if isinstance(value, models.Model) or value in field.empty_values:
            continue
        if parse_id(value) is None:
            params = {"pk": value} if code == "invalid_pk_value" else {"value": value}
            raise ValidationError(field.error_messages[code], code=code, params=params)


def _checked_to_python(original):
    def to_python(self, value):
        _check_ids(self, [value], "invalid_choice")
        return original(self, value)
    to_python.checks_ids = True
    return to_python


def _checked_values(original):
    def check_values(self, value):
        _check_ids(self, value if isinstance(value, list | tuple) else [value], "invalid_pk_value")
        return original(self, value)
    check_values.checks_ids = True
    return check_values


def install():
    """Every form DateField / DateTimeField checks the window; every CharField the text cap;
    every model choice field takes only ids that could exist."""
    if not getattr(forms.ModelChoiceField.to_python, "checks_ids", False):
        forms.ModelChoiceField.to_python = _checked_to_python(forms.ModelChoiceField.to_python)
    if not getattr(forms.ModelMultipleChoiceField._check_values, "checks_ids", False):
        forms.ModelMultipleChoiceField._check_values = _checked_values(
            forms.ModelMultipleChoiceField._check_values
        )
    for field_class in (forms.DateField, forms.DateTimeField):
        if check_plausible_date not in field_class.default_validators:
            field_class.default_validators = [*field_class.default_validators, check_plausible_date]
    if not any(isinstance(v, _CappedText) for v in forms.CharField.default_validators):
        forms.CharField.default_validators = [*forms.CharField.default_validators, _CappedText()]


class RefuseNulInQuery:
    """Middleware: a query string holding a NUL character is a bad request (400). Search and
    filter boxes read the query string directly, and PostgreSQL cannot hold a NUL in text (a
    search for one would be a server error). Forms already refuse NUL in what they accept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("A search or filter cannot contain a NUL character.")
        return self.get_response(request)
