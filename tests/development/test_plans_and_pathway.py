"""Career conversations and the leadership pathway: plans recorded by the leader, a funnel by
level and profession from the organisation's own levels, learning and its gaps, diversity only
in suppressed aggregates for the special-category role, and the candidate-card summary."""

from datetime import date

import pytest
from django.urls import reverse

from clinlead.development.models import DevelopmentPlan, LearningRecord
from clinlead.development.selectors import development_summary
from clinlead.development.selectors_reports import learning_overview, pathway, pathway_diversity
from clinlead.org.models import Appointment, Organisation, Person, Position, PositionLevel

pytestmark = pytest.mark.django_db


def test_the_leader_records_a_career_conversation(dev, login):
    bob = dev.personas["bob"]
    url = reverse("development:plan_create", kwargs={"pk": bob})
    level = PositionLevel.objects.get(organisation__slug="northgate", name="Team lead")
    position = Position.objects.filter(level=level, active=True).first()
    response = login("alice").post(url, {
        "conversation_on": date.today().isoformat(), "impact": "strong", "aspiration": "step_up",
        "target_level": level.pk, "readiness": "1_2_years", "position": position.pk,
        "next_steps": "Lead the ward's QI huddle"})
    assert response.status_code == 302
    plan = DevelopmentPlan.objects.filter(person_id=bob).first()
    assert (plan.readiness, plan.target_level, plan.recorded_by_name) == ("1_2_years", level, "Alice Morgan")
    assert (plan.position, plan.readiness_record.readiness.level) == (position, "1_2_years")
    assert login("bob").get(url).status_code == 403  # recorded with the person, by their leader


def test_the_funnel_counts_holders_by_level_and_profession(dev):
    northgate = Organisation.objects.get(slug="northgate")
    data = pathway(organisation=northgate, day=dev.today)
    levels = [row["level"].name for row in data["funnel"]]
    assert levels[0] == "Team lead" and levels[-1] == "Chief executive"
    by_level = {row["level"].name: row for row in data["funnel"]}
    assert by_level["Chief executive"]["holders"] == 1
    holders_cd = set(Appointment.objects.filter(position__organisation=northgate, position__level__name="Clinical director",
                                                ended_on__isnull=True, start__lte=dev.today, end__gte=dev.today)
                     .values_list("person_id", flat=True))
    assert by_level["Clinical director"]["holders"] <= len(holders_cd)
    assert sum(by_level["Clinical director"]["holders_by_profession"]) == by_level["Clinical director"]["holders"]
    assert by_level["Head of specialty"]["aiming"] >= 2  # the demo's new consultants aim there
    ready = next(s for s in data["standing"] if s["person"].pk == dev.development["ready"])
    assert ready["level"] is None and ready["plan"].get_readiness_display() == "Ready now"


def test_pathway_diversity_is_suppressed_and_only_for_the_granted_role(dev, login, client):
    northgate = Organisation.objects.get(slug="northgate")
    k = northgate.min_responses
    tables = pathway_diversity(organisation=northgate, day=dev.today)
    assert all(row.total is not None for t in tables for row in t.rows)
    for table in tables:
        for row in table.rows:
            shown = [c.count for c in row.cells if c.count is not None]
            assert all(n == 0 or n >= k for n in shown)
            assert not shown or sum(shown) == row.total  # all classes or none: nothing to subtract
    url = reverse("development:pathway_diversity", kwargs={"slug": "northgate"})
    assert login("sam").get(url).status_code == 200
    client.logout()
    assert login("tara").get(url).status_code == 403


def test_learning_overview_shows_coverage_and_gaps(dev, login):
    northgate = Organisation.objects.get(slug="northgate")
    overview = learning_overview(organisation=northgate, day=dev.today)
    rows = {row["dimension"].name: row for row in overview["rows"]}
    assert rows["Leading with care"]["total"] >= 3
    assert rows["Holding to account"]["gap"]
    assert overview["people_with_records"] == LearningRecord.objects.filter(
        person__organisation=northgate).values("person").distinct().count()
    page = login("tara").get(reverse("development:learning_overview", kwargs={"slug": "northgate"})).content.decode()
    assert "Gap" in page and "Degree (for example an MBA)" in page


def test_a_person_adds_learning_mapped_to_dimensions(dev, login):
    bob = Person.objects.get(pk=dev.personas["bob"])
    from clinlead.development.frameworks import healthcare_leadership_model

    dims = list(healthcare_leadership_model().dimensions.all()[:2])
    response = login("bob").post(reverse("development:learning_create", kwargs={"pk": bob.pk}), {
        "title": "Regional leadership programme", "kind": "programme", "provider": "The region",
        "started_on": "2025-01-10", "completed_on": "2025-06-30", "dimensions": [d.pk for d in dims]})
    assert response.status_code == 302
    record = LearningRecord.objects.get(person=bob, title="Regional leadership programme")
    assert set(record.dimensions.all()) == set(dims)
    page = login("bob").post(reverse("development:learning_create", kwargs={"pk": bob.pk}), {
        "title": "Backwards", "kind": "course", "started_on": "2025-06-30", "completed_on": "2025-01-10"})
    assert "on or after the start date" in page.content.decode()


def test_the_candidate_card_summary(dev):
    ready = Person.objects.get(pk=dev.development["ready"])
    summary = development_summary(person=ready)
    assert set(summary) == {"programme", "assessment", "plan", "learning_records"}
    programme = summary["programme"]
    assert (programme["progress_percent"], programme["milestones_done"], programme["milestones_total"]) == (100, 9, 9)
    assert programme["appointment_decision"] is None
    assessment = summary["assessment"]
    assert assessment["state"] == "closed" and assessment["scale_max"] == 4 and len(assessment["dimensions"]) == 9
    first = assessment["dimensions"][0]
    # The card carries only what raters were told reaches it: the all-rater mean, not its parts.
    assert set(first) == {"dimension", "self", "manager", "all_raters", "all_raters_text"}
    assert first["all_raters_text"] is not None and first["self"] is not None
    assert summary["plan"]["readiness"] == "ready_now" and summary["plan"]["target_level"] == "Head of specialty"
    assert summary["learning_records"] == 2
    midway = development_summary(person=Person.objects.get(pk=dev.development["midway"]))
    assert all(d["all_raters_text"] is None and d["all_raters"] is None for d in midway["assessment"]["dimensions"])
    nobody = development_summary(person=Person.objects.get(pk=dev.personas["charlie"]))
    assert nobody == {"programme": None, "assessment": None, "plan": None, "learning_records": 0}


def test_every_page_renders_for_the_talent_admin(dev, login):
    tara = login("tara")
    for name in ("programmes", "learning_overview", "pathway", "mentor_pool", "frameworks"):
        response = tara.get(reverse(f"development:{name}", kwargs={"slug": "northgate"}))
        assert response.status_code == 200, name
    ready = Person.objects.get(pk=dev.development["ready"])
    assessment = ready.development_assessments.get()
    page = tara.get(reverse("development:assessment", kwargs={"pk": assessment.pk})).content.decode()
    assert "<svg" in page and 'role="img"' in page
