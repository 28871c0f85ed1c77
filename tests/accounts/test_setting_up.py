"""Issue 14: a new organisation can be set up from nothing with only documented commands and
pages. This test reads docs/setting-up.md and does exactly what it says, in its order, from an
empty database: its commands through the `clinlead` console script, its pages with the browser's
requests. If the page and the product part, this fails.
"""

import re
import shlex
from datetime import date, timedelta
from pathlib import Path

import pytest

from clinlead import cli
from clinlead.accounts import permissions
from clinlead.accounts.models import User
from clinlead.audit.models import AuditEvent
from clinlead.org.models import Organisation, Person
from clinlead.surveys.models import Invitation, SurveyCycle

DOC = Path(__file__).resolve().parents[2] / "docs" / "setting-up.md"
PASSWORD = "Westmoor-talent-2026!"


def documented_steps():
    text = DOC.read_text()
    commands_part, pages_part = text.split("## 2.", 1)
    block = re.search(r"```sh\n(.*?)```", commands_part, re.S).group(1)
    commands = [shlex.split(line) for line in block.splitlines() if line.strip()]
    pages = re.findall(r"`(/[^`\s]*/)`", pages_part)
    return commands, pages


@pytest.mark.django_db(transaction=True)
def test_a_new_organisation_is_set_up_with_only_the_documented_commands_and_pages(
    tmp_path, monkeypatch, client, capsys
):
    commands, pages = documented_steps()
    assert [c[1] for c in commands] == [
        "migrate",
        "create-organisation",
        "hr-example",
        "import-hr",
        "import-hr",
        "grant-role",
        "grant-role",
        "changepassword",
    ], "the documented order"
    assert not Organisation.objects.exists() and not User.objects.exists(), "an empty database"
    monkeypatch.chdir(tmp_path)
    # `changepassword` asks for the password twice at a prompt; this is the operator typing it.
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    for argv in commands:
        assert argv[0] == "clinlead"
        try:
            cli.main(argv)
        except SystemExit as exc:
            pytest.fail(f"`{shlex.join(argv)}` stopped with {exc.code}: {capsys.readouterr().err}")

    org = Organisation.objects.get(slug="westmoor")
    staff = Person.objects.filter(organisation=org, active=True).count()
    assert staff > 50
    username = commands[-1][-1]
    login = User.objects.get(username=username)
    assert login.person.organisation == org
    assert permissions.can_manage_talent(login, org) and permissions.can_manage_roles(login, org)
    assert AuditEvent.objects.filter(action="accounts.role_granted", organisation=org).count() == 2

    sign_in, cycles_page, roles_page = pages
    response = client.post(sign_in, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the new talent admin signs in"
    assert client.get(cycles_page).status_code == 200
    opens = date.today()
    response = client.post(
        cycles_page, {"name": "2026", "opens_on": opens, "closes_on": opens + timedelta(days=21)}
    )
    assert response.status_code == 302
    cycle = SurveyCycle.objects.get(organisation=org, name="2026")
    opened = client.post(
        f"/survey/cycles/{cycle.pk}/open/", {"passphrase_1": "a long custodian passphrase 1"}
    )
    assert opened.status_code == 200 and "attachment" in opened["Content-Disposition"], (
        "the key file downloads"
    )
    cycle.refresh_from_db()
    assert cycle.status == SurveyCycle.Status.OPEN
    assert Invitation.objects.filter(cycle=cycle).count() == staff, "everyone active is invited"
    assert client.get(roles_page).status_code == 200, (
        "the organisation admin reaches the Roles page"
    )
