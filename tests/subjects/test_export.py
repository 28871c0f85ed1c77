"""`clinlead export-person` gives a person everything Clinlead holds about them, and nothing that
would tell anyone their survey answers or their vote (docs/data-subject-requests.md)."""

import json

import pytest
from django.apps import apps
from django.core.management import call_command

from clinlead.audit.models import AuditEvent
from clinlead.org.models import Person
from clinlead.subjects.holdings import HOLDINGS
from clinlead.subjects.selectors import person_export
from tests.subjects import world

pytestmark = pytest.mark.django_db


def test_every_link_to_a_person_or_a_login_has_a_place_in_the_holdings():
    """A new table pointing at a person must say what an export and an erasure do with it."""
    user_model = apps.get_model("accounts", "User")
    links = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in (Person, user_model)
    }
    assert sorted(links - set(HOLDINGS)) == []
    assert sorted(set(HOLDINGS) - links) == []


def test_the_export_holds_every_kind_of_data_about_the_person(tmp_path):
    built = world.build()
    out = tmp_path / "zq.json"
    call_command("export-person".replace("-", "_"), world.STAFF_NUMBER, "--output", str(out))
    data = json.loads(out.read_text())

    assert data["identity"]["staff_number"] == world.STAFF_NUMBER
    assert data["identity"]["work_email"] == world.EMAIL
    assert data["login"]["username"] == "zq"
    assert data["special_category"] == {"gender": "Woman", "ethnicity": "White: Irish"}
    assert data["organisation"]["units"][0]["unit"] == "Ward 7"
    assert data["organisation"]["leaders"][0]["leader"] == built.leader.full_name
    assert [a["position"] for a in data["positions"]["appointments"]] == ["Ward 7 Deputy"]
    assert data["positions"]["dyad_roles"][0]["role"] == "Administrator"
    assert data["roles"]["granted"][0]["role"] == "Executive"
    assert data["succession"]["pools"][0]["notes"] == "Strong on rotas"
    assert data["succession"]["readiness"][0]["current"] == "Ready now"
    assert data["selection"]["candidacies"][0]["statement"] == world.STATEMENT
    assert data["selection"]["electorates"] == [
        {"vacancy": "Ward 7 Lead", "on_the_electorate": True, "voted": True}
    ]
    development = data["development"]
    assert development["learning_records"][0]["title"] == "Edward Jenner programme"
    assert development["mentor_profile"][0]["interests"] == "rotas, flow"
    assert development["mentoring"][0]["goals"] == "Lead a ward"
    assert development["career_conversations"][0]["next_steps"] == "Shadow the matron"
    assert data["surveys"][0] == {
        "cycle": "Subject 2025",
        "opens_on": data["surveys"][0]["opens_on"],
        "closes_on": data["surveys"][0]["closes_on"],
        "link_used": True,
        "reminders_sent": 0,
    }
    actions = {event["action"] for event in data["audit"]}
    assert {"accounts.role_granted", "succession.candidate_nominated"} <= actions
    assert data["what_we_hold_but_cannot_link_to_you"]


def test_the_export_holds_no_survey_answer_and_no_vote_choice():
    built = world.build()
    text = json.dumps(person_export(person=built.person))

    assert world.COMMENT not in text
    assert json.dumps(world.ANSWERS) not in text and '"answers"' not in text
    assert json.dumps(built.ballot.preferences) not in text and '"preferences"' not in text
    assert "burnout" not in text and "satisfaction" not in text


def test_an_export_is_recorded_with_who_took_it(capsys):
    built = world.build()
    call_command("export_person", world.STAFF_NUMBER, "--by", "subject-admin")

    event = AuditEvent.objects.get(action="subjects.person_exported")
    assert (event.actor, event.object_id) == (built.admin, str(built.person.pk))
    assert json.loads(capsys.readouterr().out)["exported_by"] == f"{built.admin} (command line)"
