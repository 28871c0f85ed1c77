"""Showing an action's refusal (a `ValidationError` from a service) to the person who asked: the
one way every view does it.

- `show_on_form`: on the form, so it appears beside the field and in the error summary. An error
  that names a field the form has goes on that field; any other (a field the form lacks, or the
  whole action) on `field` if given, else on the form as a whole. Never raises for a field name
  the form does not know (Django's own `add_error` would).
- `show_as_messages`: for a button with no form, each message as an error message on the next
  page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError


def show_on_form(form, exc: ValidationError, field: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else field, error)
    else:
        for message in exc.messages:
            form.add_error(field, message)


def show_as_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)
