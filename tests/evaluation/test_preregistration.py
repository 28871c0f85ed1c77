"""Pre-registration of the primary outcome, secondary outcomes' Holm-adjusted readings, and the
synthetic comparators and sensitivity shown beside the difference-in-differences."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinlead.audit.models import AuditEvent
from clinlead.evaluation import preregistration, services
from clinlead.evaluation.models import Metric, PrimaryOutcome
from tests.evaluation.conftest import csv_bytes, participants, simulate


@pytest.fixture
def as_user(client):
    def log_in(user):
        client.force_login(user)
        return client
    return log_in


def metric(name):
    return Metric.objects.get(name=name)


def register(user, evaluation, name, **kwargs):
    return preregistration.register_primary_outcome(actor=user, evaluation=evaluation,
                                                    metric=metric(name), **kwargs)


def import_figures(evaluation, user, rows):
    return services.import_observations(actor=user, evaluation=evaluation, content=csv_bytes(rows),
                                        filename="figures.csv")


def test_naming_the_primary_outcome_is_recorded_and_audited(evaluation, small_world):
    tess = small_world["tess"]
    register(tess, evaluation, "staff_satisfaction_pct", rationale="The aim.")
    register(tess, evaluation, "turnover_pct")
    registration = PrimaryOutcome.objects.get(evaluation=evaluation)
    assert registration.metric.name == "turnover_pct" and not registration.is_locked
    events = list(AuditEvent.objects.filter(action="evaluation.primary_outcome_registered")
                  .order_by("pk").values_list("before", "after"))
    assert events == [({}, {"primary": "staff_satisfaction_pct"}),
                      ({"primary": "staff_satisfaction_pct"}, {"primary": "turnover_pct"})]


def test_once_locked_the_primary_outcome_cannot_change(evaluation, small_world):
    tess = small_world["tess"]
    register(tess, evaluation, "turnover_pct")
    preregistration.lock_primary_outcome(actor=tess, evaluation=evaluation)
    assert AuditEvent.objects.filter(action="evaluation.primary_outcome_locked").count() == 1
    with pytest.raises(ValidationError, match="locked"):
        register(tess, evaluation, "staff_satisfaction_pct")
    assert PrimaryOutcome.objects.get(evaluation=evaluation).metric.name == "turnover_pct"


def test_once_results_exist_a_primary_outcome_can_no_longer_be_named(evaluation, small_world):
    import_figures(evaluation, small_world["tess"], simulate())
    with pytest.raises(ValidationError, match="would not be pre-registered"):
        register(small_world["tess"], evaluation, "staff_satisfaction_pct")
    assert not PrimaryOutcome.objects.exists()


def test_the_primary_outcome_must_be_a_followed_metric_and_stay_followed(evaluation, small_world):
    tess = small_world["tess"]
    with pytest.raises(ValidationError, match="not a metric this evaluation follows"):
        register(tess, evaluation, "hsmr")
    register(tess, evaluation, "turnover_pct")
    with pytest.raises(ValidationError, match="pre-registered primary outcome"):
        services.update_evaluation(actor=tess, evaluation=evaluation, name=evaluation.name,
                                   metrics=[metric("staff_satisfaction_pct")],
                                   participants=participants(small_world["organisation"]))


def test_the_talent_admin_records_and_locks_it_on_its_page(evaluation, small_world, as_user):
    client = as_user(small_world["tess"])
    url = reverse("evaluation:primary", kwargs={"pk": evaluation.pk})
    chosen = metric("staff_satisfaction_pct")
    assert client.post(url, {"metric": chosen.pk, "rationale": "What staff say"}).status_code == 302
    assert client.post(url, {"lock": "1"}).status_code == 302
    page = client.get(url).content.decode()
    assert "The primary outcome is locked" in page and "Staff satisfaction" in page
    assert client.post(url, {"metric": metric("turnover_pct").pk}).status_code == 403
    assert PrimaryOutcome.objects.get(evaluation=evaluation).metric == chosen


def test_the_executive_may_not_name_it(evaluation, small_world, as_user):
    url = reverse("evaluation:primary", kwargs={"pk": evaluation.pk})
    response = as_user(small_world["eve"]).post(url, {"metric": metric("turnover_pct").pk})
    assert response.status_code == 403 and not PrimaryOutcome.objects.exists()


def test_a_secondary_outcome_reads_secondary_and_is_judged_on_its_holm_adjusted_p_value(
        evaluation, small_world, as_user):
    tess = small_world["tess"]
    register(tess, evaluation, "turnover_pct")
    turnover = simulate(metric="turnover_pct", effect=0.0, seed=9)
    import_figures(evaluation, tess, simulate() + turnover)
    content = as_user(small_world["eve"]).get(evaluation.get_absolute_url()).content.decode()
    assert 'id="outcome-roles"' in content
    assert "The primary outcome, named before results existed" in content
    row = content.split('id="outcome-staff_satisfaction_pct"')[1].split("</tr>")[0]
    assert "Secondary" in row and "(secondary)" in row
    assert "Better than comparators (secondary)" in row  # +2 is far beyond chance, even adjusted
    primary = content.split('id="outcome-turnover_pct"')[1].split("</tr>")[0]
    assert "Primary" in primary and "not adjusted" in primary


def test_secondary_outcomes_sharing_their_assignments_get_romano_wolf_beside_holm(
        evaluation, small_world, as_user):
    import_figures(evaluation, small_world["tess"],
                   simulate() + simulate(metric="turnover_pct", effect=0.0, seed=9))
    stored = [r.result for r in evaluation.results.all()]
    assert len({r["randomisation_draws"] for r in stored}) == 1  # the same assignments for each
    content = as_user(small_world["eve"]).get(evaluation.get_absolute_url()).content.decode()
    assert "Adjusted p (Romano–Wolf)" in content
    row = content.split('id="outcome-staff_satisfaction_pct"')[1].split("</tr>")[0]
    assert "not available" not in row and "Better than comparators (secondary)" in row


def test_without_a_primary_outcome_every_metric_is_secondary_and_adjusted(evaluation, small_world,
                                                                          as_user):
    import_figures(evaluation, small_world["tess"], simulate())
    content = as_user(small_world["eve"]).get(evaluation.get_absolute_url()).content.decode()
    assert "No primary outcome was named before the results" in content


def test_the_report_lists_the_synthetic_comparators_weights_and_the_sensitivity(
        evaluation, small_world, as_user):
    import_figures(evaluation, small_world["tess"], simulate())
    stored = evaluation.results.get(metric__name="staff_satisfaction_pct").result
    assert stored["synthetic_did"]["estimate"] == pytest.approx(2.0, abs=0.5)
    assert stored["synthetic_control"]["cohorts"][0]["donor_weights"]
    assert stored["sensitivity"]["breakdown_m"] is not None
    content = as_user(small_world["eve"]).get(evaluation.get_absolute_url()).content.decode()
    section = content.split('id="robustness-staff_satisfaction_pct"')[1]
    section = section.split('id="organisations"')[0]
    assert "Synthetic difference-in-differences" in section and "Synthetic control" in section
    assert "pilots from 2024-01" in section and "pilots from 2024-04" in section  # one per cohort
    assert "Comparator " in section.split("comparators' weights")[1]
    assert "The conclusion holds unless the trends of pilots and comparators" in section


def test_the_demo_locks_its_primary_outcome_and_its_results_gain_the_synthetic_comparators(
        demo, login):
    from clinlead.evaluation.models import MetricResult

    registration = PrimaryOutcome.objects.get(evaluation__name="Leadership model pilot")
    assert registration.metric.name == "hsmr" and registration.is_locked
    url = reverse("evaluation:primary", kwargs={"pk": registration.evaluation_id})
    page = login("tara").get(url)
    assert "The primary outcome is locked" in page.content.decode()

    results = MetricResult.objects.filter(evaluation__name="Leadership model pilot",
                                          status="estimated")
    assert results
    assert all("synthetic_did" in r.result and "sensitivity" in r.result for r in results)


def test_the_workbook_lists_outcome_roles_and_every_comparators_weight(evaluation, small_world,
                                                                        as_user):
    from openpyxl import load_workbook

    tess = small_world["tess"]
    register(tess, evaluation, "staff_satisfaction_pct")
    import_figures(evaluation, tess, simulate())
    url = reverse("evaluation:xlsx", kwargs={"pk": evaluation.pk})
    response = as_user(small_world["eve"]).get(url)
    book = load_workbook(io.BytesIO(response.content))
    outcomes = list(book["Outcomes"].iter_rows(min_row=2, values_only=True))
    assert [row[:2] for row in outcomes] == [("staff_satisfaction_pct", "primary")]
    weights = list(book["Comparator weights"].iter_rows(min_row=2, values_only=True))
    sdid = [w for w in weights if w[1] == "synthetic_did" and w[2] == "2024-01"]
    assert sum(w[4] for w in sdid) == pytest.approx(1, abs=0.01)
    assert {w[3] for w in weights} <= {f"Comparator {i}" for i in range(1, 9)}
