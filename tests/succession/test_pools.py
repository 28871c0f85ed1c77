"""Pools and candidates: who may nominate, what a nomination records, and what the audit trail
keeps (readiness, never notes)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinlead.accounts import permissions
from clinlead.audit.models import AuditEvent
from clinlead.org.models import Person, Position
from clinlead.succession import services
from clinlead.succession.models import PoolCandidate, Readiness, SuccessionPool
from tests.succession.conftest import current_appointment, northgate_people, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_succession_data")]


def test_a_nomination_records_who_when_readiness_and_development_and_keeps_the_depth(alices_position):
    people = northgate_people(count=3)
    tara = user("tara")
    for person, readiness in zip(people, [Readiness.READY_NOW, Readiness.READY_NOW, Readiness.FIVE_YEARS_PLUS],
                                 strict=True):
        services.nominate_candidate(actor=tara, position=alices_position, person=person, readiness=readiness,
                                    development_actions="Secondment", notes="Strong at governance")
    pool = SuccessionPool.objects.get(position=alices_position)
    assert (pool.candidate_count, pool.ready_now_count) == (3, 2)
    entry = pool.candidates.get(person=people[2])
    assert entry.nominated_by == tara and entry.nominated_on is not None
    assert entry.development_actions == "Secondment"
    services.update_candidate(actor=tara, entry=entry, readiness=Readiness.READY_NOW, development_actions="", notes="")
    pool.refresh_from_db()
    assert pool.ready_now_count == 3
    services.remove_candidate(actor=tara, entry=pool.candidates.get(person=people[0]))
    pool.refresh_from_db()
    assert (pool.candidate_count, pool.ready_now_count) == (2, 2)


def test_the_audit_trail_keeps_readiness_but_never_notes_or_development_actions(alices_position):
    person = northgate_people(count=1)[0]
    services.nominate_candidate(actor=user("alice"), position=alices_position, person=person,
                                readiness=Readiness.ONE_TO_TWO_YEARS, notes="private remark", development_actions="x y z")
    events = AuditEvent.objects.filter(action__startswith="succession.")
    assert {e.action for e in events} == {"succession.pool_created", "succession.candidate_nominated"}
    nominated = events.get(action="succession.candidate_nominated")
    assert nominated.after == {"readiness": Readiness.ONE_TO_TWO_YEARS}
    assert all("private remark" not in str(e.after) + str(e.before) for e in events)


def test_one_person_may_sit_in_several_pools_but_once_in_each(alices_position, urology):
    person = northgate_people(count=1)[0]
    tara = user("tara")
    services.nominate_candidate(actor=tara, position=alices_position, person=person, readiness=Readiness.READY_NOW)
    services.nominate_candidate(actor=tara, position=urology, person=person, readiness=Readiness.THREE_TO_FIVE_YEARS)
    with pytest.raises(ValidationError, match="already in this pool"):
        services.nominate_candidate(actor=tara, position=urology, person=person, readiness=Readiness.READY_NOW)
    assert PoolCandidate.objects.filter(person=person).count() == 2


def test_bad_nominations_are_refused_and_nothing_is_half_written(alices_position):
    tara = user("tara")
    riverside_person = Person.objects.filter(organisation__slug="riverside").first()
    with pytest.raises(ValidationError, match="own organisation"):
        services.nominate_candidate(actor=tara, position=alices_position, person=riverside_person,
                                    readiness=Readiness.READY_NOW)
    with pytest.raises(ValidationError, match="own successor"):
        services.nominate_candidate(actor=tara, position=alices_position, person=user("alice").person,
                                    readiness=Readiness.READY_NOW)
    assert not SuccessionPool.objects.filter(position=alices_position).exists()
    with pytest.raises(ValidationError, match="Readiness"):
        services.nominate_candidate(actor=tara, position=alices_position, person=northgate_people(count=1)[0],
                                    readiness="someday")


def test_an_incumbent_manages_only_their_own_pool(alices_position, urology):
    alice, tara, erin = user("alice"), user("tara"), user("erin")
    assert permissions.can_manage_pool(alice, alices_position)
    assert not permissions.can_manage_pool(alice, urology)
    assert not permissions.can_view_pool(alice, urology)
    assert permissions.can_manage_pool(tara, urology)
    assert permissions.can_view_pool(erin, urology) and not permissions.can_manage_pool(erin, urology)
    riverside_key = Position.objects.filter(organisation__slug="riverside", is_key=True).first()
    assert not permissions.can_view_pool(tara, riverside_key)
    for name in ("bob", "aude", "sam"):
        assert not permissions.can_view_pool(user(name), alices_position), name


def test_alice_nominates_for_her_pool_in_the_app_but_not_for_another(alices_position, urology, login):
    client = login("alice")
    person = northgate_people(count=1)[0]
    data = {"staff_number": person.staff_number, "readiness": Readiness.READY_NOW, "development_actions": "", "notes": ""}
    response = client.post(reverse("succession:nominate", kwargs={"pk": alices_position.pk}), data)
    assert response.status_code == 302
    assert PoolCandidate.objects.filter(pool__position=alices_position, person=person).exists()
    response = client.post(reverse("succession:nominate", kwargs={"pk": urology.pk}), data)
    assert response.status_code == 403
    assert not PoolCandidate.objects.filter(pool__position=urology).exists()


def test_the_nominate_form_shows_the_problem_on_the_field(alices_position, login):
    client = login("tara")
    response = client.post(reverse("succession:nominate", kwargs={"pk": alices_position.pk}),
                           {"staff_number": "NOPE", "readiness": Readiness.READY_NOW})
    assert response.status_code == 200
    assert "Nobody at Northgate" in response.content.decode()


def test_my_successors_lists_the_positions_alice_holds(alices_position, login):
    page = login("alice").get(reverse("succession:my_successors")).content.decode()
    assert "Clinical Director, Cardiology" in page and "No pool yet" in page


def test_the_holder_plans_a_departure_within_the_term(alices_position):
    appointment = current_appointment(alices_position)
    with pytest.raises(ValidationError, match="within the term"):
        services.set_planned_departure(actor=user("alice"), appointment=appointment,
                                       planned_departure=appointment.end.replace(year=appointment.end.year + 1))
    plan = services.set_planned_departure(actor=user("alice"), appointment=appointment,
                                          planned_departure=appointment.end)
    assert plan.planned_departure == appointment.end
    assert not permissions.can_plan_departure(user("bob"), appointment)
