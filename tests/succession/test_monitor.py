"""The central monitor: bench strength, empty pools, the risk list, over-nomination, clinical
practice and the trend, by organisation, division and level, in a fixed number of queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinlead.dates import add_months
from clinlead.org.models import Appointment, Organisation, Person, Position, PositionLevel, Unit
from clinlead.succession import services
from clinlead.succession.models import MonitorSnapshot, Readiness, SuccessionPool
from clinlead.succession.monitor import Scope, monitor_figures
from clinlead.succession.monitor_store import (
    compute_and_store,
    monitor_figures_for_page,
    refresh_monitor_figures,
)
from clinlead.succession.readiness import bulk_pool_entries
from tests.succession.conftest import current_appointment, northgate_people, user

pytestmark = pytest.mark.django_db


def figures(org, **scope):
    return monitor_figures(scope=Scope(organisation=org, **scope), day=date.today())


def nominate(position, person, readiness=Readiness.READY_NOW):
    return services.nominate_candidate(actor=user("tara"), position=position, person=person, readiness=readiness)


def test_bench_strength_and_empty_pools_follow_the_nominations(no_succession_data, northgate, alices_position, urology):
    before = figures(northgate)["bench"]
    key = Position.objects.filter(organisation=northgate, is_key=True, active=True).count()
    assert before["key_positions"] == key and before["empty_pools"] == key and before["ready_now_1"] == 0
    a, b, c = northgate_people(count=3)
    nominate(alices_position, a)
    nominate(alices_position, b)
    nominate(urology, c)
    services.create_pool(actor=user("tara"), position=Position.objects.get(organisation=northgate,
                                                                             title="Clinical Director, Radiology"))
    after = figures(northgate)["bench"]
    assert (after["ready_now_1"], after["ready_now_2"]) == (2, 1)
    assert after["empty_pools"] == key - 2, "a pool nobody is in still counts as empty"
    assert after["share_1"] == round(100 * 2 / key)


def test_a_holder_leaving_within_the_window_with_nobody_ready_is_at_risk(no_succession_data, northgate,
                                                                        alices_position):
    holder = current_appointment(alices_position)
    Appointment.objects.filter(pk=holder.pk).update(end=date.today() + timedelta(days=200))
    at_risk = [a.position_id for a in figures(northgate)["risk_list"]]
    assert alices_position.pk in at_risk
    services.update_monitor_settings(actor=user("tara"), organisation=northgate, risk_window_months=3,
                                     over_nomination_threshold=3)
    assert alices_position.pk not in [a.position_id for a in figures(northgate)["risk_list"]]
    services.set_planned_departure(actor=user("alice"), appointment=holder, planned_departure=date.today() + timedelta(days=30))
    assert alices_position.pk in [a.position_id for a in figures(northgate)["risk_list"]]
    nominate(alices_position, northgate_people(count=1)[0])
    assert alices_position.pk not in [a.position_id for a in figures(northgate)["risk_list"]]


def test_a_vacant_key_position_with_nobody_ready_is_at_risk(no_succession_data, northgate, urology):
    Appointment.objects.filter(position=urology).update(ended_on=date.today() - timedelta(days=1))
    result = figures(northgate)
    assert urology in result["vacant_list"]
    assert result["risk_count"] == result["leaving_count"] + result["vacant_count"]


def test_people_in_many_pools_are_flagged_from_the_threshold(no_succession_data, northgate):
    person = northgate_people(count=1)[0]
    for position in Position.objects.filter(organisation=northgate, is_key=True).exclude(
            appointments__person=person)[:3]:
        nominate(position, person, Readiness.ONE_TO_TWO_YEARS)
    flagged = figures(northgate)["over_nominated"]
    assert [(r["person_id"], r["pools"]) for r in flagged] == [(person.pk, 3)]
    services.update_monitor_settings(actor=user("tara"), organisation=northgate, risk_window_months=12,
                                     over_nomination_threshold=4)
    assert figures(northgate)["over_nominated"] == []


def test_leaders_without_clinical_sessions_are_flagged_and_management_time_shown_by_level(demo, northgate,
                                                                                       alices_position):
    holder = current_appointment(alices_position)
    Appointment.objects.filter(pk=holder.pk).update(clinical_sessions=0, management_sessions=Decimal("9.5"))
    result = figures(northgate)
    assert holder.pk in [a.pk for a in result["no_clinical"]]
    assert all(a.person.profession not in ("manager", "other") for a in result["no_clinical"])
    level = next(r for r in result["management_by_level"] if r["position__level__name"] == "Clinical director")
    holders = Appointment.objects.filter(position__organisation=northgate, position__level__name="Clinical director",
                                         start__lte=date.today(), end__gte=date.today(), ended_on__isnull=True)
    mean = sum(a.management_sessions for a in holders) / holders.count()
    assert level["holders"] == holders.count() and abs(float(level["management"]) - float(mean)) < 0.01


def test_drilling_down_by_division_and_level(demo, northgate):
    surgery = Unit.objects.get(organisation=northgate, path="Surgery")
    level = PositionLevel.objects.get(organisation=northgate, name="Clinical director")
    in_surgery = Position.objects.filter(organisation=northgate, is_key=True, unit__path__startswith="Surgery").count()
    assert figures(northgate, division=surgery)["bench"]["key_positions"] == in_surgery
    both = figures(northgate, division=surgery, level=level)["bench"]["key_positions"]
    assert both == Position.objects.filter(organisation=northgate, is_key=True, unit__path__startswith="Surgery/",
                                           level=level).count()
    page = figures(northgate, level=level)
    assert page["bench"]["key_positions"] < figures(northgate)["bench"]["key_positions"]


def test_the_snapshot_command_stores_a_day_and_the_monitor_shows_the_series(demo, northgate, login):
    MonitorSnapshot.objects.all().delete()
    call_command("succession", "snapshot", "--today", (date.today() - timedelta(days=1)).isoformat())
    call_command("succession", "snapshot")
    call_command("succession", "snapshot")  # once a day: the second run replaces the first
    assert MonitorSnapshot.objects.filter(organisation=northgate).count() == 2
    page = login("erin").get(reverse("succession:monitor", kwargs={"slug": "northgate"})).content.decode()
    assert 'id="trend"' in page and "<svg" in page and "Pipeline diversity by level" in page


def test_the_kept_figures_are_renewed_by_every_succession_action(demo, northgate, alices_position):
    scope = Scope(organisation=northgate)
    first = monitor_figures_for_page(scope=scope)
    assert count_queries(lambda: monitor_figures_for_page(scope=scope)) == 1, "only the settings are read"
    assert monitor_figures_for_page(scope=scope)["bench"] == first["bench"]
    for entry in alices_position.succession_pool.candidates.filter(standing__level=Readiness.READY_NOW):
        services.remove_candidate(actor=user("tara"), entry=entry)
    after = monitor_figures_for_page(scope=scope)
    assert after["bench"]["ready_now_1"] == first["bench"]["ready_now_1"] - 1
    assert not after["refreshing"]


@pytest.fixture
def task_queue(settings):
    """Production's arrangement: background tasks wait in a queue for a worker."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    return backend


def test_with_a_task_queue_a_visit_after_a_change_waits_for_no_sums(demo, northgate, alices_position, task_queue,
                                                                      login):
    scope = Scope(organisation=northgate)
    first = monitor_figures_for_page(scope=scope)
    for entry in alices_position.succession_pool.candidates.filter(standing__level=Readiness.READY_NOW):
        services.remove_candidate(actor=user("tara"), entry=entry)
    # Until the worker has run, visitors see the kept figures, told they are being renewed ...
    seen = monitor_figures_for_page(scope=scope)
    assert seen["refreshing"] and seen["bench"] == first["bench"]
    page = login("tara").get(reverse("succession:monitor", kwargs={"slug": "northgate"})).content.decode()
    assert "Newer figures are being worked out" in page
    # ... and however many visit, one refresh is queued.
    queued = [r for r in task_queue.results if r.task.name == "refresh_monitor_figures"]
    assert len(queued) == 1 and queued[0].kwargs["organisation_id"] == northgate.pk
    refresh_monitor_figures.call(**queued[0].kwargs)  # the worker
    renewed = monitor_figures_for_page(scope=scope)
    assert not renewed["refreshing"]
    assert renewed["bench"]["ready_now_1"] == first["bench"]["ready_now_1"] - 1


def test_a_succession_action_queues_the_refresh_when_it_commits(demo, northgate, alices_position, task_queue,
                                                                 django_capture_on_commit_callbacks):
    entry = alices_position.succession_pool.candidates.first()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_candidate(actor=user("tara"), entry=entry)
    queued = [r.kwargs for r in task_queue.results if r.task.name == "refresh_monitor_figures"]
    assert queued == [{"organisation_id": northgate.pk, "division_id": None, "level_id": None,
                       "day": date.today().isoformat()}]


def test_the_daily_snapshot_leaves_the_days_figures_ready(demo, northgate, task_queue):
    call_command("succession", "snapshot", "--organisation", "northgate")
    division = Unit.objects.filter(organisation=northgate, depth=0).first()
    level = PositionLevel.objects.filter(organisation=northgate).first()
    for scope in (Scope(organisation=northgate), Scope(organisation=northgate, division=division),
                  Scope(organisation=northgate, level=level)):
        assert count_queries(lambda scope=scope: monitor_figures_for_page(scope=scope)) == 1, "kept, not worked out"
        seen = monitor_figures_for_page(scope=scope)
        assert not seen["refreshing"] and seen["day"] == date.today()
    assert not task_queue.results, "nothing left for a visitor to wait for"


def test_figures_kept_from_an_earlier_day_are_renewed(demo, northgate, task_queue):
    scope = Scope(organisation=northgate)
    compute_and_store(scope=scope, day=date.today() - timedelta(days=1))
    assert monitor_figures_for_page(scope=scope)["refreshing"]
    assert len(task_queue.results) == 1


# ---------------------------------------------------------------- queries do not grow


def build_organisation(slug, positions):
    """An organisation with `positions` key positions, each held, with a pool of two candidates
    (someone ready now in every other pool), a third of the terms ending within the year and a
    few holders without clinical sessions."""
    org = Organisation.objects.create(name=f"Scale {slug}", slug=slug)
    level = PositionLevel.objects.create(organisation=org, name="Clinical director", rank=3)
    division = Unit.objects.create(organisation=org, name="Medicine", path="Medicine", kind="division")
    people = Person.objects.bulk_create([
        Person(organisation=org, staff_number=f"{slug}-{i}", first_name="P", last_name=str(i), profession="doctor")
        for i in range(positions * 3)])
    units = Unit.objects.bulk_create([
        Unit(organisation=org, parent=division, name=f"Dept {i}", path=f"Medicine/Dept {i}", depth=1)
        for i in range(positions)])
    posts = Position.objects.bulk_create([
        Position(organisation=org, title=f"Clinical Director {i}", unit=units[i], level=level, is_key=True)
        for i in range(positions)])
    today = date.today()
    Appointment.objects.bulk_create([
        Appointment(position=p, person=people[i], start=today - timedelta(days=900),
                    end=add_months(today, 6) if i % 3 == 0 else add_months(today, 30),
                    clinical_sessions=0 if i % 7 == 0 else 6, management_sessions=4)
        for i, p in enumerate(posts)])
    pools = SuccessionPool.objects.bulk_create([SuccessionPool(position=p) for p in posts])
    bulk_pool_entries([
        (pool, people[positions + (2 * i + j) % (2 * positions)].pk,
         Readiness.READY_NOW if i % 2 == 0 and j == 0 else Readiness.THREE_TO_FIVE_YEARS, today, {})
        for i, pool in enumerate(pools) for j in range(2)], assessed_by_label="test")
    services.recount_pools(pools=SuccessionPool.objects.filter(position__organisation=org))
    return org


def count_queries(call):
    # A request empties the query log when it starts (django.db.reset_queries): start from an
    # empty log, so what a request runs is counted rather than sliced away.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_the_monitor_needs_the_same_number_of_queries_for_10_and_100_positions(db, client):
    from clinlead.accounts.models import User

    small, large = build_organisation("ten", 10), build_organisation("hundred", 100)
    assert figures(large)["bench"]["key_positions"] == 100
    assert len(figures(large)["risk_list"]) > len(figures(small)["risk_list"])
    assert count_queries(lambda: figures(small)) == count_queries(lambda: figures(large))
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-not-used-1"))
    views = [count_queries(lambda org=org: client.get(reverse("succession:monitor", kwargs={"slug": org.slug})))
             for org in (small, large)]
    assert views[0] > 10 and views[0] == views[1]
