"""Gender and ethnicity of the pipeline: a single pool's figures only for a role granted
special-category access, and then only when the suppression rule publishes them; everyone else
sees aggregates across pools, suppressed below the threshold; nothing ever for one person."""

from collections import Counter

import pytest
from django.urls import reverse

from clinlead.accounts.models import Role, RoleGrant
from clinlead.analytics.disclosure_tables import category_parts
from clinlead.org.models import Person
from clinlead.org.special_category import Demographics
from clinlead.succession import services
from clinlead.succession.diversity import pipeline_diversity
from clinlead.succession.forms import TalentSearchForm
from clinlead.succession.models import MonitorSnapshot, Readiness
from tests.succession.conftest import northgate_people, user

pytestmark = pytest.mark.django_db


def fill(position, women, men, people=None):
    """Put `women` women and `men` men (from nobody's pool yet) in the position's pool."""
    people = (people or northgate_people(count=women + men))[:women + men]
    for person, gender in zip(people, ["woman"] * women + ["man"] * men, strict=True):
        Demographics.objects.filter(person=person).update(gender=gender)
        services.nominate_candidate(actor=user("tara"), position=position, person=person,
                                    readiness=Readiness.ONE_TO_TWO_YEARS)
    return people


def newcomers(count):
    """People of Northgate in no unit yet. The pipeline is decided against the workforce (a
    candidate is staff): a pool of staff that the workforce's figures split into small groups
    shows its total only; newcomers were counted by no workforce table."""
    from clinlead.org.models import Organisation
    from tests.factories import PersonFactory

    people = [PersonFactory(organisation=Organisation.objects.get(slug="northgate")) for _ in range(count)]
    for person in people:
        Demographics.objects.get_or_create(person=person)
    return people


def pool_row(position, dimension="gender"):
    table = pipeline_diversity(organisation=position.organisation, dimension=dimension)
    return table.of("pool", {position.succession_pool.pk})[0]


@pytest.fixture
def sam_sees_pools(northgate):
    """Sam (special-category access) also made an executive, so he may open pools."""
    RoleGrant.objects.create(user=user("sam"), role=Role.EXECUTIVE, organisation=northgate)


def test_a_pool_of_three_women_and_one_man_shows_no_gender_figure(no_succession_data, alices_position, sam_sees_pools,
                                                                   login):
    fill(alices_position, women=3, men=1)
    row = pool_row(alices_position)
    assert not row.shows_categories and row.total == 4  # the depth shows on the monitor anyway
    page = login("sam").get(reverse("succession:pool", kwargs={"pk": alices_position.pk})).content.decode()
    assert "Gender" in page and page.count("Too few people to show by category") == 2


def test_a_large_enough_pool_shows_its_mix_to_the_granted_role_only(no_succession_data, alices_position,
                                                                     sam_sees_pools, login):
    fill(alices_position, women=6, men=5, people=newcomers(11))
    row = pool_row(alices_position)
    assert (row.count_of("Woman"), row.count_of("Man")) == (6, 5)
    url = reverse("succession:pool", kwargs={"pk": alices_position.pk})
    granted = login("sam").get(url).content.decode()
    assert "Ethnic group" in granted and ">6<" in granted.replace(" ", "")
    for name in ("tara", "erin", "alice"):
        page = login(name).get(url).content.decode()
        assert "Ethnic group" not in page and "Woman" not in page, name
        assert "only to a role granted access to special-category data" in page, name


def test_a_pool_inside_another_cannot_be_subtracted_to_reveal_one_person(no_succession_data, alices_position, urology):
    inner = fill(alices_position, women=5, men=0)
    for person in inner:
        services.nominate_candidate(actor=user("tara"), position=urology, person=person, readiness=Readiness.READY_NOW)
    fill(urology, women=1, men=5)
    a, b = pool_row(alices_position), pool_row(urology)
    assert not (a.count_of("Woman") is not None and b.count_of("Woman") is not None), \
        "5 women in one pool and 6 in a pool holding it would reveal one woman"


def test_a_pools_depth_shown_on_the_monitor_cannot_be_subtracted_from_a_published_mix(
        no_succession_data, alices_position, urology):
    # Cardiology's pool: 6 men; Urology's: 12 women and 2 men; both pools at one level. Both
    # depths show on every monitor page. If Cardiology's pool showed its 6 men, the level's 8 men
    # would give away the 2 men in Urology's pool; if Urology's showed 12 women, its depth the 2.
    fill(alices_position, women=0, men=6)
    fill(urology, women=12, men=2)
    table = pipeline_diversity(organisation=alices_position.organisation, dimension="gender")
    level = table.of("level", {alices_position.level_id})[0]
    assert level.total == table.of("organisation")[0].total == 20
    cardiology, urology_pool = pool_row(alices_position), pool_row(urology)
    assert (cardiology.total, urology_pool.total) == (6, 14)
    assert not urology_pool.shows_categories
    if level.shows_categories:  # then the two pools are counted together only: 8 men of 20
        assert not cardiology.shows_categories
        for division in table.of("division"):
            assert not division.shows_categories or division.total == 20
    people = Counter({("Man", frozenset({"org", "level", "cardiology"})): 6,
                      ("Woman", frozenset({"org", "level", "urology"})): 12,
                      ("Man", frozenset({"org", "level", "urology"})): 2})
    names = {("pool", alices_position.succession_pool.pk): "cardiology", ("pool", urology.succession_pool.pk): "urology",
             ("level", alices_position.level_id): "level"}
    figures = [(names.get(scope, "org" if scope[0] == "organisation" else scope), cats)
               for scope, cats, _ in table.figures.category_figures()]
    assert all(n >= 5 for n in category_parts(counts=people, figures=figures))


def test_no_pipeline_figure_counts_fewer_people_than_the_threshold(demo, northgate):
    k = northgate.min_responses
    for dimension in ("gender", "ethnicity"):
        table = pipeline_diversity(organisation=northgate, dimension=dimension)
        shown = [cell.count for row in table.rows for cell in row.cells if cell.count is not None]
        assert all(n == 0 or n >= k for n in shown), dimension
        assert any(not row.shows_categories for row in table.rows)


def test_the_aggregates_hide_pools_from_everyone_without_the_grant(demo, login):
    url = reverse("succession:diversity", kwargs={"slug": "northgate"})
    page = login("erin").get(url).content.decode()
    assert "By level" in page and "By division" in page and "By pool" not in page
    assert "By pool" in login("admin").get(url).content.decode()


def test_the_snapshot_stores_only_published_figures(demo, northgate):
    snapshot = services.take_monitor_snapshot(organisation=northgate)
    assert MonitorSnapshot.objects.filter(organisation=northgate, day=snapshot.day).count() == 1
    for dimension in snapshot.figures["diversity"].values():
        rows = dimension["pipeline"]["rows"]
        assert rows and all(r["kind"] != "pool" for r in rows)
        for row in [*rows, dimension["workforce"]]:
            for cell in row["cells"]:
                assert cell["count"] is None or cell["count"] == 0 or cell["count"] >= northgate.min_responses


def test_the_candidate_card_and_search_never_show_or_filter_on_a_persons_demographics(demo, northgate, login):
    bob = Person.objects.get(user__username="bob")
    card = login("tara").get(reverse("succession:candidate_card", kwargs={"pk": bob.pk})).content.decode()
    for word in ("Gender", "Ethnic", bob.demographics.get_ethnicity_display()):
        assert word not in card
    form = TalentSearchForm(organisation=northgate)
    assert set(form.fields) == {"profession", "unit", "readiness", "level", "leader_index_band", "progress_band"}
    url = reverse("succession:search", kwargs={"slug": "northgate"})
    plain = login("tara").get(url + "?profession=nurse").content.decode()
    with_gender = login("tara").get(url + "?profession=nurse&gender=woman&ethnicity=black_african").content.decode()
    count = plain.split('id="found-count">')[1].split("<")[0]
    assert count == with_gender.split('id="found-count">')[1].split("<")[0]
