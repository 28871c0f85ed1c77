"""Ids and dates as a careless or hostile user types them: `²` and other non-ASCII digits,
another organisation's people, year 1 and 9999. Each is an ordinary refusal, never a 500, and a
foreign id answers exactly like a missing one."""

import re
from datetime import date

import pytest
from django.urls import reverse

from clinlead.org.models import Person, PositionLevel
from clinlead.surveys import services as survey_services
from clinlead.surveys.models import Invitation, Response, SurveyCycle
from clinlead.validation import parse_id
from tests.selection import factories as f
from tests.surveys.world import World

pytestmark = pytest.mark.django_db

UNICODE_DIGITS = ["²", "١٢", "１２", "৩", "12²"]


@pytest.mark.parametrize("text", [*UNICODE_DIGITS, "", "-1", "0", "1e3", " ", "9" * 30, "12 34"])
def test_only_ascii_digits_that_fit_a_database_key_are_ids(text):
    assert parse_id(text) is None


def test_an_ascii_id_is_read():
    assert (parse_id("42"), parse_id(" 7 "), parse_id(str(2**63 - 1))) == (42, 7, 2**63 - 1)


@pytest.fixture
def admin_client(demo, login):
    return login("tara")


def _post_people(client, url, values):
    return [client.post(url, {"person": value}).status_code for value in values]


def test_nominate_committee_and_took_part_answer_unicode_digits_with_404_not_500(admin_client):
    selection = f.interviewing()
    session = selection.interviews.first()
    for url in (
        reverse("selection:nominate", kwargs={"pk": selection.pk}),
        reverse("selection:committee", kwargs={"pk": selection.pk}),
        reverse("selection:took_part", kwargs={"pk": session.pk}),
    ):
        assert set(_post_people(admin_client, url, UNICODE_DIGITS)) == {404}, url


def test_a_foreign_person_id_answers_exactly_like_a_missing_one(admin_client):
    selection = f.interviewing()
    session = selection.interviews.first()
    charlie = f.persona("charlie")  # works at another organisation
    missing = Person.objects.order_by("-pk").first().pk + 1000
    for url in (
        reverse("selection:nominate", kwargs={"pk": selection.pk}),
        reverse("selection:committee", kwargs={"pk": selection.pk}),
        reverse("selection:took_part", kwargs={"pk": session.pk}),
    ):
        foreign = admin_client.post(url, {"person": charlie.pk}, follow=True)
        absent = admin_client.post(url, {"person": missing}, follow=True)
        assert (foreign.status_code, absent.status_code) == (404, 404), url
        assert charlie.last_name not in foreign.content.decode()
        assert _without_tokens(foreign.content) == _without_tokens(absent.content)


def _without_tokens(page):
    """A page without its per-request tokens (CSRF, CSP nonce)."""
    return re.sub(rb'(nonce|value|content)="[A-Za-z0-9_-]{20,}"', b"", page)


def test_positions_and_dyads_filters_ignore_unicode_digits(admin_client, demo):
    level = PositionLevel.objects.filter(organisation__slug="northgate").first()
    for value in [*UNICODE_DIGITS, str(level.pk)]:
        assert (
            admin_client.get(
                reverse("org:positions", kwargs={"slug": "northgate"}), {"level": value}
            ).status_code
            == 200
        )
    for value in UNICODE_DIGITS:
        page = admin_client.get(
            reverse("succession:dyads", kwargs={"slug": "northgate"}),
            {"level": value, "division": value},
        )
        assert page.status_code == 200


def test_the_surveys_leader_field_refuses_unicode_digits_as_a_form_error(client):
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    person = world.person("Medicine/Ward", leader=leader)
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    Invitation.objects.create(
        cycle=cycle,
        person=person,
        leader=leader,
        unit=world.unit("Medicine/Ward"),
        profession="nurse",
        token_hash=survey_services.token_hash("link"),
    )
    url = reverse("surveys:answer", kwargs={"token": "link"})
    form = {f"q{i}": "4" for i in range(1, 13)} | {"burnout": "2", "satisfaction": "5"}
    for value in UNICODE_DIGITS:
        assert client.post(url, form | {"leader": value}).status_code == 200
    assert not Response.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_interviews_terms_and_learning_records_refuse_year_1_or_9999_as_form_errors(demo, day):
    from clinlead.development.forms import LearningRecordForm
    from clinlead.selection.forms import InterviewForm, StartForm

    northgate = f.northgate()
    interview = InterviewForm(
        {"starts_at": f"{day} 10:00", "place": "Room 1"}, selection=f.nominating()
    )
    term = StartForm({"start": day})
    learning = LearningRecordForm(
        {"title": "MBA", "kind": "other", "started_on": day}, organisation=northgate
    )
    for form, field in ((interview, "starts_at"), (term, "start"), (learning, "started_on")):
        assert not form.is_valid() and field in form.errors, (form, form.errors)


def test_every_form_date_field_checks_the_plausible_window():
    from django import forms

    class AnyForm(forms.Form):
        day = forms.DateField()
        when = forms.DateTimeField()
        note = forms.CharField(widget=forms.Textarea)

    assert AnyForm({"day": "2028-02-29", "when": "2028-02-29 10:00", "note": "fine"}).is_valid()
    bad = AnyForm({"day": "9999-12-31", "when": "0001-01-01 10:00", "note": "x" * 100_000})
    assert not bad.is_valid()
    assert set(bad.errors) == {"day", "when", "note"}
    assert "between 1 January 1900 and" in bad.errors["day"][0]
    assert date.today().year + 50 == int(bad.errors["day"][0].rstrip(".").split()[-1])


def test_a_nul_in_a_search_or_filter_is_a_bad_request_not_a_database_error(admin_client):
    for url in (
        reverse("org:people", kwargs={"slug": "northgate"}),
        reverse("audit:log", kwargs={"slug": "northgate"}),
    ):
        assert admin_client.get(url, {"q": "Ann\x00", "actor": "\x00"}).status_code == 400
        assert admin_client.get(url, {"q": "Ann"}).status_code in (200, 403)
