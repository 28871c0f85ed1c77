"""Granting and revoking roles: the Roles page and `clinlead grant-role` / `revoke-role`.

Before this, the only way to give anyone a role was the demo loader.
"""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from clinlead.accounts import permissions, roles
from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.audit.models import AuditEvent
from tests.factories import PASSWORD, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trust():
    return OrganisationFactory(slug="test-trust", name="Test Trust")


@pytest.fixture
def admin_of(trust):
    """Olive, the trust's organisation admin, logged in."""
    olive = PersonFactory(organisation=trust, first_name="Olive", last_name="Admin")
    return UserFactory(username="olive", person=olive, roles=[(Role.ORGANISATION_ADMIN, trust)])


def roles_url(org):
    return reverse("accounts:roles", kwargs={"slug": org.slug})


def test_an_organisation_admin_finds_a_person_and_gives_them_a_role(client, trust, admin_of):
    nurse = PersonFactory(
        organisation=trust, first_name="Nadia", last_name="Lee", staff_number="40001"
    )
    client.force_login(admin_of)
    page = client.get(roles_url(trust), {"q": "40001"})
    assert page.status_code == 200 and "Nadia" in page.text
    response = client.post(
        reverse("accounts:role_grant", kwargs={"slug": trust.slug}),
        {"person": nurse.pk, "role": Role.TALENT_ADMIN},
    )
    assert response.status_code == 302
    login = User.objects.get(person=nurse)
    assert permissions.can_manage_talent(login, trust)
    event = AuditEvent.objects.get(action="accounts.role_granted")
    assert (
        event.actor == admin_of
        and event.after["role"] == "talent_admin"
        and event.after["login_created"]
    )
    assert "Talent admin" in client.get(roles_url(trust)).text


def test_a_leaver_cannot_be_given_a_role(client, trust, admin_of):
    leaver = PersonFactory(organisation=trust, first_name="Len", active=False)
    client.force_login(admin_of)
    assert (
        "a leaver cannot be given a role"
        in client.get(roles_url(trust), {"q": leaver.first_name}).text
    )
    response = client.post(
        reverse("accounts:role_grant", kwargs={"slug": trust.slug}),
        {"person": leaver.pk, "role": Role.EXECUTIVE},
    )
    assert response.status_code == 200 and "has left Test Trust" in response.text
    assert not RoleGrant.objects.filter(user__person=leaver).exists()
    assert not User.objects.filter(person=leaver).exists(), (
        "no login is left behind by a refused grant"
    )
    assert not AuditEvent.objects.filter(action="accounts.role_granted").exists()


def test_another_organisations_person_cannot_be_granted_a_role_here(client, trust, admin_of):
    elsewhere = PersonFactory(organisation=OrganisationFactory(slug="other-trust"))
    client.force_login(admin_of)
    response = client.post(
        reverse("accounts:role_grant", kwargs={"slug": trust.slug}),
        {"person": elsewhere.pk, "role": Role.EXECUTIVE},
    )
    assert response.status_code == 404
    assert RoleGrant.objects.count() == 1, "only the admin's own grant"


def test_revoking_asks_first_and_then_takes_the_role_away(client, trust, admin_of):
    exec_person = PersonFactory(organisation=trust, first_name="Ezra")
    grant = roles.grant_role(
        actor=None, organisation=trust, role=Role.EXECUTIVE, person=exec_person
    )
    client.force_login(admin_of)
    url = reverse("accounts:role_revoke", kwargs={"slug": trust.slug, "pk": grant.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Revoke Executive from" in confirm.text
    assert RoleGrant.objects.filter(pk=grant.pk).exists(), (
        "opening the confirmation changes nothing"
    )
    assert client.post(url).status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    event = AuditEvent.objects.get(action="accounts.role_revoked")
    assert event.actor == admin_of and event.before["role"] == "executive"


def test_the_last_organisation_admin_cannot_be_removed(client, trust, admin_of):
    grant = RoleGrant.objects.get(user=admin_of, role=Role.ORGANISATION_ADMIN)
    client.force_login(admin_of)
    url = reverse("accounts:role_revoke", kwargs={"slug": trust.slug, "pk": grant.pk})
    response = client.post(url)
    assert response.status_code == 200 and "last organisation admin of Test Trust" in response.text
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    # With a second admin who can still sign in, the first may step down.
    roles.grant_role(
        actor=admin_of,
        organisation=trust,
        role=Role.ORGANISATION_ADMIN,
        person=PersonFactory(organisation=trust),
    )
    assert client.post(url).status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()


def test_an_admin_who_has_left_does_not_count_as_the_remaining_admin(trust, admin_of):
    other = roles.grant_role(
        actor=None,
        organisation=trust,
        role=Role.ORGANISATION_ADMIN,
        person=PersonFactory(organisation=trust),
    )
    admin_of.person.active = False
    admin_of.person.save()
    with pytest.raises(roles.RoleError, match="last organisation admin"):
        roles.revoke_role(actor=None, grant=other)


def test_an_organisation_admin_manages_only_their_own_organisation(client, trust, admin_of):
    other = OrganisationFactory(slug="other-trust")
    client.force_login(admin_of)
    assert client.get(roles_url(other)).status_code == 403
    assert client.get(roles_url(trust)).status_code == 200
    talent = UserFactory(
        username="tess",
        person=PersonFactory(organisation=trust),
        roles=[(Role.TALENT_ADMIN, trust)],
    )
    client.force_login(talent)
    assert client.get(roles_url(trust)).status_code == 403, "a talent admin does not grant roles"


# The commands: every bad argument is named in the error, and nothing is written.


def test_grant_role_command_gives_a_member_of_staff_a_role_and_a_login(trust, capsys):
    person = PersonFactory(organisation=trust, staff_number="50007", work_email="t@test.example")
    call_command("grant_role", "test-trust", "talent_admin", "--staff-number", "50007")
    login = User.objects.get(person=person)
    assert login.username == "test-trust-50007" and not login.has_usable_password()
    assert permissions.can_manage_talent(login, trust)
    assert "clinlead changepassword test-trust-50007" in capsys.readouterr().out
    event = AuditEvent.objects.get(action="accounts.role_granted")
    assert event.actor is None and event.actor_label == "command line"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["no-such-trust", "talent_admin", "--staff-number", "1"], "organisation 'no-such-trust'"),
        (["test-trust", "wizard", "--staff-number", "1"], "role 'wizard'"),
        (["test-trust", "executive", "--staff-number", "999"], "--staff-number '999'"),
        (["test-trust", "executive", "--username", "nobody"], "--username 'nobody'"),
    ],
)
def test_grant_role_command_names_the_bad_argument(trust, argv, named):
    PersonFactory(organisation=trust, staff_number="1")
    with pytest.raises(CommandError, match=re.escape(named)):
        call_command("grant_role", *argv)
    assert not RoleGrant.objects.exists() and not User.objects.exists()


def test_grant_role_command_refuses_a_leaver_and_a_role_held_already(trust):
    PersonFactory(organisation=trust, staff_number="2", active=False)
    with pytest.raises(CommandError, match="has left"):
        call_command("grant_role", "test-trust", "auditor", "--staff-number", "2")
    PersonFactory(organisation=trust, staff_number="3")
    call_command("grant_role", "test-trust", "auditor", "--staff-number", "3")
    with pytest.raises(CommandError, match="already Auditor"):
        call_command("grant_role", "test-trust", "auditor", "--staff-number", "3")
    assert RoleGrant.objects.count() == 1


def test_revoke_role_command_takes_a_role_away_but_never_the_last_admin(trust, admin_of):
    call_command("grant_role", "test-trust", "executive", "--username", "olive")
    call_command("revoke_role", "test-trust", "executive", "--username", "olive")
    assert not RoleGrant.objects.filter(role=Role.EXECUTIVE).exists()
    assert AuditEvent.objects.filter(action="accounts.role_revoked").count() == 1
    with pytest.raises(CommandError, match="last organisation admin"):
        call_command("revoke_role", "test-trust", "organisation_admin", "--username", "olive")
    with pytest.raises(CommandError, match="--staff-number '404': nobody"):
        call_command("revoke_role", "test-trust", "executive", "--staff-number", "404")
    with pytest.raises(CommandError, match="does not hold the role executive"):
        call_command("revoke_role", "test-trust", "executive", "--username", "olive")
    assert RoleGrant.objects.filter(role=Role.ORGANISATION_ADMIN).count() == 1


def test_a_role_granted_on_the_command_line_lets_its_holder_sign_in_and_act(client, trust):
    PersonFactory(organisation=trust, staff_number="60001")
    call_command("grant_role", "test-trust", "organisation_admin", "--staff-number", "60001")
    login = User.objects.get(username="test-trust-60001")
    login.set_password(PASSWORD)
    login.save()
    signed_in = client.post(
        reverse("accounts:login"), {"username": "test-trust-60001", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get(roles_url(trust)).status_code == 200


def test_staff_are_chosen_from_their_own_organisation_but_a_named_login_may_act_elsewhere(trust):
    other = OrganisationFactory(slug="health-system", name="Health System")
    with pytest.raises(roles.RoleError, match="works at Test Trust, not Health System"):
        roles.grant_role(
            actor=None,
            organisation=other,
            role=Role.EXECUTIVE,
            person=PersonFactory(organisation=trust),
        )
    auditor = UserFactory(username="hazel", person=PersonFactory(organisation=trust))
    call_command("grant_role", "health-system", "auditor", "--username", "hazel")
    assert permissions.can_view_audit(auditor, other)


# Programme leads: appointed per programme, given and taken away on the Roles page and the
# command line under the same rules.


@pytest.fixture
def programme(trust):
    from clinlead.development.models import Programme

    return Programme.objects.create(organisation=trust, name="Aspiring Clinical Leaders")


def test_an_organisation_admin_makes_a_programme_lead_and_removes_them(
    client, trust, admin_of, programme
):
    nurse = PersonFactory(organisation=trust, first_name="Priya", staff_number="70001")
    client.force_login(admin_of)
    assert "Aspiring Clinical Leaders" in client.get(roles_url(trust), {"q": "70001"}).text
    made = client.post(
        reverse("accounts:programme_lead_grant", kwargs={"slug": trust.slug}),
        {"person": nurse.pk, "programme": programme.pk},
    )
    assert made.status_code == 302 and programme.leads.filter(person=nurse).exists()
    lead = programme.leads.get(person=nurse)
    url = reverse("accounts:programme_lead_revoke", kwargs={"slug": trust.slug, "pk": lead.pk})
    assert "Remove Priya" in client.get(url).text and programme.leads.exists(), "asked first"
    assert client.post(url).status_code == 302
    assert not programme.leads.exists()
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == [
        "development.programme_lead_added",
        "development.programme_lead_removed",
    ]


def test_a_leaver_cannot_be_made_a_programme_lead(client, trust, admin_of, programme):
    leaver = PersonFactory(organisation=trust, active=False)
    client.force_login(admin_of)
    response = client.post(
        reverse("accounts:programme_lead_grant", kwargs={"slug": trust.slug}),
        {"person": leaver.pk, "programme": programme.pk},
    )
    assert response.status_code == 200 and "a leaver cannot be given a role" in response.text
    assert not programme.leads.exists()


def test_programme_leads_on_the_command_line(trust, programme):
    PersonFactory(organisation=trust, staff_number="80001")
    with pytest.raises(CommandError, match="--programme: programme_lead needs the programme"):
        call_command("grant_role", "test-trust", "programme_lead", "--staff-number", "80001")
    with pytest.raises(CommandError, match="--programme 'Nope': no such programme at test-trust"):
        call_command(
            "grant_role",
            "test-trust",
            "programme_lead",
            "--staff-number",
            "80001",
            "--programme",
            "Nope",
        )
    with pytest.raises(CommandError, match="--programme: only programme_lead"):
        call_command(
            "grant_role", "test-trust", "auditor", "--staff-number", "80001", "--programme", "1"
        )
    call_command(
        "grant_role",
        "test-trust",
        "programme_lead",
        "--staff-number",
        "80001",
        "--programme",
        "Aspiring Clinical Leaders",
    )
    assert programme.leads.filter(person__staff_number="80001").exists()
    call_command(
        "revoke_role",
        "test-trust",
        "programme_lead",
        "--staff-number",
        "80001",
        "--programme",
        str(programme.pk),
    )
    assert not programme.leads.exists()
