"""One readiness per person and position (issue 19): the succession pool and the career
conversation read and write the same value, keep its history, and can no longer disagree.
When two assessments meet, the newest (by the day it was made) counts; an older one is kept in
the history only."""

import random
import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinlead.development.selectors import development_summary
from clinlead.development.services_people import record_career_conversation
from clinlead.org.models import Position, PositionReadiness, Readiness
from clinlead.succession import services
from clinlead.succession.models import PoolCandidate, SuccessionPool
from tests.succession.conftest import northgate_people, user

pytestmark = pytest.mark.django_db


def medicine():
    return Position.objects.get(organisation__slug="northgate", title="Divisional Director, Medicine")


def converse(person, position, readiness, on, actor="tara"):
    return record_career_conversation(
        actor=user(actor), person=person, conversation_on=on, impact="strong", aspiration="step_up",
        readiness=readiness, next_steps="Act up for the divisional director", position=position)


def text_of(response, element_id, closed_by="</dd>"):
    html = response.content.decode()
    start = html.index(">", html.index(f'id="{element_id}"')) + 1
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html[start:html.index(closed_by, start)])).split())


def pool_row(response, person):
    html = response.content.decode()
    html = html[html.index('id="candidates"'):]
    row = html[html.index(person.full_name):]
    return unescape(re.sub(r"<[^>]+>", " ", row[:row.index("</tr>")]))


def test_a_readiness_set_in_a_career_conversation_shows_in_the_pool(dev, login):
    person, position = northgate_people(count=1)[0], medicine()
    services.nominate_candidate(actor=user("tara"), position=position, person=person,
                                readiness=Readiness.READY_NOW, nominated_on=dev.today - timedelta(days=30))
    ready_before = SuccessionPool.objects.get(position=position).ready_now_count
    response = login("tara").post(reverse("development:plan_create", kwargs={"pk": person.pk}), {
        "conversation_on": dev.today.isoformat(), "impact": "strong", "aspiration": "step_up",
        "readiness": Readiness.ONE_TO_TWO_YEARS, "position": position.pk, "next_steps": "Deputise for a quarter"})
    assert response.status_code == 302
    entry = PoolCandidate.objects.get(pool__position=position, person=person)
    assert entry.readiness == Readiness.ONE_TO_TWO_YEARS
    assert SuccessionPool.objects.get(position=position).ready_now_count == ready_before - 1
    row = pool_row(login("tara").get(reverse("succession:pool", kwargs={"pk": position.pk})), person)
    assert "1–2 years" in row and "Ready now" not in row


def test_a_readiness_set_in_the_pool_shows_in_the_career_conversation(dev, login):
    person, position = northgate_people(count=1)[0], medicine()
    converse(person, position, Readiness.THREE_TO_FIVE_YEARS, dev.today - timedelta(days=20))
    response = login("tara").post(reverse("succession:nominate", kwargs={"pk": position.pk}), {
        "staff_number": person.staff_number, "readiness": Readiness.READY_NOW, "development_actions": "", "notes": ""})
    assert response.status_code == 302
    assert development_summary(person=person)["plan"]["readiness"] == Readiness.READY_NOW
    page = login("tara").get(reverse("development:person", kwargs={"pk": person.pk}))
    shown = text_of(page, "plan-readiness")
    assert shown.startswith("Ready now for Divisional Director, Medicine")
    assert "this conversation said 3–5 years" in shown


def test_the_history_keeps_every_assessment_on_the_card_and_the_development_page(dev, login):
    person, position = northgate_people(count=1)[0], medicine()
    converse(person, position, Readiness.THREE_TO_FIVE_YEARS, dev.today - timedelta(days=90))
    entry = services.nominate_candidate(actor=user("tara"), position=position, person=person,
                                        readiness=Readiness.ONE_TO_TWO_YEARS, nominated_on=dev.today - timedelta(days=40))
    services.update_candidate(actor=user("tara"), entry=entry, readiness=Readiness.READY_NOW,
                              development_actions="", notes="")
    standing = PositionReadiness.objects.get(person=person, position=position)
    assert [(h.level, h.source) for h in standing.history.all()] == [
        (Readiness.READY_NOW, "pool"), (Readiness.ONE_TO_TWO_YEARS, "pool"),
        (Readiness.THREE_TO_FIVE_YEARS, "career_conversation")]
    tara = login("tara")
    for url in (reverse("succession:candidate_card", kwargs={"pk": person.pk}),
                reverse("development:person", kwargs={"pk": person.pk})):
        history = text_of(tara.get(url), "readiness-history", closed_by="</table>")
        assert "Divisional Director, Medicine" in history
        for words in ("Ready now (succession pool", "1–2 years (succession pool", "3–5 years (career conversation"):
            assert words in history, (url, words)


def test_a_career_conversation_written_up_late_does_not_overturn_a_newer_pool_readiness(dev, login):
    person, position = northgate_people(count=1)[0], medicine()
    services.nominate_candidate(actor=user("tara"), position=position, person=person, readiness=Readiness.READY_NOW,
                                nominated_on=dev.today - timedelta(days=5))
    response = login("tara").post(reverse("development:plan_create", kwargs={"pk": person.pk}), {
        "conversation_on": (dev.today - timedelta(days=60)).isoformat(), "impact": "strong", "aspiration": "step_up",
        "readiness": Readiness.FIVE_YEARS_PLUS, "position": position.pk, "next_steps": "Finance module"}, follow=True)
    assert "A newer readiness for Divisional Director, Medicine is already recorded" in response.content.decode()
    standing = PositionReadiness.objects.get(person=person, position=position)
    assert standing.level == Readiness.READY_NOW
    late = standing.history.get(source="career_conversation")
    assert late.level == Readiness.FIVE_YEARS_PLUS and late.older_than_current


def fresh(entry):
    return PoolCandidate.objects.select_related("standing").get(pk=entry.pk)


def test_the_pool_and_the_career_conversation_can_no_longer_disagree(dev):
    """Whatever order and dates the two sides write in, the pool, the career-conversation summary
    and the stored value agree, and it is the newest assessment."""
    assert "readiness" not in {f.name for f in PoolCandidate._meta.concrete_fields}, "the pool keeps no copy"
    person, position = northgate_people(count=1)[0], medicine()
    rng = random.Random(19)
    entry = services.nominate_candidate(actor=user("tara"), position=position, person=person,
                                        readiness=Readiness.FIVE_YEARS_PLUS, nominated_on=dev.today - timedelta(days=400))
    newest = (dev.today - timedelta(days=400), 0, Readiness.FIVE_YEARS_PLUS)
    for step in range(1, 25):
        level = rng.choice(Readiness.values)
        if rng.random() < 0.5:
            on = dev.today - timedelta(days=rng.randint(0, 399))
            converse(person, position, level, on)
        else:
            on = dev.today
            if level == fresh(entry).readiness:
                continue  # the same readiness again is no new assessment (notes only)
            services.update_candidate(actor=user("tara"), entry=entry, readiness=level, development_actions="",
                                      notes="")
        newest = max(newest, (on, step, level))
        in_pool = fresh(entry).readiness
        in_conversation = development_summary(person=person)["plan"]
        assert in_pool == newest[2], step
        if in_conversation is not None:
            assert in_conversation["readiness"] == in_pool, step


def test_a_career_conversations_readiness_must_name_its_position(dev, login):
    person = northgate_people(count=1)[0]
    with pytest.raises(ValidationError, match="Choose the position the readiness is for"):
        converse(person, None, Readiness.READY_NOW, dev.today)
    charlie_org = Position.objects.exclude(organisation__slug="northgate").filter(active=True).first()
    with pytest.raises(ValidationError, match="person's own organisation"):
        converse(person, charlie_org, Readiness.READY_NOW, dev.today)
    response = login("tara").post(reverse("development:plan_create", kwargs={"pk": person.pk}), {
        "conversation_on": dev.today.isoformat(), "impact": "strong", "aspiration": "step_up",
        "readiness": Readiness.READY_NOW, "next_steps": "x"})
    assert response.status_code == 200 and not PositionReadiness.objects.filter(person=person).exists()
