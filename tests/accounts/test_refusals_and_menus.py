"""Each role sees in its menu what it may open, and a refusal says which role a page needs."""

from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.accounts.navigation import navigation_for
from clinlead.org.models import Organisation
from tests.factories import user


class _Request:
    def __init__(self, username, path="/"):
        self.user, self.path = user(username), path


def menu(username):
    return {item.label: item.href for item in navigation_for(_Request(username))}


def test_the_equality_lead_opens_pipeline_diversity(demo, login):
    page = login("sam").get(reverse("succession:diversity", kwargs={"slug": "northgate"}))
    assert page.status_code == 200
    assert "<h1>Pipeline diversity</h1>" in page.content.decode()


def test_the_equality_lead_has_both_diversity_pages_in_his_menu(demo):
    items = menu("sam")
    northgate = {"slug": "northgate"}
    assert items["Pathway diversity"] == reverse("development:pathway_diversity", kwargs=northgate)
    assert items["Pipeline diversity"] == reverse("succession:diversity", kwargs=northgate)


def test_a_nurse_has_neither_diversity_page_in_her_menu(demo):
    assert not {"Pathway diversity", "Pipeline diversity"} & set(menu("bob"))


def test_a_refusal_names_the_role_the_page_needs(demo, login):
    answer = login("bob").get(reverse("succession:diversity", kwargs={"slug": "northgate"}))
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "This page needs the Executive, Talent admin or Equality lead (special-category data) " \
           "role at Northgate" in page


def test_every_organisation_rule_a_menu_uses_names_its_roles():
    for rule in (permissions.can_view_audit, permissions.can_see_special_category,
                 permissions.can_view_succession_monitor, permissions.can_see_pathway_diversity,
                 permissions.can_see_pipeline_diversity, permissions.can_list_evaluations,
                 permissions.can_manage_talent, permissions.can_manage_roles):
        refused = permissions.refusal(rule, Organisation(name="Northgate"))
        assert refused.startswith("This page needs the")
