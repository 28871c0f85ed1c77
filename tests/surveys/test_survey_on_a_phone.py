"""The survey page names nobody and numbers its questions; it comes in parts for a phone (the
parts are shown one at a time in the browser: tests/browser/test_survey_on_a_phone.py)."""

import re

import pytest
from django.urls import reverse

from clinlead.accounts.models import User
from clinlead.surveys import services
from clinlead.surveys.models import Invitation, SurveyCycle
from tests.surveys.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def respondent():
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    person = world.person("Medicine/Ward", leader=leader)
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    Invitation.objects.create(cycle=cycle, person=person, leader=leader, unit=world.unit("Medicine/Ward"),
                              profession="nurse", token_hash=services.token_hash("phone-link"))
    user = User.objects.create_user(username="wardnurse", password="a long password 1", person=person)
    return person, user


URL = reverse("surveys:answer", kwargs={"token": "phone-link"})


def test_a_logged_in_respondent_is_not_named_on_the_survey_or_after_it(client, respondent):
    person, user = respondent
    client.force_login(user)
    for page in (client.get(URL), client.post(URL, {"leader": "", "q1": "9"})):
        html = page.content.decode()
        assert person.full_name not in html and "wardnurse" not in html
        assert 'aria-label="Account"' not in html and 'aria-label="Menu"' not in html
    thanks = client.get(reverse("surveys:thanks")).content.decode()
    assert person.full_name not in thanks and 'aria-label="Account"' not in thanks


def test_every_question_is_numbered_out_of_all_fourteen(client, respondent):
    html = client.get(URL).content.decode()
    numbers = re.findall(r"Question (\d+) of (\d+)</span>", html)
    assert numbers == [(str(n), "14") for n in range(1, 15)]


def test_the_questions_come_in_short_parts_all_in_one_form(client, respondent):
    html = client.get(URL).content.decode()
    parts = html.split('class="clinlead-survey-part"')[1:]
    assert [len(re.findall(r"<fieldset", part)) for part in parts] == [4, 4, 4, 2]
    assert html.count("<form method=\"post\"") == 1  # nothing is stored between parts
    assert "14 questions, in 4 parts" in html
