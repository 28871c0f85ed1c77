"""Gender and ethnicity: only for the granted role, only as the category-table rule publishes them."""

import re

import pytest
from django.urls import reverse

from clinlead.org.diversity import workforce_diversity
from clinlead.org.models import Organisation, Person

pytestmark = pytest.mark.django_db


def test_every_figure_shown_by_category_counts_0_or_at_least_k_people(demo):
    northgate = Organisation.objects.get(slug="northgate")
    for table in workforce_diversity(organisation=northgate, day=demo.today):
        counts = [c.count for row in table.rows for c in row.cells if c.count is not None]
        assert counts, "something is published"
        assert all(n == 0 or n >= northgate.min_responses for n in counts)
        # A row shows all its classes or its total only: nothing is left to subtract.
        for row in table.rows:
            if row.shows_categories:
                assert sum(c.count for c in row.cells) == row.total


def test_the_page_says_why_a_row_shows_its_total_only_and_shows_no_person(demo, login):
    page = login("sam").get(reverse("org:diversity", kwargs={"slug": "northgate"})).content.decode()
    assert "Ethnic group" in page and "Black and minority ethnic" in page
    assert "Counted by category only in larger groups" in page or "Too few people" in page
    # As words: the page's random CSRF token once held the letters "Bob".
    bob = Person.objects.get(user__username="bob")
    assert not re.search(rf"\b(Bob|{re.escape(bob.last_name)}|{bob.staff_number})\b", page)
    assert not re.search(r"staff number", page, re.I)


def test_the_person_page_never_shows_gender_or_ethnicity_even_to_the_granted_role(demo, login):
    from clinlead.org.models import Person

    bob = Person.objects.get(user__username="bob")
    page = login("sam").get(bob.get_absolute_url()).content.decode()
    for word in ("Gender", "Ethnic", bob.demographics.get_ethnicity_display()):
        assert word not in page
