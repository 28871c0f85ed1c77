"""Attacks on the leader index's anonymity. Each test tries one way to learn an individual's
answers, or a score from fewer than k people, and asserts that nothing leaks."""

import io
import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from clinlead.audit.models import AuditEvent
from clinlead.leaderindex.models import CycleResult, LeaderResult, UnitResult
from clinlead.leaderindex.services import publish_cycle
from clinlead.surveys import services
from clinlead.surveys.models import Comment, Invitation, Response, SealedResponse, SurveyCycle
from tests.surveys.world import CUSTODIAN, World, at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World(k=5)


def published_units(cycle):
    return {r.unit.path: r.responses for r in UnitResult.objects.filter(cycle=cycle).select_related("unit")}


def published_leaders(cycle):
    return {r.leader_id: r.responses for r in LeaderResult.objects.filter(cycle=cycle)}


def test_a_leader_with_4_answers_has_no_figure_anywhere(world, login, demo, client):
    leader = world.person("Surgery/Ortho")
    big = world.person("Surgery/Ortho")
    cycle = world.cycle()
    world.responses(cycle, leader=leader, unit_path="Surgery/Ortho/Team A", n=4, score=1)
    world.responses(cycle, leader=big, unit_path="Surgery/Ortho/Team B", n=12, score=5)
    publish_cycle(actor=None, cycle=cycle)
    assert leader.pk not in published_leaders(cycle)
    assert not LeaderResult.objects.filter(leader=leader).exists()
    # No published group anywhere equals the small leader's own figures.
    assert all(r.index != 12 for r in UnitResult.objects.filter(cycle=cycle))


def test_a_department_minus_its_only_published_sub_group_reveals_nothing(world):
    # Department of 10: one leader's group of 7 and another of 3. Leader first: the 7 get their
    # report, and the department shows those same 7 (the 3 are counted at a higher level, where
    # they are still too few, so in no figure): department minus leader is nobody.
    a, b = world.person("Medicine/Cardiology"), world.person("Medicine/Cardiology")
    cycle = world.cycle()
    world.responses(cycle, leader=a, unit_path="Medicine/Cardiology", n=7, score=5)
    world.responses(cycle, leader=b, unit_path="Medicine/Cardiology", n=3, score=1)
    publish_cycle(actor=None, cycle=cycle)
    units, leaders = published_units(cycle), published_leaders(cycle)
    assert leaders == {a.pk: 7}
    assert units["Medicine/Cardiology"] == 7
    assert UnitResult.objects.get(cycle=cycle, unit__path="Medicine/Cardiology").counted_higher_up
    assert all(r.index == 60 for r in UnitResult.objects.filter(cycle=cycle)), "the 3 (all 1s) are nowhere"


def test_two_sibling_teams_of_6_and_3_do_not_give_away_the_3(world):
    a, b = world.person("Medicine/Respiratory"), world.person("Medicine/Respiratory")
    cycle = world.cycle()
    world.responses(cycle, leader=a, unit_path="Medicine/Respiratory/Ward 1", n=6, score=5)
    world.responses(cycle, leader=b, unit_path="Medicine/Respiratory/Ward 2", n=3, score=1)
    publish_cycle(actor=None, cycle=cycle)
    units, leaders = published_units(cycle), published_leaders(cycle)
    assert leaders == {a.pk: 6}
    assert set(units.values()) == {6}, "the department shows the team of 6, never 9"
    assert b.pk not in leaders


def test_every_published_group_minus_the_published_groups_inside_it_leaves_0_or_at_least_k(world):
    leads = [world.person("Surgery") for _ in range(5)]
    cycle = world.cycle()
    sizes = [(leads[0], "Surgery/Urology", 8), (leads[1], "Surgery/Urology", 2), (leads[2], "Surgery/Theatres", 5),
             (leads[3], "Surgery/Theatres", 6), (leads[4], "Surgery/Anaesthetics", 4)]
    for leader, path, n in sizes:
        world.responses(cycle, leader=leader, unit_path=path, n=n)
    publish_cycle(actor=None, cycle=cycle)
    units, leaders = published_units(cycle), published_leaders(cycle)
    for path, n in units.items():
        inside = [m for (leader, p, m) in sizes if p.startswith(path) and leader.pk in leaders]
        inside_units = [m for q, m in units.items() if q.startswith(path + "/")]
        for family in (inside, inside_units):
            left = n - sum(family)
            assert left == 0 or left >= 5, (path, family)


def test_response_keys_reveal_no_order(world):
    leader = world.person("Medicine")
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    people = [world.person("Medicine", leader=leader) for _ in range(30)]
    submitted = []  # each person's answers, in the order they arrived: person i's are unique
    for i, person in enumerate(people):
        invitation = Invitation.objects.create(cycle=cycle, person=person, leader=leader, unit=world.unit("Medicine"),
                                               profession="nurse", token_hash=services.token_hash(f"t{person.pk}"))
        answers = [1 + (i >> bit) % 2 for bit in range(5)] + [3] * 7
        services.submit_response(token=f"t{person.pk}", answers=answers, burnout=2, satisfaction=4)
        invitation.refresh_from_db()
        assert invitation.used
        submitted.append(answers)
    world.close(cycle)
    # Random UUID4 keys: ordering by key gives neither the order of submission nor its reverse
    # (sequential or time-based keys would; 30 random ones do so with odds of 2 in 30!).
    by_key = [r.answers for r in Response.objects.order_by("id")]
    assert sorted(map(tuple, by_key)) == sorted(map(tuple, submitted))
    assert all(str(r.id)[14] == "4" for r in Response.objects.all())
    assert by_key not in (submitted, submitted[::-1])


def test_response_rows_carry_no_person_token_invitation_session_or_time():
    columns = {f.name: f for f in Response._meta.get_fields() if getattr(f, "concrete", False)}
    assert set(columns) == {"id", "cycle", "leader", "unit", "profession", "answers", "burnout", "satisfaction"}
    sealed = {f.name for f in SealedResponse._meta.get_fields() if getattr(f, "concrete", False)}
    assert sealed == {"id", "cycle", "box"}, "a sealed answer carries nothing beside its box"
    assert not any(f.get_internal_type() in {"DateTimeField", "DateField", "TimeField"} for f in columns.values())
    assert columns["id"].get_internal_type() == "UUIDField"
    comment_columns = {f.name for f in Comment._meta.get_fields() if getattr(f, "concrete", False)}
    assert comment_columns == {"id", "cycle", "leader", "text"}, "comments cannot be joined to answers"
    invitation_columns = {f.name for f in Invitation._meta.get_fields() if getattr(f, "concrete", False)}
    assert not {"used_at", "answered_at", "response"} & invitation_columns


def test_the_response_count_does_not_tick_up_while_a_person_watches(world, demo, login):
    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    client = login("erin")
    before = client.get(reverse("surveys:cycle", kwargs={"pk": cycle.pk})).content.decode()
    bob_invitation = Invitation.objects.get(cycle=cycle, person_id=demo.personas["bob"])
    token = services.issue_link(invitation=bob_invitation)
    services.submit_response(token=token, answers=[4] * 12, burnout=1, satisfaction=5)
    after = client.get(reverse("surveys:cycle", kwargs={"pk": cycle.pk})).content.decode()
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(before) == strip(after)


def test_progress_counts_are_rounded_down_to_a_multiple_of_k_and_hidden_below_k(world):
    from clinlead.surveys.models import ResponseRateSnapshot
    from clinlead.surveys.selectors import progress

    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    ResponseRateSnapshot.objects.create(cycle=cycle, day=cycle.opens_on, unit=world.unit("Medicine"), invited=40, responded=13)
    ResponseRateSnapshot.objects.create(cycle=cycle, day=cycle.opens_on, unit=world.unit("Surgery"), invited=40, responded=4)
    _, rows = progress(cycle=cycle)
    by_unit = {r["unit"].path: r for r in rows}
    assert by_unit["Medicine"]["responded_at_least"] == 10
    assert by_unit["Surgery"]["responded_at_least"] is None and by_unit["Surgery"]["rate_band"] is None


def test_comments_from_a_team_of_4_are_never_shown(world, client):
    from clinlead.accounts.models import User

    leader = world.person("Medicine")
    cycle = world.cycle()
    world.responses(cycle, leader=leader, unit_path="Medicine", n=12)
    Comment.objects.bulk_create([Comment(cycle=cycle, leader=leader, text=f"private remark {i}") for i in range(4)])
    publish_cycle(actor=None, cycle=cycle)
    user = User.objects.create(username="leader", person=leader)
    client.force_login(user)
    page = client.get(reverse("leaderindex:report", kwargs={"cycle": cycle.pk, "leader": leader.pk})).content.decode()
    assert "private remark" not in page
    assert "at least 10 people" in page


def test_comments_are_shown_to_the_leader_once_10_have_written(world, client):
    from clinlead.accounts.models import User

    leader = world.person("Medicine")
    cycle = world.cycle()
    world.responses(cycle, leader=leader, unit_path="Medicine", n=12)
    Comment.objects.bulk_create([Comment(cycle=cycle, leader=leader, text=f"remark {i}") for i in range(10)])
    publish_cycle(actor=None, cycle=cycle)
    client.force_login(User.objects.create(username="leader", person=leader))
    page = client.get(reverse("leaderindex:report", kwargs={"cycle": cycle.pk, "leader": leader.pk})).content.decode()
    assert all(f"remark {i}" in page for i in range(10))


def test_the_excel_export_holds_only_published_groups(world, client):
    from clinlead.accounts.models import Role, RoleGrant, User

    small, large = world.person("Medicine"), world.person("Medicine")
    cycle = world.cycle()
    world.responses(cycle, leader=small, unit_path="Medicine/Ward", n=4, score=1)
    world.responses(cycle, leader=large, unit_path="Medicine", n=20)
    publish_cycle(actor=None, cycle=cycle)
    user = User.objects.create(username="exec")
    RoleGrant.objects.create(user=user, role=Role.EXECUTIVE, organisation=world.org)
    client.force_login(user)
    book = load_workbook(io.BytesIO(client.get(reverse("leaderindex:export", kwargs={"pk": cycle.pk})).content))
    for sheet in book.worksheets:
        counts = [row[2] if sheet.title == "Leaders" else row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert all(n is None or n >= 5 for n in counts), sheet.title
    staff_numbers = [row[1] for row in book["Leaders"].iter_rows(min_row=2, values_only=True)]
    assert small.staff_number not in staff_numbers


def test_results_do_not_exist_before_the_cycle_closes(world, client):
    from clinlead.accounts.models import Role, RoleGrant, User

    leader = world.person("Medicine")
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    world.responses(cycle, leader=leader, unit_path="Medicine", n=30)
    with pytest.raises(ValidationError):
        publish_cycle(actor=None, cycle=cycle)
    assert not LeaderResult.objects.exists() and not CycleResult.objects.exists()
    user = User.objects.create(username="exec")
    RoleGrant.objects.create(user=user, role=Role.EXECUTIVE, organisation=world.org)
    client.force_login(user)
    assert client.get(reverse("leaderindex:dashboard", kwargs={"pk": cycle.pk})).status_code == 404


def test_answering_writes_no_audit_event_and_logs_no_answer(world, client, caplog):
    leader = world.person("Medicine")
    person = world.person("Medicine", leader=leader)
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    Invitation.objects.create(cycle=cycle, person=person, leader=leader, unit=world.unit("Medicine"),
                              profession="nurse", token_hash=services.token_hash("secret-link"))
    events = AuditEvent.objects.count()
    form = {f"q{i}": "2" for i in range(1, 13)} | {"burnout": "4", "satisfaction": "1", "leader": str(leader.pk),
                                                   "comment": "a distinctive sentence"}
    with caplog.at_level(logging.DEBUG):
        response = client.post(reverse("surveys:answer", kwargs={"token": "secret-link"}), form)
    assert response.status_code == 302
    assert AuditEvent.objects.count() == events
    assert "distinctive" not in caplog.text and "secret-link" not in caplog.text


def test_a_used_link_cannot_answer_again(world, client):
    leader = world.person("Medicine")
    person = world.person("Medicine", leader=leader)
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    Invitation.objects.create(cycle=cycle, person=person, leader=leader, unit=world.unit("Medicine"),
                              profession="nurse", token_hash=services.token_hash("once"))
    services.submit_response(token="once", answers=[3] * 12, burnout=2, satisfaction=4)
    with pytest.raises(services.InvitationUnusable):
        services.submit_response(token="once", answers=[3] * 12, burnout=2, satisfaction=4)
    assert client.get(reverse("surveys:answer", kwargs={"token": "once"})).status_code == 410
    assert SealedResponse.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_link_submitted_concurrently_stores_exactly_one_response():
    world = World(k=5)
    leader = world.person("Medicine")
    person = world.person("Medicine", leader=leader)
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    Invitation.objects.create(cycle=cycle, person=person, leader=leader, unit=world.unit("Medicine"),
                              profession="nurse", token_hash=services.token_hash("race"))
    submit = lambda: services.submit_response(token="race", answers=[3] * 12, burnout=2, satisfaction=4)  # noqa: E731
    outcomes = at_once([submit] * 8)
    assert outcomes.count("stored") == 1, outcomes
    assert SealedResponse.objects.filter(cycle=cycle).count() == 1


def test_a_respondent_may_name_another_leader_only_from_their_unit(world):
    recorded = world.person("Medicine/Ward")
    actual = world.person("Medicine/Ward")
    stranger = world.person("Surgery/Theatres")
    person = world.person("Medicine/Ward", leader=recorded)
    world.person("Medicine/Ward", leader=actual)  # actual leads someone in the unit
    cycle = world.cycle(status=SurveyCycle.Status.OPEN)
    Invitation.objects.create(cycle=cycle, person=person, leader=recorded, unit=world.unit("Medicine/Ward"),
                              profession="nurse", token_hash=services.token_hash("choose"))
    with pytest.raises(ValidationError):
        services.submit_response(token="choose", answers=[3] * 12, burnout=2, satisfaction=4, leader=stranger)
    services.submit_response(token="choose", answers=[3] * 12, burnout=2, satisfaction=4, leader=actual)
    assert [sheet["leader"] for sheet in world.sealed(cycle)] == [actual.pk]


def test_reminders_go_only_to_those_who_have_not_answered(world, mailoutbox, django_capture_on_commit_callbacks):
    leader = world.person("Medicine")
    answered, pending = world.person("Medicine", leader=leader), world.person("Medicine", leader=leader)
    cycle = world.cycle(status=SurveyCycle.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_cycle(actor=None, cycle=cycle, passphrases=[CUSTODIAN], snapshot_date=cycle.opens_on)
    assert {m.to[0] for m in mailoutbox} == {leader.work_email, answered.work_email, pending.work_email}
    link = next(m for m in mailoutbox if m.to[0] == answered.work_email).body.split("(it works once): ")[1].split()[0]
    services.submit_response(token=link.rstrip("/").split("/")[-1], answers=[4] * 12, burnout=1, satisfaction=5)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(actor=None, cycle=cycle)
    assert answered.work_email not in {m.to[0] for m in mailoutbox}
    assert pending.work_email in {m.to[0] for m in mailoutbox}
    event = AuditEvent.objects.filter(action="surveys.reminders_sent").get()
    assert event.after == {}, "the reminder event says nothing about how many had answered"


def test_a_refused_survey_link_is_not_written_to_the_log(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("surveys:answer", kwargs={"token": "a-secret-token"}))
    assert response.status_code == 410
    from clinlead.logging import RedactSecretLinks

    for record in caplog.records:
        RedactSecretLinks().filter(record)
        assert "a-secret-token" not in record.getMessage()


def test_links_go_out_in_shards_that_name_no_one_and_reach_everyone_once(world, mailoutbox, monkeypatch,
                                                                           django_capture_on_commit_callbacks):
    from clinlead.surveys import tasks

    queued = []
    real = tasks.send_survey_links

    class Watched:
        def enqueue(self, **kwargs):
            queued.append(kwargs)
            return real.enqueue(**kwargs)

    monkeypatch.setattr(services, "LINKS_PER_TASK", 2)
    monkeypatch.setattr(tasks, "send_survey_links", Watched())
    leader = world.person("Medicine")
    team = [world.person("Medicine", leader=leader) for _ in range(4)]
    cycle = world.cycle(status=SurveyCycle.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_cycle(actor=None, cycle=cycle, passphrases=[CUSTODIAN], snapshot_date=cycle.opens_on)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.work_email for p in [leader, *team])
    assert queued == [{"cycle_id": cycle.pk, "shard": s, "shards": 3, "reminder": False} for s in range(3)]
