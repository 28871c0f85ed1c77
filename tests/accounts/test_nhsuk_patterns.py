"""NHS.UK error and success patterns, on every page: an error summary at the top linking to each
field, "Error: " before the title, the error beside the field, and success as a green
notification banner that looks nothing like an error."""

import re
from pathlib import Path

from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "clinlead" / "templates"


def _title(page):
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


def test_a_form_with_errors_has_a_summary_linking_to_each_field_and_an_error_title(demo, login):
    url = reverse("development:programme_create", kwargs={"slug": "northgate"})
    page = login("tara").post(url, {"name": "", "length_months": "0"}).content.decode()
    assert _title(page).startswith("Error: ")
    start = page.index('class="nhsuk-error-summary"')
    summary = page[start:page.index("</ul>", start)]
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert set(links) >= {"id_name", "id_length_months"}
    for anchor in links:  # every link lands on an element of the page
        assert f'id="{anchor}"' in page
    assert 'id="id_name-error"' in page and "nhsuk-form-group--error" in page


def test_a_page_without_errors_has_a_plain_title(demo, login):
    page = login("tara").get(reverse("development:programme_create", kwargs={"slug": "northgate"}))
    assert not _title(page.content.decode()).startswith("Error")


def test_success_is_a_green_notification_banner_and_not_an_error(demo, login):
    url = reverse("development:programme_create", kwargs={"slug": "northgate"})
    page = login("tara").post(url, {"name": "Chief registrar programme", "length_months": "12",
                                    "min_months_before_review": "6", "panel_size": "3"},
                              follow=True).content.decode()
    assert "nhsuk-notification-banner nhsuk-notification-banner--success" in page
    assert "Chief registrar programme created." in page
    assert "nhsuk-error-summary" not in page and not _title(page).startswith("Error")


def test_an_error_message_is_an_error_summary_and_success_a_banner():
    shown = render_to_string("includes/messages.html", {"messages": [
        Message(constants.ERROR, "The ballot has closed."), Message(constants.SUCCESS, "Saved.")]})
    error = shown[:shown.index("Saved.")]
    assert 'class="nhsuk-error-summary"' in error and "The ballot has closed." in error
    assert "nhsuk-notification-banner--success" in shown[shown.index("The ballot has closed."):]
    assert "nhsuk-inset-text" not in shown


class _Choice(forms.Form):
    colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect)
    name = forms.CharField(help_text="As on your badge")


def test_the_summary_links_a_radio_group_to_its_first_option():
    form = _Choice(data={})
    assert not form.is_valid()
    summary = render_to_string("includes/error_summary.html", {"form": form})
    assert '<a href="#id_colour_0">' in summary and '<a href="#id_name">' in summary


def test_the_old_field_include_renders_through_the_one_field_tag():
    form = _Choice(data={})
    form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["name"]})
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert 'class="nhsuk-input nhsuk-input--error"' in html


def test_every_template_that_shows_form_fields_shows_the_error_summary():
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        shows_fields = "nhsuk_field " in text or "includes/field.html" in text
        if shows_fields and "error_summary" not in text and path.parent.name != "includes":
            missing.append(str(path.relative_to(TEMPLATES)))
    assert missing == []
