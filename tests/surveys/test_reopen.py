"""Closing a survey early asks first, saying how many days early; a closed survey can be reopened
until its results are published, without weakening what the close promised."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.audit.models import AuditEvent
from clinlead.surveys import services
from clinlead.surveys.models import Comment, Invitation, Response, SealedResponse, SurveyCycle
from tests.surveys.world import World

pytestmark = pytest.mark.django_db
FIRST, NEW = "first custodian's phrase", "a new custodian's phrase"


@pytest.fixture
def ward(client):
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    team = [world.person("Medicine/Ward", leader=leader) for _ in range(7)]
    cycle = world.cycle(status=SurveyCycle.Status.DRAFT)
    admin = User.objects.create(username="talent")
    RoleGrant.objects.create(user=admin, role=Role.TALENT_ADMIN, organisation=world.org)
    client.force_login(admin)
    key_file = client.post(action(cycle, "open"), {"passphrase_1": FIRST}).content
    for person in team[:6]:  # one of the team has not answered yet
        answer(cycle, person, comment="Listens well")
    return {"world": world, "cycle": cycle, "leader": leader, "team": team, "key": key_file}


def action(cycle, name):
    return reverse("surveys:cycle_action", kwargs={"pk": cycle.pk, "action": name})


def answer(cycle, person, comment=""):
    token = services.issue_link(invitation=Invitation.objects.get(cycle=cycle, person=person))
    services.submit_response(token=token, answers=[4] * 12, burnout=2, satisfaction=4, comment=comment)


def key(content):
    return SimpleUploadedFile("key.json", content, content_type="application/json")


def close(client, cycle, key_file, **extra):
    return client.post(action(cycle, "close"), {"key_file_1": key(key_file), "passphrase_1": FIRST} | extra)


def closing_in(cycle, days):
    SurveyCycle.objects.filter(pk=cycle.pk).update(closes_on=date.today() + timedelta(days=days))


def test_closing_10_days_early_asks_first_and_changes_nothing_until_confirmed(client, ward):
    cycle = ward["cycle"]
    closing_in(cycle, 10)
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "This is 10 days early" in page and "can reopen it until the results are published" in page

    refused = close(client, cycle, ward["key"])

    assert refused.status_code == 400
    assert "closing it now is 10 days early. Tick the box to confirm" in refused.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.OPEN and SealedResponse.objects.count() == 6
    assert close(client, cycle, ward["key"], confirm_early="10").status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.CLOSED


def test_closing_on_the_closing_day_needs_no_confirmation(client, ward):
    closing_in(ward["cycle"], 0)
    assert close(client, ward["cycle"], ward["key"]).status_code == 302


def test_a_closed_survey_reopens_with_new_keys_keeping_its_answers_and_used_links(client, ward):
    cycle, team = ward["cycle"], ward["team"]
    close(client, cycle, ward["key"])
    cycle.refresh_from_db()
    old_key = cycle.public_key
    assert "Reopen the survey" in client.get(cycle.get_absolute_url()).content.decode()

    response = client.post(reverse("surveys:reopen", kwargs={"pk": cycle.pk}), {"passphrase_1": NEW})

    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.OPEN and cycle.public_key not in ("", old_key)
    assert Response.objects.filter(cycle=cycle).count() == 6, "the answers opened stay"
    used = Invitation.objects.filter(cycle=cycle, used=True)
    assert used.count() == 6 and not used.exclude(unit=None, leader=None, profession="", token_hash=None)
    waiting = Invitation.objects.get(cycle=cycle, person=team[6])
    assert (waiting.unit.path, waiting.leader, waiting.used) == ("Medicine/Ward", ward["leader"], False)
    with pytest.raises(services.InvitationUnusable):
        services.issue_link(invitation=used.first())
    assert AuditEvent.objects.get(action="surveys.cycle_reopened").after["answers_kept"] == 6


def test_an_answer_after_reopening_is_sealed_and_the_next_close_writes_every_answer_anew(client, ward):
    cycle, team = ward["cycle"], ward["team"]
    close(client, cycle, ward["key"])
    first_ids = set(Response.objects.values_list("id", flat=True)) | set(Comment.objects.values_list("id", flat=True))
    new_key = client.post(reverse("surveys:reopen", kwargs={"pk": cycle.pk}), {"passphrase_1": NEW}).content

    answer(cycle, team[6], comment="Listens well")

    assert SealedResponse.objects.filter(cycle=cycle).count() == 1
    assert Response.objects.filter(cycle=cycle).count() == 6
    closed = client.post(action(cycle, "close"), {"key_file_1": key(new_key), "passphrase_1": NEW})
    assert closed.status_code == 302
    assert Response.objects.filter(cycle=cycle, leader=ward["leader"]).count() == 7
    assert Comment.objects.filter(cycle=cycle, text="Listens well").count() == 7
    again = set(Response.objects.values_list("id", flat=True)) | set(Comment.objects.values_list("id", flat=True))
    assert not again & first_ids, "the earlier answers were written again, with new keys, among the new one"
    assert not Invitation.objects.filter(cycle=cycle).exclude(unit=None, leader=None, profession="", token_hash=None)
    assert not SealedResponse.objects.exists()


def test_the_old_key_file_cannot_close_the_reopened_survey(client, ward):
    cycle = ward["cycle"]
    close(client, cycle, ward["key"])
    client.post(reverse("surveys:reopen", kwargs={"pk": cycle.pk}), {"passphrase_1": NEW})
    assert close(client, cycle, ward["key"]).status_code == 400


def test_a_survey_closed_without_results_or_published_cannot_be_reopened(client, ward):
    cycle = ward["cycle"]
    client.post(action(cycle, "abandon"))
    cycle.refresh_from_db()
    refused = client.post(reverse("surveys:reopen", kwargs={"pk": cycle.pk}), {"passphrase_1": NEW}, follow=True)
    assert "closed without results" in refused.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.CLOSED
    cycle.status = SurveyCycle.Status.PUBLISHED
    from clinlead.surveys import services_reopen

    with pytest.raises(ValidationError, match="results are published"):
        services_reopen.reopen_cycle(actor=None, cycle=cycle, passphrases=[NEW])
    assert not AuditEvent.objects.filter(action="surveys.cycle_reopened").exists()


def test_only_the_talent_admin_may_reopen(client, ward):
    cycle = ward["cycle"]
    close(client, cycle, ward["key"])
    client.force_login(User.objects.create(username="someone"))
    assert client.post(reverse("surveys:reopen", kwargs={"pk": cycle.pk}), {"passphrase_1": NEW}).status_code == 403
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.CLOSED
