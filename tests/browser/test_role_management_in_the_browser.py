"""An organisation admin gives a role and takes it back in a real browser: search by staff
number, give the role, revoke it after the confirmation page. Every page is accessible."""

import pytest

from clinlead.accounts import roles
from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.org.models import Organisation, Person
from tests.browser.conftest import (
    assert_accessible,
    assert_no_browser_errors,
    assert_real_page,
    log_in_as,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organisation_admin_gives_and_revokes_a_role(demo, live_server, page):
    northgate = Organisation.objects.get(slug="northgate")
    roles.grant_role(
        actor=None,
        organisation=northgate,
        role=Role.ORGANISATION_ADMIN,
        user=User.objects.get(username="tara"),
    )
    nurse = Person.objects.filter(organisation=northgate, active=True, user__isnull=True).first()
    log_in_as(page, live_server, "tara")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Roles", exact=True
    ).click()
    assert_real_page(page)
    assert_accessible(page)
    page.get_by_label("Name or staff number").fill(nurse.staff_number)
    page.get_by_role("button", name="Search").click()
    page.get_by_label(f"Role for {nurse.full_name}").select_option(label="Auditor")
    page.get_by_role("button", name=f"Give the role to {nurse.full_name}").click()
    assert f"{nurse.full_name} is now Auditor" in page.locator("main").inner_text()
    assert_accessible(page)
    assert RoleGrant.objects.filter(user__person=nurse, role=Role.AUDITOR).exists()

    page.get_by_role("link", name=f"Revoke Auditor from {nurse.full_name}").click()
    assert page.locator("h1").inner_text().startswith("Revoke Auditor from")
    assert_accessible(page)
    assert RoleGrant.objects.filter(user__person=nurse, role=Role.AUDITOR).exists(), "asked first"
    page.get_by_role("button", name="Revoke the role").click()
    assert "is no longer Auditor" in page.locator("main").inner_text()
    assert not RoleGrant.objects.filter(user__person=nurse, role=Role.AUDITOR).exists()
    assert_no_browser_errors(page)
