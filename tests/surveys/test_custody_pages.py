"""Opening and closing a survey with custodians' keys, as a talent admin does it in the browser."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.audit.models import AuditEvent
from clinlead.surveys import services, services_reopen
from clinlead.surveys.models import Comment, Invitation, Response, SealedResponse, SurveyCycle
from tests.surveys.world import World, at_once

pytestmark = pytest.mark.django_db
FIRST, SECOND = "first custodian's phrase", "second custodian's phrase"


@pytest.fixture
def ward(client):
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    team = [world.person("Medicine/Ward", leader=leader) for _ in range(6)]
    cycle = world.cycle(status=SurveyCycle.Status.DRAFT)
    admin = User.objects.create(username="talent")
    RoleGrant.objects.create(user=admin, role=Role.TALENT_ADMIN, organisation=world.org)
    client.force_login(admin)
    return {"world": world, "cycle": cycle, "leader": leader, "team": team}


def action(cycle, name):
    return reverse("surveys:cycle_action", kwargs={"pk": cycle.pk, "action": name})


def answer_everyone(cycle, comment=""):
    for invitation in Invitation.objects.filter(cycle=cycle, leader__isnull=False):  # the team, not its leader
        token = services.issue_link(invitation=invitation)
        services.submit_response(token=token, answers=[4] * 12, burnout=2, satisfaction=4, comment=comment)


def upload(content, name="key.json"):
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_opening_downloads_the_key_file_once_and_stores_only_the_public_key(client, ward):
    cycle = ward["cycle"]
    response = client.post(action(cycle, "open"), {"passphrase_1": FIRST})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and response["Cache-Control"] == "no-store"
    key_file = json.loads(response.content)
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.OPEN and cycle.public_key == key_file["public_key"]
    assert key_file["share"] not in json.dumps(list(SurveyCycle.objects.values()), default=str)
    assert AuditEvent.objects.get(action="surveys.cycle_opened").after["custodians"] == 1
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "cannot be downloaded again" in page and "download" not in page.split("Close the survey")[-1].lower()


def test_two_custodians_get_a_zip_of_two_files_and_both_are_needed_to_close(client, ward):
    cycle = ward["cycle"]
    response = client.post(action(cycle, "open"), {"passphrase_1": FIRST, "passphrase_2": SECOND})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    first, second = (archive.read(name) for name in sorted(archive.namelist()))
    answer_everyone(cycle)
    refused = client.post(action(cycle, "close"), {"key_file_1": upload(first), "passphrase_1": FIRST})
    assert refused.status_code == 400 and "every custodian" in refused.content.decode()
    closed = client.post(action(cycle, "close"), {"key_file_1": upload(second), "passphrase_1": SECOND,
                                                  "key_file_2": upload(first), "passphrase_2": FIRST})
    assert closed.status_code == 302
    assert Response.objects.filter(cycle=cycle).count() == 6


def test_a_wrong_passphrase_is_named_and_changes_nothing(client, ward):
    cycle = ward["cycle"]
    key_file = client.post(action(cycle, "open"), {"passphrase_1": FIRST}).content
    answer_everyone(cycle, comment="kind words")
    boxes = sorted(bytes(b) for b in SealedResponse.objects.values_list("box", flat=True))
    page = client.post(action(cycle, "close"), {"key_file_1": upload(key_file), "passphrase_1": "not the phrase at all"})
    assert page.status_code == 400
    assert "The passphrase for key file 1 is wrong." in page.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.OPEN
    assert sorted(bytes(b) for b in SealedResponse.objects.values_list("box", flat=True)) == boxes
    assert not Response.objects.exists() and not Comment.objects.exists()
    assert Invitation.objects.filter(cycle=cycle, unit__isnull=False).count() == 7
    assert not AuditEvent.objects.filter(action="surveys.cycle_closed").exists()


def test_a_key_file_of_another_cycle_is_refused(client, ward):
    other = ward["world"].cycle(name="other", status=SurveyCycle.Status.OPEN)
    cycle = ward["cycle"]
    client.post(action(cycle, "open"), {"passphrase_1": FIRST})
    page = client.post(action(cycle, "close"), {"key_file_1": upload(ward["world"].keys[other.pk].key_files[0]),
                                                "passphrase_1": FIRST})
    assert page.status_code == 400 and "belongs to another survey" in page.content.decode()


def test_closing_writes_the_answers_and_comments_and_forgets_who_gave_them(client, ward):
    cycle = ward["cycle"]
    key_file = client.post(action(cycle, "open"), {"passphrase_1": FIRST}).content
    answer_everyone(cycle, comment="Listens well")
    assert client.post(action(cycle, "close"), {"key_file_1": upload(key_file), "passphrase_1": FIRST}).status_code == 302
    assert SealedResponse.objects.count() == 0
    assert Response.objects.filter(cycle=cycle, leader=ward["leader"]).count() == 6
    assert not Response.objects.exclude(profession=""), "no stored answer keeps a profession"
    assert Comment.objects.filter(cycle=cycle, text="Listens well").count() == 6
    assert not Invitation.objects.filter(cycle=cycle).exclude(unit=None, leader=None, profession="", token_hash=None)
    assert Invitation.objects.filter(cycle=cycle, used=True).count() == 6, "the response rate is kept"
    assert AuditEvent.objects.get(action="surveys.cycle_closed").after == {"responses": 6, "invited": 7}


def test_a_cycle_whose_key_is_lost_closes_without_results_and_nothing_else_changes(client, ward):
    cycle = ward["cycle"]
    other = ward["world"].cycle(name="other", status=SurveyCycle.Status.OPEN)
    client.post(action(cycle, "open"), {"passphrase_1": FIRST})
    answer_everyone(cycle)
    Invitation.objects.create(cycle=other, person=ward["team"][0], leader=ward["leader"],
                              token_hash=services.token_hash("other-link"))
    services.submit_response(token="other-link", answers=[3] * 12, burnout=1, satisfaction=5)
    assert client.post(action(cycle, "abandon")).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.CLOSED
    assert not SealedResponse.objects.filter(cycle=cycle).exists() and not Response.objects.filter(cycle=cycle).exists()
    assert SealedResponse.objects.filter(cycle=other).count() == 1
    assert AuditEvent.objects.get(action="surveys.cycle_abandoned").after == {"invited": 7, "answers_deleted_unread": 6}


def test_a_short_passphrase_opens_nothing(client, ward):
    page = client.post(action(ward["cycle"], "open"), {"passphrase_1": "short"})
    assert page.status_code == 400 and "at least 12 characters" in page.content.decode()
    ward["cycle"].refresh_from_db()
    assert ward["cycle"].status == SurveyCycle.Status.DRAFT and not Invitation.objects.exists()


def test_the_demo_open_cycle_closes_with_the_demo_key_file(demo, login):
    from clinlead.surveys.demo_cycle import DEMO_CUSTODY_PASSPHRASE, custody_folder

    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    sealed = SealedResponse.objects.filter(cycle=cycle).count()
    assert sealed > 0 and not Response.objects.filter(cycle=cycle).exists()
    key_file = (custody_folder() / f"northgate-{cycle.name}-custody-key.json").read_bytes()
    client = login("tara")
    # The demo's cycle is still before its closing day: closing it early is confirmed (services_reopen).
    early = {"confirm_early": str(services_reopen.days_early(cycle))}
    closed = client.post(action(cycle, "close"),
                         {"key_file_1": upload(key_file), "passphrase_1": DEMO_CUSTODY_PASSPHRASE} | early)
    assert closed.status_code == 302
    assert Response.objects.filter(cycle=cycle).count() == sealed
    assert client.post(reverse("leaderindex:publish", kwargs={"pk": cycle.pk})).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_answers_sent_while_the_survey_closes_are_either_stored_or_refused_never_lost():
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    for n in range(24):
        person = world.person("Medicine/Ward", leader=leader)
        Invitation.objects.create(cycle=cycle, person=person, leader=leader, unit=world.unit("Medicine/Ward"),
                                  profession="nurse", token_hash=services.token_hash(f"race-{n}"))
    answers = [lambda n=n: services.submit_response(token=f"race-{n}", answers=[4] * 12, burnout=2, satisfaction=4)
               for n in range(24)]
    closed = []
    outcomes = at_once([*answers, lambda: closed.append(world.close(cycle))])
    stored = outcomes.count("stored") - len(closed)
    cycle.refresh_from_db()
    if cycle.status == SurveyCycle.Status.OPEN:  # SQLite: the close met a lock; close again
        world.close(cycle)
    assert not SealedResponse.objects.filter(cycle=cycle).exists()
    assert Response.objects.filter(cycle=cycle).count() == stored
    assert Invitation.objects.filter(cycle=cycle, used=True).count() == stored
