"""Gender and ethnicity: only for the granted role, only in groups the suppression rule publishes."""

import re

import pytest
from django.urls import reverse

from clinlead.org.diversity import TOTAL, workforce_diversity
from clinlead.org.models import Organisation

pytestmark = pytest.mark.django_db


def published(table):
    for label, cells in table.rows:
        for column, cell in cells.items():
            yield label, column, cell.count


def test_no_published_figure_counts_fewer_people_than_the_threshold(demo):
    northgate = Organisation.objects.get(slug="northgate")
    for table in workforce_diversity(organisation=northgate, day=demo.today):
        counts = [n for _, _, n in published(table) if n is not None]
        assert counts, "something is published"
        assert min(counts) >= northgate.min_responses


def test_no_row_total_minus_its_published_cells_reveals_a_small_group(demo):
    northgate = Organisation.objects.get(slug="northgate")
    k = northgate.min_responses
    for table in workforce_diversity(organisation=northgate, day=demo.today):
        for label, cells in table.rows:
            total = cells[TOTAL].count
            if total is None:
                continue
            shown = sum(c.count for col, c in cells.items() if col != TOTAL and c.count is not None)
            assert total - shown == 0 or total - shown >= k, (table.title, label)


def test_some_small_cells_are_suppressed_in_the_demo(demo):
    northgate = Organisation.objects.get(slug="northgate")
    tables = workforce_diversity(organisation=northgate, day=demo.today)
    assert any(n is None for t in tables for _, _, n in published(t))


def test_the_page_shows_suppressed_cells_as_such_and_no_person(demo, login):
    page = login("sam").get(reverse("org:diversity", kwargs={"slug": "northgate"})).content.decode()
    assert "suppressed" in page and "Ethnic group" in page
    assert "Bob" not in page and not re.search(r"staff number", page, re.I)


def test_the_person_page_never_shows_gender_or_ethnicity_even_to_the_granted_role(demo, login):
    from clinlead.org.models import Person

    bob = Person.objects.get(user__username="bob")
    page = login("sam").get(bob.get_absolute_url()).content.decode()
    for word in ("Gender", "Ethnic", bob.demographics.get_ethnicity_display()):
        assert word not in page
