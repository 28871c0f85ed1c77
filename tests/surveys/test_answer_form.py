"""The survey form as a respondent uses it: what it stores, what it refuses, and that a refused
answer leaves the link usable."""

import pytest
from django.urls import reverse

from clinlead.surveys import services
from clinlead.surveys.models import Comment, Invitation, Response, SealedResponse, SurveyCycle
from tests.surveys.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    world = World(k=5)
    recorded = world.person("Medicine/Ward")
    other_leader = world.person("Medicine/Ward")
    stranger = world.person("Surgery/Theatres")
    person = world.person("Medicine/Ward", leader=recorded)
    world.person("Medicine/Ward", leader=other_leader)  # so other_leader leads someone in the unit
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    Invitation.objects.create(cycle=cycle, person=person, leader=recorded, unit=world.unit("Medicine/Ward"),
                              profession="nurse", token_hash=services.token_hash("ward-link"))
    return {"recorded": recorded, "other": other_leader, "stranger": stranger, "cycle": cycle, "world": world}


def sealed(ward):
    """The one answer as the form sealed it (opened with the custodian's key)."""
    (sheet,) = ward["world"].sealed(ward["cycle"])
    return sheet


def stored(ward):
    """The answer as written at close: alone, it is in no figure, so it keeps nothing."""
    ward["world"].close(ward["cycle"])
    return Response.objects.get()


def answers(rated, **changes):
    form = {f"q{i}": "4" for i in range(1, 13)} | {"burnout": "2", "satisfaction": "5", "leader": str(rated.pk)}
    return form | changes


URL = reverse("surveys:answer", kwargs={"token": "ward-link"})


def test_the_form_offers_the_leader_on_record_and_the_other_leaders_of_the_unit_only(client, ward):
    page = client.get(URL).content.decode()
    assert f'<option value="{ward["recorded"].pk}" selected>' in page
    assert f'<option value="{ward["other"].pk}">' in page
    assert f'<option value="{ward["stranger"].pk}"' not in page


def test_a_completed_form_stores_one_response_for_the_leader_on_record_and_uses_the_link(client, ward):
    response = client.post(URL, answers(ward["recorded"], q3="2", comment="  Listens well  "))
    assert response.status_code == 302 and response.url == reverse("surveys:thanks")
    assert Invitation.objects.get().used
    assert client.get(URL).status_code == 410
    sheet = sealed(ward)
    assert sheet["leader"] == ward["recorded"].pk
    assert sheet["answers"] == [4, 4, 2] + [4] * 9
    assert (sheet["burnout"], sheet["satisfaction"]) == (2, 5)
    assert sheet["comment"] == "Listens well"
    # Fewer than k answered about anyone: at close the answer is counted, and keeps nothing.
    response = stored(ward)
    assert (response.leader, response.unit, response.answers, response.burnout) == (None, None, [None] * 12, None)
    assert not Comment.objects.exists()


def test_questions_left_blank_are_stored_as_missing(client, ward):
    client.post(URL, answers(ward["recorded"], q1="", q12="", burnout=""))
    client.post(URL, answers(ward["recorded"], q1="", q12="", burnout="", unanswered_seen="3"))
    sheet = sealed(ward)
    assert sheet["answers"][0] is None and sheet["answers"][11] is None and sheet["burnout"] is None
    assert sheet["answers"][1] == 4


def test_naming_another_leader_of_the_unit_rates_that_leader(client, ward):
    assert client.post(URL, answers(ward["other"])).status_code == 302
    assert sealed(ward)["leader"] == ward["other"].pk


def test_naming_someone_outside_the_unit_is_refused_and_the_link_still_works(client, ward):
    page = client.post(URL, answers(ward["stranger"]))
    assert page.status_code == 200
    assert "Choose a leader from your unit" in page.content.decode()
    assert not SealedResponse.objects.exists() and not Invitation.objects.get().used
    assert client.post(URL, answers(ward["recorded"])).status_code == 302


@pytest.mark.parametrize("field, value", [("q5", "6"), ("q5", "four"), ("burnout", "9"), ("leader", "x1"),
                                          ("comment", "x" * 2001)])
def test_an_answer_outside_the_choices_shows_the_form_again_and_stores_nothing(client, ward, field, value):
    page = client.post(URL, answers(ward["recorded"], **{field: value}))
    assert page.status_code == 200
    assert "nhsuk-error-message" in page.content.decode()
    assert not SealedResponse.objects.exists()
    assert not Invitation.objects.get().used


def test_the_longest_comment_in_four_byte_characters_fits_its_sealed_box_and_control_characters_are_dropped(client, ward):
    longest = "\U0001d11e" * 2000
    assert client.post(URL, answers(ward["recorded"], comment=longest)).status_code == 302
    boxes = {len(bytes(b)) for b in SealedResponse.objects.values_list("box", flat=True)}
    assert boxes == {len(services.sealing.seal(public_key=ward["cycle"].public_key, payload=None,
                                               size=services.SEALED_SIZE))}, "every box is one size"
    assert sealed(ward)["comment"] == longest
    assert services.clean_comment("a\x00b\x1bc\nd") == "abc\nd"


def test_a_partly_blank_survey_asks_once_keeping_the_answers_then_sends(client, ward):
    first = client.post(URL, answers(ward["recorded"], q1="", q12="", q5="1", comment="Kind"))
    page = first.content.decode()
    assert first.status_code == 200
    assert "You have not answered 2 questions" in page
    assert '<input type="hidden" name="unanswered_seen" value="2">' in page
    assert 'name="q5" type="radio" value="1" checked' in page
    assert "Kind</textarea>" in page
    assert not Invitation.objects.get().used and not SealedResponse.objects.exists()

    second = client.post(URL, answers(ward["recorded"], q1="", q12="", q5="1", comment="Kind", unanswered_seen="2"))
    assert second.status_code == 302 and Invitation.objects.get().used
    assert sealed(ward)["answers"][4] == 1


def test_a_completely_blank_survey_does_not_use_up_the_link_unasked(client, ward):
    blank = {"leader": str(ward["recorded"].pk)}
    page = client.post(URL, blank)
    assert page.status_code == 200
    assert "You have not answered any of the 14 questions" in page.content.decode()
    assert "your link is used up" in page.content.decode()
    assert not Invitation.objects.get().used and not SealedResponse.objects.exists()
    assert client.get(URL).status_code == 200, "the link still works"


def test_leaving_out_more_after_the_question_asks_again(client, ward):
    page = client.post(URL, answers(ward["recorded"], q1="", q2="", q3="", unanswered_seen="1"))
    assert "You have not answered 3 questions" in page.content.decode()
    assert not Invitation.objects.get().used


def test_a_complete_survey_is_sent_at_once(client, ward):
    assert client.post(URL, answers(ward["recorded"])).status_code == 302
