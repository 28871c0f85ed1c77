"""The factories for small cases make valid rows that the product's rules accept."""

import pytest

from clinlead.accounts import permissions
from clinlead.accounts.models import Role
from tests.factories import PASSWORD, OrganisationFactory, PersonFactory, UserFactory, user

pytestmark = pytest.mark.django_db


def test_people_in_one_organisation_get_distinct_staff_numbers():
    trust = OrganisationFactory(slug="test-trust")
    first, second = PersonFactory(organisation=trust), PersonFactory(organisation=trust)
    assert first.staff_number != second.staff_number and first.organisation == second.organisation


def test_a_login_with_a_role_may_act_for_that_organisation_only():
    trust, elsewhere = OrganisationFactory(), OrganisationFactory()
    UserFactory(username="tess", person=PersonFactory(organisation=trust),
                roles=[(Role.TALENT_ADMIN, trust)])
    tess = user("tess")
    assert tess.check_password(PASSWORD) and tess.person.organisation == trust
    assert permissions.can_import_hr(tess, trust)
    assert not permissions.can_import_hr(tess, elsewhere)
