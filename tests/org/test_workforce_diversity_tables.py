"""Workforce diversity, read back from the page as the granted role sees it: no sum or
difference of its figures and the staff counts on the organisation's pages (every unit, every
depth) gives a number of 1..k-1 people (issue 11: trust total minus the shown divisions gave
11 Corporate women of 14, and so its 3 others)."""

from collections import Counter

import pytest
from django.urls import reverse

from clinlead.org.models import Organisation, UnitMembership
from clinlead.org.special_category import ETHNIC_GROUP_OF
from tests.category_pages import (
    percentages_without_their_total,
    read_tables,
    small_parts,
    wrong_counts,
)

pytestmark = pytest.mark.django_db

GENDER_LABEL = {"woman": "Woman", "man": "Man"}


def staff(organisation, day, field):
    """(category, scopes) of each person in post: their divisions (the rows), every unit above
    them (staff counts on the organisation's pages) and the organisation."""
    people = {}
    for person, path, code in (UnitMembership.objects.on(day)
                               .filter(unit__organisation=organisation, person__active=True)
                               .values_list("person_id", "unit__path", f"person__demographics__{field}")):
        if field == "gender":
            category = GENDER_LABEL.get(code, "Another gender or not stated")
        else:
            category = ETHNIC_GROUP_OF.get(code or "not_stated", "Not stated")
        parts = path.split("/")
        scopes = people.setdefault(person, [category, {organisation.name}])[1]
        scopes.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return Counter((category, frozenset(scopes)) for category, scopes in people.values())


@pytest.mark.parametrize("slug", ["northgate", "riverside"])
def test_no_combination_of_the_pages_figures_isolates_fewer_than_k(demo, login, slug):
    organisation = Organisation.objects.get(slug=slug)
    k = organisation.min_responses
    from clinlead.accounts.models import Role, RoleGrant, User

    RoleGrant.objects.get_or_create(user=User.objects.get(username="sam"), role=Role.SPECIAL_CATEGORY,
                                    organisation=organisation)
    page = login("sam").get(reverse("org:diversity", kwargs={"slug": slug})).content.decode()
    tables = read_tables(page)
    assert [t["caption"] for t in tables] == ["Gender", "Ethnic group (ONS 2021)"]
    for table, field in zip(tables, ("gender", "ethnicity"), strict=True):
        people = staff(organisation, demo.today, field)
        assert not wrong_counts(people=people, tables=[table]), table["caption"]
        assert not small_parts(people=people, tables=[table], k=k), table["caption"]
        assert not percentages_without_their_total([table])
        # Something is shown by category, and every row's total is shown (it is public anyway).
        assert any(cells for _, cells, _, _ in table["rows"]), table["caption"]
        assert all(total is not None for _, _, total, _ in table["rows"]), table["caption"]
