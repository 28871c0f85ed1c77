"""Pipeline diversity, read back from the pages (the diversity page with every pool, as the
granted role sees it): no sum or difference of its figures and the totals shown anywhere (pool
depths on the monitor, crossing ones too: a candidate in pools of two levels) gives 1..k-1
people, and no percentage shows without its total (issue 11: "Woman 7 (70%)" with the total
hidden gave away the total and the 3 others)."""

from collections import Counter

import pytest
from django.urls import reverse

from clinlead.org.models import Organisation
from clinlead.org.special_category import ETHNIC_GROUP_OF
from clinlead.succession.models import PoolCandidate
from tests.category_pages import (
    percentages_without_their_total,
    read_tables,
    small_parts,
    wrong_counts,
)

pytestmark = pytest.mark.django_db


def candidates(organisation, field):
    """(category, scopes) per candidate: the organisation and the level, division and pool of
    each pool they sit in, by the labels the page shows (pools also by id: titles may repeat)."""
    people = {}
    for person, pool, title, level, path, code in PoolCandidate.objects.filter(
            pool__position__organisation=organisation, pool__position__active=True, person__active=True).values_list(
            "person_id", "pool_id", "pool__position__title", "pool__position__level__name",
            "pool__position__unit__path", f"person__demographics__{field}"):
        if field == "gender":
            category = {"woman": "Woman", "man": "Man"}.get(code, "Another gender or not stated")
        else:
            category = ETHNIC_GROUP_OF.get(code or "not_stated", "Not stated")
        scopes = people.setdefault(person, [category, {organisation.name}])[1]
        scopes.update({level, path.split("/")[0], title, ("pool", pool)})
    return Counter((category, frozenset(scopes)) for category, scopes in people.values())


def test_no_combination_of_pipeline_figures_isolates_fewer_than_k(demo, login):
    northgate = Organisation.objects.get(slug="northgate")
    page = login("admin").get(reverse("succession:diversity", kwargs={"slug": "northgate"})).content.decode()
    tables = read_tables(page)
    assert "By pool" in [t["caption"] for t in tables]
    half = len(tables) // 2  # the gender tables, then the ethnic group tables
    for field, group in (("gender", tables[:half]), ("ethnicity", tables[half:])):
        people = candidates(northgate, field)
        shown = [label for t in group for label, cells, _, _ in t["rows"] if cells]
        assert len(shown) == len(set(shown)), "labels of rows shown by category are unique"
        # Decided against the workforce's table too, the small demo's pipeline may show every
        # row by its total (tests/succession/test_pipeline_beside_workforce.py shows categories).
        assert [label for t in group for label, _, _, _ in t["rows"]], f"the {field} pipeline's rows are read"
        assert not wrong_counts(people=people, tables=group), field
        assert not small_parts(people=people, tables=group, k=northgate.min_responses), field
        assert not percentages_without_their_total(group), field


def test_a_percentage_shows_only_beside_its_total(no_succession_data, alices_position, login):
    """A candidate of Cardiology's pool (7 women, 3 men) also sits in the Divisional Director's
    pool with 5 women: the two levels' totals cross. "Woman 5 (83%)" beside a hidden total gave
    away the total (6) and so the one man, who is also in Cardiology's pool."""
    from clinlead.org.models import Position
    from clinlead.succession import services
    from clinlead.succession.models import Readiness
    from tests.succession.conftest import user
    from tests.succession.test_demographics import fill

    cardiology = fill(alices_position, women=7, men=3)
    director = Position.objects.get(organisation__slug="northgate", title="Divisional Director, Medicine")
    fill(director, women=5, men=0)
    services.nominate_candidate(actor=user("tara"), position=director, person=cardiology[-1],
                                readiness=Readiness.READY_NOW)
    page = login("admin").get(reverse("succession:diversity", kwargs={"slug": "northgate"})).content.decode()
    tables = read_tables(page)
    assert not percentages_without_their_total(tables)
    for table in tables:
        for label, cells, total, _ in table["rows"]:
            assert total is not None, label  # every total is public: the monitor shows pool depths
            if label == director.level.name:
                assert total == 6 and not cells
