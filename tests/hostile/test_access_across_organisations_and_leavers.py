"""Another organisation's talent admin cannot change Northgate's evaluation; a member of staff
HR marks as left loses their login, their position's rights and "my successors" that day."""

from datetime import date

import pytest
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.evaluation.models import Evaluation
from clinlead.org.hr_import import import_hr_extract
from clinlead.org.models import Appointment, Organisation, Person
from tests.org.hr_files import to_csv

pytestmark = pytest.mark.django_db


def test_another_organisations_talent_admin_cannot_rename_or_reshape_an_evaluation(demo, client):
    evaluation = Evaluation.objects.filter(organisation__slug="northgate").first()
    riverside = next(
        o
        for o in Organisation.objects.exclude(slug="northgate")
        if o.pk in permissions.participating_organisation_ids(evaluation)
    )
    outsider = User.objects.create(username="riverside-talent")
    RoleGrant.objects.create(user=outsider, role=Role.TALENT_ADMIN, organisation=riverside)
    client.force_login(outsider)
    name = evaluation.name
    assert client.get(reverse("evaluation:detail", kwargs={"pk": evaluation.pk})).status_code == 200
    assert (
        client.post(
            reverse("evaluation:edit", kwargs={"pk": evaluation.pk}), {"name": "Renamed"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("evaluation:import", kwargs={"pk": evaluation.pk})).status_code == 403
    )
    evaluation.refresh_from_db()
    assert evaluation.name == name
    assert not permissions.can_manage_evaluation(outsider, evaluation)


@pytest.fixture
def leaver(demo):
    """A Northgate position holder today, with a password login."""
    today = date.today()
    appointment = (
        Appointment.objects.filter(
            position__organisation__slug="northgate",
            ended_on__isnull=True,
            start__lte=today,
            end__gte=today,
            person__active=True,
        )
        .exclude(person__user__isnull=False)
        .select_related("person", "position")
        .first()
    )
    User.objects.create_user(username="holder", password="pw-holder-123", person=appointment.person)
    return appointment


def _mark_as_left(person):
    """A full extract of the organisation without this person, effective today."""
    rows = []
    for p in Person.objects.filter(organisation=person.organisation, active=True).exclude(
        pk=person.pk
    ):
        rows.append(
            {
                "organisation": p.organisation.slug,
                "staff_number": p.staff_number,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "work_email": p.work_email,
                "profession": p.profession,
                "grade": p.grade,
                "start_date": "",
                "site": "",
                "leader_staff_number": "",
                "gender": "",
                "ethnicity": "",
                "unit_path": p.memberships.filter(end__isnull=True).first().unit.path,
            }
        )
    result = import_hr_extract(
        actor=None,
        content=to_csv(rows),
        filename="leavers.csv",
        dry_run=False,
        full_extract=True,
        effective=date.today(),
        confirm_leavers=1,  # a key-position holder leaving is confirmed (clinlead/org/hr_guard.py)
    )
    assert result.ok, result.problems[:3]


def test_a_leaver_loses_login_position_rights_and_my_successors(leaver, client):
    user = leaver.person.user
    client.force_login(user)
    assert client.get(reverse("succession:my_successors")).status_code == 200
    assert permissions.holds_position(user, leaver.position)

    _mark_as_left(leaver.person)

    user = User.objects.get(pk=user.pk)
    assert not user.is_active
    assert not permissions.holds_position(user, leaver.position)
    assert not permissions.can_use_my_successors(user)
    assert not permissions.can_manage_pool(user, leaver.position)
    # The session they already had ends at the next request.
    assert client.get(reverse("succession:my_successors")).status_code == 302


def test_a_login_of_someone_marked_as_left_cannot_be_used_even_if_still_enabled(leaver, client):
    client.post(reverse("accounts:login"), {"username": "holder", "password": "pw-holder-123"})
    assert "_auth_user_id" in client.session
    client.logout()
    Person.objects.filter(pk=leaver.person.pk).update(
        active=False
    )  # left before logins were disabled
    user = User.objects.get(username="holder")
    assert user.is_active
    client.post(reverse("accounts:login"), {"username": "holder", "password": "pw-holder-123"})
    assert "_auth_user_id" not in client.session
    assert not permissions.holds_position(user, leaver.position)
