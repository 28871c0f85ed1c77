"""Retention of survey answers (docs/operations.md, "Retention"): once a published cycle's
closing day is CLINLEAD_SURVEY_RETENTION_DAYS behind, its answers, comments and sealed boxes are
deleted by `clinlead survey-retention`, one audited action per cycle, and everything published
from them stays readable and unchanged."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clinlead.accounts.models import User
from clinlead.audit.models import AuditEvent
from clinlead.leaderindex.models import LeaderResult
from clinlead.leaderindex.services import republish_cycle
from clinlead.surveys.models import Comment, Response, SurveyCycle

pytestmark = pytest.mark.django_db


def published_json(cycle):
    out = io.StringIO()
    call_command("leaderindex", "published", str(cycle.pk), "--json", "--covers", stdout=out)
    return json.loads(out.getvalue())


def retention(*arguments):
    out = io.StringIO()
    call_command("survey_retention", *arguments, stdout=out)
    return out.getvalue()


def alices_latest(demo):
    alice = User.objects.get(username="alice")
    result = LeaderResult.objects.filter(leader_id=alice.person_id, cycle__status="published").order_by(
        "-cycle__opens_on").select_related("cycle").first()
    return alice, result.cycle


def test_answers_are_kept_while_no_retention_period_is_set(demo, settings):
    settings.CLINLEAD_SURVEY_RETENTION_DAYS = None
    before = Response.objects.count()
    assert "not set" in retention()
    assert Response.objects.count() == before > 0
    assert not SurveyCycle.objects.filter(answers_deleted_on__isnull=False).exists()


def test_past_the_period_answers_go_and_published_reports_still_show_the_same_figures(demo, login, settings):
    alice, cycle = alices_latest(demo)
    assert Response.objects.filter(cycle=cycle).exists() and Comment.objects.filter(cycle=cycle).exists()
    figures = published_json(cycle)
    report = reverse("leaderindex:report", kwargs={"cycle": cycle.pk, "leader": alice.person_id})
    dashboard = reverse("leaderindex:dashboard", kwargs={"pk": cycle.pk})
    leader_result = LeaderResult.objects.get(cycle=cycle, leader_id=alice.person_id)
    days = (timezone.localdate() - cycle.closes_on).days - 1
    within = {c.pk: c.responses.count() for c in SurveyCycle.objects.filter(closes_on__gt=cycle.closes_on)
              .exclude(pk=cycle.pk)}

    settings.CLINLEAD_SURVEY_RETENTION_DAYS = days
    out = retention()

    assert f"{cycle.name} (closed {cycle.closes_on})" in out
    assert not Response.objects.filter(cycle=cycle).exists()
    assert not Comment.objects.filter(cycle=cycle).exists()
    cycle.refresh_from_db()
    assert cycle.answers_deleted_on == timezone.localdate()
    # Cycles that closed within the period keep their answers.
    assert {pk: Response.objects.filter(cycle_id=pk).count() for pk in within} == within
    # One named, audited action for the cycle, with counts only.
    events = AuditEvent.objects.filter(action="surveys.answers_deleted_for_retention", object_id=str(cycle.pk))
    assert events.count() == 1 and events.get().after["responses"] > 0
    # What was published is unchanged and still shown.
    assert published_json(cycle) == figures
    page = login("alice").get(report)
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{leader_result.index:.2f}"[:3] in html and "retention period ended" in html
    assert login("erin").get(dashboard).status_code == 200


def test_unpublished_cycles_keep_their_answers_whatever_the_period(demo, settings):
    kept = {c.pk: c.responses.count() for c in SurveyCycle.objects.exclude(status="published")}
    settings.CLINLEAD_SURVEY_RETENTION_DAYS = 0
    retention()
    assert {c.pk: c.responses.count() for c in SurveyCycle.objects.exclude(status="published")} == kept
    assert not SurveyCycle.objects.filter(status="published", answers_deleted_on__isnull=True,
                                          closes_on__lt=timezone.localdate()).exists()


def test_a_dry_run_names_the_cycles_and_deletes_nothing(demo, settings):
    before = Response.objects.count()
    out = retention("--days", "0", "--dry-run")
    assert "would delete the answers of" in out
    assert Response.objects.count() == before


def test_a_cycle_whose_answers_are_gone_cannot_be_published_again_from_nothing(demo, settings):
    _, cycle = alices_latest(demo)
    settings.CLINLEAD_SURVEY_RETENTION_DAYS = 0
    retention()
    cycle.refresh_from_db()
    leaders = LeaderResult.objects.filter(cycle=cycle).count()
    with pytest.raises(ValidationError, match="retention"):
        republish_cycle(actor=None, cycle=cycle)
    call_command("leaderindex", "republish", "--all", stdout=io.StringIO())
    assert LeaderResult.objects.filter(cycle=cycle).count() == leaders > 0
