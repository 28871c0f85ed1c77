"""Moving the two existing readiness values into the one readiness per person and position
(succession 0002-0003, development 0006): both histories are kept, and where the pool and a
career conversation disagreed, the newest is current and the other stays in the history."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clinlead.development.models import DevelopmentPlan
from clinlead.org.models import Position, PositionLevel, PositionReadiness, Unit
from clinlead.succession.models import PoolCandidate
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("succession", "0001_initial"), ("development", "0005_mentee_consent")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_readiness_moves_with_both_histories_and_the_newest_value_wins():
    today = date.today()
    old = migrate(BEFORE)
    org = OrganisationFactory()
    unit = Unit.objects.create(organisation=org, name="Medicine", path="medicine")
    director = PositionLevel.objects.create(organisation=org, name="Divisional director", rank=5)
    lead = PositionLevel.objects.create(organisation=org, name="Team lead", rank=1)
    position = Position.objects.create(organisation=org, title="Divisional Director, Medicine", unit=unit,
                                       level=director)
    pool = old.get_model("succession", "SuccessionPool").objects.create(position_id=position.pk)
    entries, plans = old.get_model("succession", "PoolCandidate").objects, old.get_model("development", "DevelopmentPlan").objects

    def person_with(pool_readiness, pool_days_ago, plan_readiness, plan_days_ago, level=director):
        person = PersonFactory(organisation=org)
        if pool_readiness:
            entry = entries.create(pool=pool, person_id=person.pk, readiness=pool_readiness, nominated_on=today,
                                   nominated_by_label="Tara Admin")
            entries.filter(pk=entry.pk).update(updated_at=f"{today - timedelta(days=pool_days_ago)} 12:00Z")
        plans.create(person_id=person.pk, conversation_on=today - timedelta(days=plan_days_ago),
                     recorded_by_name="Alice Morgan", impact="strong", aspiration="step_up", target_level_id=level.pk,
                     readiness=plan_readiness, next_steps="Deputise")
        return person

    pool_newer = person_with("ready_now", 10, "1_2_years", 30)
    conversation_newer = person_with("3_5_years", 100, "ready_now", 5)
    agreeing = person_with("1_2_years", 50, "1_2_years", 40)
    elsewhere = person_with("5_plus_years", 20, "ready_now", 3, level=lead)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    def history(person):
        standing = PositionReadiness.objects.get(person=person, position=position)
        return standing, [(h.level, h.source, h.older_than_current) for h in standing.history.all()]

    standing, rows = history(pool_newer)
    assert standing.level == "ready_now" and standing.source == "pool"
    assert rows == [("ready_now", "pool", False), ("1_2_years", "career_conversation", True)]
    standing, rows = history(conversation_newer)
    assert standing.level == "ready_now" and standing.source == "career_conversation"
    assert standing.assessed_by_label == "Alice Morgan"
    assert rows == [("ready_now", "career_conversation", False), ("3_5_years", "pool", False)]
    assert history(agreeing)[0].level == "1_2_years" and len(history(agreeing)[1]) == 2
    # A conversation about another level has no position in common with the pool: kept on the plan.
    assert history(elsewhere)[1] == [("5_plus_years", "pool", False)]
    plan = DevelopmentPlan.objects.get(person=elsewhere)
    assert plan.position is None and plan.readiness == "ready_now"
    for person in (pool_newer, conversation_newer, agreeing):
        plan = DevelopmentPlan.objects.get(person=person)
        assert plan.position == position and plan.readiness_record.readiness.person_id == person.pk
        entry = PoolCandidate.objects.get(person=person)
        assert entry.readiness == PositionReadiness.objects.get(person=person, position=position).level
