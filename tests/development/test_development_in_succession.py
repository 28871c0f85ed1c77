"""What development tells succession (issue 19): someone still in onboarding is warned of in a
pool, on their candidate card and when nominated; the card shows the 360 only as raters were
told it would (the pooled all-rater mean, banded near either end of the scale)."""

import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.urls import reverse

from clinlead.development.models import AppointmentReview, Enrolment, RaterGroup
from clinlead.development.selectors import development_summary
from clinlead.development.services_assessment import where_answers_appear
from clinlead.org.models import Person, Position
from clinlead.succession import services
from clinlead.succession.models import Readiness
from tests.development.test_360_feedback import run_360, subject_with_team
from tests.succession.conftest import user

pytestmark = pytest.mark.django_db


def medicine():
    return Position.objects.get(organisation__slug="northgate", title="Divisional Director, Medicine")


def words(response):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def warning(response):
    html = response.content.decode()
    if 'id="onboarding-warning"' not in html:
        return None
    start = html.index(">", html.index('id="onboarding-warning"')) + 1
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html[start:html.index("</div>", start)])).split())


def test_someone_still_in_onboarding_is_warned_of_in_a_divisional_director_pool(dev, login):
    midway = Person.objects.get(pk=dev.development["midway"])
    assert Enrolment.objects.get(person=midway).status == Enrolment.Status.ACTIVE
    tara = login("tara")
    before = tara.get(reverse("succession:nominate", kwargs={"pk": medicine().pk}),
                      {"staff_number": midway.staff_number})
    assert f"{midway.full_name} is still in onboarding" in warning(before)
    nominated = tara.post(reverse("succession:nominate", kwargs={"pk": medicine().pk}), {
        "staff_number": midway.staff_number, "readiness": Readiness.ONE_TO_TWO_YEARS,
        "development_actions": "", "notes": ""}, follow=True)
    assert f"Onboarding not finished for {midway}: On the " in words(nominated)
    pool = warning(tara.get(reverse("succession:pool", kwargs={"pk": medicine().pk})))
    assert "1 candidate still in onboarding" in pool and midway.full_name in pool
    assert "permanent appointment not yet confirmed" in pool
    card = warning(tara.get(reverse("succession:candidate_card", kwargs={"pk": midway.pk})))
    assert card.startswith("Important: Onboarding not finished On the ")


def test_a_confirmed_or_withdrawn_onboarding_gives_no_warning_and_a_refusal_does(dev, login):
    confirmed = Person.objects.get(pk=dev.development["confirmed"])
    starting = Person.objects.get(pk=dev.development["starting"])
    for person in (confirmed, starting):
        services.nominate_candidate(actor=user("tara"), position=medicine(), person=person,
                                    readiness=Readiness.THREE_TO_FIVE_YEARS)
    Enrolment.objects.filter(person=starting).update(status=Enrolment.Status.WITHDRAWN)
    tara = login("tara")
    assert warning(tara.get(reverse("succession:pool", kwargs={"pk": medicine().pk}))) is None
    assert warning(tara.get(reverse("succession:candidate_card", kwargs={"pk": confirmed.pk}))) is None
    AppointmentReview.objects.filter(enrolment__person=confirmed).update(
        decision=AppointmentReview.Decision.NOT_CONFIRMED)
    card = warning(tara.get(reverse("succession:candidate_card", kwargs={"pk": confirmed.pk})))
    assert "Permanent appointment not confirmed at the end of the" in card


def test_the_card_shows_the_all_rater_mean_as_the_band_raters_were_told_of(dev, login):
    assessment = run_360(dev, subject_with_team(dev), peers=5, peer_score=4)
    told = where_answers_appear(SimpleNamespace(assessment=assessment, rater_group=RaterGroup.PEER))
    assert "as the all-rater mean — on their succession candidate card" in told and "shown as a band" in told
    page = login("tara").get(reverse("succession:candidate_card", kwargs={"pk": assessment.person_id}))
    html = page.content.decode()
    table = html[html.index('id="assessment"'):html.index("</table>", html.index('id="assessment"'))]
    cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">(.*?)</td>', table)]
    all_raters = cells[2::3]
    assert all_raters and all(c == "3.5 or above" for c in all_raters), all_raters
    assert "4.0" not in cells[2::3] and "Peers" not in table and "not shown" not in table


def test_the_card_shows_an_exact_all_rater_mean_and_no_part_of_it(dev, login):
    exact = run_360(dev, subject_with_team(dev), peers=5, peer_score=3)
    page = words(login("tara").get(reverse("succession:candidate_card", kwargs={"pk": exact.person_id})))
    assert "3.0" in page and "shown only from 5 raters" in page
    summary = development_summary(person=exact.person)["assessment"]
    assert {"peers", "direct_reports"}.isdisjoint(summary["dimensions"][0]), "parts raters were not told of"
