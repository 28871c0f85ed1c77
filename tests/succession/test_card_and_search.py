"""The candidate card (published leader index only, the development record) and talent search."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from clinlead.leaderindex.models import LeaderResult
from clinlead.org.models import Person, PositionLevel
from clinlead.succession import selectors, services
from clinlead.succession.models import Readiness
from clinlead.succession.search import Filters, talent_search
from clinlead.surveys.models import Instrument, SurveyCycle
from tests.succession.conftest import northgate_people, user

pytestmark = pytest.mark.django_db


def result(person, *, name, status, index, percentile, days_ago, band=None, responses=12):
    instrument = Instrument.objects.get_or_create(code="test-li", version=1,
                                                  defaults={"name": "Test", "definition": {}})[0]
    opens = date.today() - timedelta(days=days_ago)
    cycle = SurveyCycle.objects.create(organisation=person.organisation, name=name, instrument=instrument,
                                       status=status, opens_on=opens, closes_on=opens + timedelta(days=20))
    return LeaderResult.objects.create(cycle=cycle, leader=person, responses=responses, index=index,
                                       percentile=percentile, band=band, band_low=band, band_high=band)


@pytest.fixture
def candidate(no_succession_data, alices_position):
    person = northgate_people(profession="doctor", count=1)[0]
    services.nominate_candidate(actor=user("tara"), position=alices_position, person=person,
                                readiness=Readiness.READY_NOW, development_actions="Finance module")
    return person


def test_the_card_shows_the_latest_published_leader_index_and_its_trend_only(candidate, login):
    result(candidate, name="Test 2024", status="published", index=41.5, percentile=40, days_ago=800)
    result(candidate, name="Test 2025", status="published", index=47.2, percentile=80, days_ago=400)
    result(candidate, name="Test 2026", status="closed", index=12.0, percentile=1, days_ago=30)
    page = login("tara").get(reverse("succession:candidate_card", kwargs={"pk": candidate.pk})).content.decode()
    assert "47.2" in page and "Test 2025" in page and "Test 2024 41.5" in page
    assert "Test 2026" not in page and "12.0" not in page
    assert "Clinical Director, Cardiology" in page and "Ready now" in page


def test_someone_with_nothing_recorded_in_development_has_no_development_record_on_the_card(
        no_succession_data, alices_position, login):
    from clinlead.development.selectors import development_summary

    person = next(p for p in northgate_people(count=200)
                  if not selectors.has_development_record(development_summary(person=p)))
    services.nominate_candidate(actor=user("tara"), position=alices_position, person=person,
                                readiness=Readiness.READY_NOW)
    page = login("tara").get(reverse("succession:candidate_card", kwargs={"pk": person.pk})).content.decode()
    assert "No development record" in page


def test_the_card_shows_the_development_programme_and_assessment(candidate, login, monkeypatch):
    summary = {
        "programme": {"name": "Leadership foundations", "cohort": "2026", "enrolment_id": 1, "status": "In progress",
                      "progress_percent": 60, "milestones_done": 3, "milestones_total": 5, "appointment_decision": None},
        "assessment": {"framework": "NHS Healthcare Leadership Model", "version": "1", "state": "closed",
                       "closed_on": date.today(), "scale_max": 4,
                       "dimensions": [{"dimension": "Engaging the team", "self": 3.0, "manager": 3.5, "peers": None,
                                       "direct_reports": None, "all_raters": None}]},
        "plan": None, "learning_records": 2,
    }
    monkeypatch.setattr(selectors, "development_summary", lambda *, person: summary)
    page = login("tara").get(reverse("succession:candidate_card", kwargs={"pk": candidate.pk})).content.decode()
    assert "Leadership foundations" in page and "60%" in page and "Engaging the team" in page
    assert "No development record" not in page


def test_only_talent_admins_open_the_card(candidate, login):
    url = reverse("succession:candidate_card", kwargs={"pk": candidate.pk})
    assert login("alice").get(url).status_code == 403
    assert login("erin").get(url).status_code == 403


def test_talent_search_filters_by_readiness_level_profession_and_leader_index_band(candidate, northgate,
                                                                                   alices_position):
    other = northgate_people(profession="nurse", count=1)[0]
    services.nominate_candidate(actor=user("tara"), position=alices_position, person=other,
                                readiness=Readiness.FIVE_YEARS_PLUS)
    result(candidate, name="Test 2025", status="published", index=50, percentile=90, days_ago=300, band=3)
    result(other, name="Test 2025b", status="published", index=30, percentile=10, days_ago=300, band=0)

    def found(**filters):
        return set(p.pk for p in talent_search(organisation=northgate, filters=Filters(**filters)))

    assert found(readiness=Readiness.READY_NOW) == {candidate.pk}
    level = PositionLevel.objects.get(organisation=northgate, name="Clinical director")
    assert found(level=level) == {candidate.pk, other.pk}
    assert found(level=level, profession="nurse") == {other.pk}
    assert found(level=level, leader_index_band="top") == {candidate.pk}
    assert found(level=level, leader_index_band="bottom") == {other.pk}
    assert candidate.pk in found(unit=Person.objects.get(pk=candidate.pk).memberships.first().unit)


def test_talent_search_by_development_progress_finds_everyone_the_candidate_cards_put_in_the_band(demo, northgate):
    from clinlead.development.models import Enrolment, MilestoneRecord
    from clinlead.development.selectors import development_summary
    from clinlead.succession.search import PROGRESS_BANDS, band_of

    # Give the demo's enrolments a spread of progress: the first n milestones of the n-th done.
    for n, enrolment in enumerate(Enrolment.objects.filter(person__organisation=northgate).order_by("id")):
        done = [r.pk for r in MilestoneRecord.objects.filter(enrolment=enrolment).order_by("milestone__order")][:n]
        MilestoneRecord.objects.filter(pk__in=done).update(done=True)
    enrolled = Person.objects.filter(organisation=northgate, active=True, enrolments__isnull=False).distinct()
    by_card = {p.pk: development_summary(person=p)["programme"]["progress_percent"] for p in enrolled}
    assert len(set(band_of(v, PROGRESS_BANDS) for v in by_card.values())) >= 2, "the demo spreads over bands"
    for band in PROGRESS_BANDS:
        people = talent_search(organisation=northgate, filters=Filters(progress_band=band))
        assert {p.pk for p in people} == {pk for pk, v in by_card.items() if band_of(v, PROGRESS_BANDS) == band}
        assert all(p.programme_progress == by_card[p.pk] for p in people)


def test_a_search_needs_at_least_one_filter(demo, login):
    url = reverse("succession:search", kwargs={"slug": "northgate"})
    page = login("tara").get(url + "?profession=&readiness=&leader_index_band=").content.decode()
    assert "Choose at least one thing to search by" in page and 'id="found-count"' not in page


def test_talent_search_bands_need_enough_responses_and_show_an_interval_that_spans_two(candidate, northgate,
                                                                                        alices_position, login):
    # Before: a leader of six in the top percentile quarter was "top quarter", however uncertain.
    few = northgate_people(profession="nurse", count=1)[0]
    services.nominate_candidate(actor=user("tara"), position=alices_position, person=few,
                                readiness=Readiness.FIVE_YEARS_PLUS)
    result(candidate, name="Test 2025", status="published", index=52, percentile=80, days_ago=300, band=3)
    LeaderResult.objects.filter(leader=candidate).update(band_low=2, responses=25)
    result(few, name="Test 2025b", status="published", index=58, percentile=99, days_ago=300, band=3, responses=6)

    def found(**filters):
        return set(p.pk for p in talent_search(organisation=northgate, filters=Filters(**filters)))

    assert found(leader_index_band="top") == {candidate.pk}
    page = login("tara").get(reverse("succession:search", kwargs={"slug": "northgate"})
                             + "?readiness=&leader_index_band=&level=&profession=nurse").content.decode()
    assert "too few responses for a band" in page
    page = login("tara").get(reverse("succession:search", kwargs={"slug": "northgate"})
                             + "?leader_index_band=top").content.decode()
    assert "between upper-middle and top" in page
