"""The 9-box: pool members by leader-index band (shrunk) against readiness, each once at their
readiest, with an uncertain place marked and no band guessed."""

import pytest
from django.urls import reverse

from clinlead.leaderindex.models import LeaderResult
from clinlead.org.models import Position
from clinlead.succession import services
from clinlead.succession.models import Readiness
from clinlead.succession.nine_box import nine_box
from tests.succession.conftest import northgate_people, user
from tests.succession.test_card_and_search import result

pytestmark = pytest.mark.django_db


def cell(grid, row, column):
    return [p.person for p in dict(grid.rows[row][1])[column]]


@pytest.fixture
def pools(no_succession_data, alices_position):
    urology = Position.objects.get(organisation__slug="northgate", title="Clinical Director, Urology")
    strong, steady, unsure, unbanded = northgate_people(profession="doctor", count=4)
    tara = user("tara")
    services.nominate_candidate(actor=tara, position=alices_position, person=strong, readiness=Readiness.READY_NOW)
    services.nominate_candidate(actor=tara, position=alices_position, person=steady,
                                readiness=Readiness.THREE_TO_FIVE_YEARS)
    services.nominate_candidate(actor=tara, position=urology, person=steady, readiness=Readiness.ONE_TO_TWO_YEARS)
    services.nominate_candidate(actor=tara, position=urology, person=unsure, readiness=Readiness.FIVE_YEARS_PLUS)
    services.nominate_candidate(actor=tara, position=urology, person=unbanded, readiness=Readiness.READY_NOW)
    result(strong, name="LI 2025", status="published", index=55, percentile=90, days_ago=300, band=3, responses=30)
    result(steady, name="LI 2025b", status="published", index=44, percentile=50, days_ago=300, band=1)
    result(unsure, name="LI 2025c", status="published", index=36, percentile=10, days_ago=300, band=0)
    LeaderResult.objects.filter(leader=unsure).update(band_high=1)  # its interval reaches the middle
    result(unbanded, name="LI 2025d", status="published", index=50, percentile=70, days_ago=300, responses=6)
    return {"strong": strong, "steady": steady, "unsure": unsure, "unbanded": unbanded}


TOP, MIDDLE, LOWER = "Leader index: top quarter", "Leader index: middle half", "Leader index: lower quarter"


def test_each_person_is_placed_once_at_their_readiest_by_their_band(pools, northgate):
    grid = nine_box(organisation=northgate)
    assert cell(grid, 0, TOP) == [pools["strong"]]
    assert cell(grid, 1, MIDDLE) == [pools["steady"]]  # 1–2 years for Urology beats 3–5 for Cardiology
    assert cell(grid, 2, LOWER) == [pools["unsure"]]
    assert grid.placed == 3


def test_a_place_the_interval_could_move_is_marked_and_no_band_is_guessed(pools, northgate):
    grid = nine_box(organisation=northgate)
    (unsure,) = dict(grid.rows[2][1])[LOWER]
    assert unsure.uncertain and unsure.band_words == "between bottom and lower-middle"
    assert not dict(grid.rows[0][1])[TOP][0].uncertain
    assert [p.person for p in grid.without_band] == [pools["unbanded"]]
    assert grid.without_band[0].band_words == "too few responses for a band"


def test_the_page_is_a_table_with_row_and_column_headings_and_links_to_each_card(pools, login):
    page = login("tara").get(reverse("succession:nine_box", kwargs={"slug": "northgate"})).content.decode()
    assert page.count('<th scope="col"') == 3 and page.count('<th scope="row"') == 3
    for person in pools.values():
        assert reverse("succession:candidate_card", args=[person.pk]) in page
    assert "uncertain: between bottom and lower-middle" in page
    assert "too few responses for a band" in page
