"""An action's refusal shown on a form, one way for every view: on the field it names when the form
has it, else on the field the view chose, else on the whole form; never a crash for a field name
the form lacks."""

import pathlib
import re

from django import forms
from django.core.exceptions import ValidationError

from clinlead.service_errors import show_on_form


class StartForm(forms.Form):
    start = forms.DateField()
    reason = forms.CharField(required=False)


def bound():
    form = StartForm({"start": "2026-11-30"})
    assert form.is_valid()
    return form


def test_an_error_naming_a_field_of_the_form_goes_on_that_field():
    form = bound()
    show_on_form(form, ValidationError({"reason": "Give the reason for an exception"}))
    assert form.errors == {"reason": ["Give the reason for an exception"]}


def test_an_error_naming_a_field_the_form_lacks_goes_on_the_form_not_a_crash():
    form = bound()
    show_on_form(form, ValidationError({"person": "Alice has left the organisation",
                                        "reason": "Too short"}))
    assert form.non_field_errors() == ["Alice has left the organisation"]
    assert form.errors["reason"] == ["Too short"]


def test_a_plain_error_goes_on_the_field_the_view_chose_or_on_the_form():
    form = bound()
    show_on_form(form, ValidationError(["The ballot has closed.", "Nothing was changed."]))
    assert form.non_field_errors() == ["The ballot has closed.", "Nothing was changed."]
    form = bound()
    show_on_form(form, ValidationError("Not a date we can use"), "start")
    assert form.errors == {"start": ["Not a date we can use"]}


def test_every_view_shows_service_errors_through_the_one_helper():
    root = pathlib.Path(__file__).resolve().parents[2] / "clinlead"
    other_ways = re.compile(
        r'add_error\(None, (exc|" "\.join)|def (service_error|apply_errors|fail)\('
        r'|messages\.error\(request, " "\.join\(exc')
    found = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if other_ways.search(p.read_text())]
    assert found == []
