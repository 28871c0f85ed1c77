"""The one NHS.UK form-field tag renders each kind of widget as its own design-system control."""

from django import forms
from django.template import Context, Template

CHOICES = [("a", "Alpha"), ("b", "Beta")]


class Everything(forms.Form):
    several = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)
    one = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)
    upload = forms.FileField()
    note = forms.CharField(widget=forms.Textarea)


def rendered(field_name):
    return Template("{% load nhsuk_forms %}{% nhsuk_field f." + field_name + " %}").render(
        Context({"f": Everything()}))


def test_a_multiple_choice_is_ticked_in_checkboxes_not_chosen_in_radios():
    html = rendered("several")
    assert html.count('type="checkbox"') == 2 and 'type="radio"' not in html
    assert "nhsuk-checkboxes" in html


def test_a_single_choice_is_radios():
    html = rendered("one")
    assert html.count('type="radio"') == 2 and "nhsuk-radios" in html


def test_a_file_and_a_textarea_get_their_own_classes():
    assert "nhsuk-file-upload__input" in rendered("upload")
    assert "nhsuk-textarea" in rendered("note")
