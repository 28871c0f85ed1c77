"""Evaluation actions: importing figures (all or nothing, upserted), results computed when the data
changes and equal to a hand-written statsmodels fit, and the leader index from published cycles
only."""

from datetime import date

import pandas as pd
import pytest
import statsmodels.formula.api as smf
from django.core.exceptions import ValidationError

from clinlead.audit.models import AuditEvent
from clinlead.evaluation import services
from clinlead.evaluation.analysis import analyse_metric
from clinlead.evaluation.models import EvaluationOrganisation, Metric, MetricResult, Observation
from tests.evaluation.conftest import EFFECT, STARTS, csv_bytes, participants, simulate, xlsx_bytes


def result_for(evaluation, name):
    return MetricResult.objects.get(evaluation=evaluation, metric__name=name)


def by_hand(rows):
    """The model written out with the statsmodels formula API: organisation and period fixed
    effects, standard errors clustered by organisation, t on G-1 degrees of freedom."""
    data = pd.DataFrame(rows)
    start = data["organisation"].map(STARTS)
    data["treated_post"] = (start.notna() & (data["period"] >= start)).astype(int)
    model = smf.ols("value ~ treated_post + C(organisation) + C(period)", data)
    return model.fit(cov_type="cluster", cov_kwds={"groups": data["organisation"]}, use_t=True)


def test_a_known_effect_is_recovered_within_its_ci_and_equals_the_statsmodels_fit(evaluation,
                                                                                  small_world):
    rows = simulate()
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(rows),
                                 filename="satisfaction.csv")
    stored = result_for(evaluation, "staff_satisfaction_pct")
    assert stored.status == MetricResult.Status.ESTIMATED
    low, high = stored.result["ci95"]
    assert low < EFFECT < high
    expected = by_hand(rows)
    assert stored.result["estimator"].startswith("imputation")
    # Two-way FE stays in the technical annex with its conventional CR1 interval.
    conventional = stored.result["conventional"]
    assert conventional["estimate"] == pytest.approx(expected.params["treated_post"], abs=1e-9)
    assert conventional["se"] == pytest.approx(expected.bse["treated_post"], abs=1e-9)
    interval = list(expected.conf_int().loc["treated_post"])
    assert conventional["ci95"] == pytest.approx(interval, abs=1e-9)
    assert stored.result["n"] == 11 * 24
    assert stored.result["pilots"] == STARTS
    assert stored.trend_svg.startswith("<svg") and stored.event_svg.startswith("<svg")


def test_an_excel_file_imports_like_a_csv(evaluation, small_world):
    summary = services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                           content=xlsx_bytes(simulate()), filename="figures.xlsx")
    assert (summary.rows, summary.created) == (264, 264)
    assert Observation.objects.filter(participant__evaluation=evaluation).count() == 264


def test_reimporting_replaces_figures_by_organisation_period_and_metric(evaluation, small_world):
    rows = simulate()
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(rows),
                                 filename="first.csv")
    before = result_for(evaluation, "staff_satisfaction_pct")
    # Only after its start: a shift of a whole series is absorbed by the organisation's effect
    # (the old check passed on rounding noise alone).
    changed = [dict(row, value=row["value"] + (1 if row["period"] >= STARTS["Pilot Two"] else 0))
               if row["organisation"] == "Pilot Two" else row for row in rows[:48]]
    summary = services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                           content=csv_bytes(changed), filename="second.csv")
    assert (summary.created, summary.updated, summary.unchanged) == (0, 12, 36)
    assert Observation.objects.filter(participant__evaluation=evaluation).count() == 264
    one = Observation.objects.get(participant__name="Pilot Two",
                                  metric__name="staff_satisfaction_pct",
                                  period=rows[36]["period"])
    assert rows[36]["period"] == STARTS["Pilot Two"]
    assert one.value == pytest.approx(rows[36]["value"] + 1)
    after = result_for(evaluation, "staff_satisfaction_pct")
    assert after.fingerprint != before.fingerprint
    assert after.result["estimate"] != before.result["estimate"]


def test_an_unchanged_reimport_recomputes_nothing(evaluation, small_world):
    content = csv_bytes(simulate())
    services.import_observations(actor=small_world["tess"], evaluation=evaluation, content=content,
                                 filename="a.csv")
    computed = result_for(evaluation, "staff_satisfaction_pct").computed_at
    services.import_observations(actor=small_world["tess"], evaluation=evaluation, content=content,
                                 filename="a.csv")
    assert result_for(evaluation, "staff_satisfaction_pct").computed_at == computed


def test_a_file_with_three_bad_rows_lists_exactly_those_rows_and_stores_nothing(evaluation,
                                                                                small_world):
    rows = simulate()[:30]
    rows[4] = dict(rows[4], period="2023-13")
    rows[11] = dict(rows[11], value="n/a")
    rows[20] = dict(rows[20], organisation="")
    events = AuditEvent.objects.count()
    with pytest.raises(services.ObservationFileError) as error:
        services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                     content=csv_bytes(rows),
                                     filename="bad.csv")
    # Row 1 is the header, so the 5th, 12th and 21st figures are rows 6, 13 and 22.
    assert [(p.row, p.column) for p in error.value.problems] == [(6, "period"), (13, "value"),
                                                                 (22, "organisation")]
    assert error.value.problems[1].value == "n/a"
    assert Observation.objects.filter(participant__evaluation=evaluation).count() == 0
    assert AuditEvent.objects.count() == events


def test_names_and_metrics_are_checked_against_the_evaluation(evaluation, small_world):
    rows = simulate()[:10]
    rows += [dict(rows[0], organisation="Nowhere Hospitals"), dict(rows[1], metric="hsmr"),
             dict(rows[2], metric="no_such_metric"), dict(rows[3], metric="leader_index")]
    with pytest.raises(services.ObservationFileError) as error:
        services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                     content=csv_bytes(rows),
                                     filename="names.csv")
    reasons = {p.row: p.reason for p in error.value.problems}
    assert set(reasons) == {12, 13, 14, 15}
    assert "not an organisation of this evaluation" in reasons[12]
    assert "not followed by this evaluation" in reasons[13]
    assert "not in the metric catalogue" in reasons[14]
    assert "cannot be imported" in reasons[15]
    assert not Observation.objects.filter(participant__evaluation=evaluation).exists()


def test_organisations_may_be_named_by_code_but_not_twice_for_one_period(evaluation, small_world):
    EvaluationOrganisation.objects.filter(evaluation=evaluation,
                                          name="Comparator 1").update(code="RC1")
    row = {"organisation": "rc1", "period": "2023-01", "metric": "turnover_pct", "value": 11.2}
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes([row]),
                                 filename="code.csv")
    assert Observation.objects.get(metric__name="turnover_pct").participant.name == "Comparator 1"
    twice = [row, dict(row, organisation="Comparator 1")]
    with pytest.raises(services.ObservationFileError) as error:
        services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                     content=csv_bytes(twice),
                                     filename="twice.csv")
    assert [p.row for p in error.value.problems] == [3]


def test_a_metric_keeps_one_kind_of_period(evaluation, small_world):
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(simulate()[:5]), filename="months.csv")
    quarter = {"organisation": "Pilot Two", "period": "2024-Q1", "metric": "staff_satisfaction_pct",
               "value": 1}
    with pytest.raises(services.ObservationFileError) as error:
        services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                     content=csv_bytes([quarter]), filename="quarters.csv")
    assert "months" in error.value.problems[0].reason


def test_a_file_that_is_not_a_table_says_so(evaluation, small_world):
    with pytest.raises(services.ObservationFileError) as error:
        services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                     content=b"\xff\xfe\x00",
                                     filename="garbage.csv")
    assert "UTF-8" in str(error.value.message)
    with pytest.raises(services.ObservationFileError):
        services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                     content=b"a,b\n1,2\n",
                                     filename="notes.txt")


def test_a_quarterly_metric_uses_the_quarter_each_pilot_started_in(small_world):
    pilot = EvaluationOrganisation(name="P", role="pilot", start="2024-02")
    assert (pilot.start_in("month"), pilot.start_in("quarter"), pilot.start_in("date")) == (
        "2024-02", "2024-Q1", "2024-02-01")
    assert EvaluationOrganisation(name="Q", role="pilot",
                                  start="2024-Q3").start_in("month") == "2024-07"


def test_a_metric_with_no_comparators_has_no_estimate_and_says_why(evaluation, small_world):
    rows = [r for r in simulate(metric="turnover_pct") if r["organisation"] in STARTS]
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(rows),
                                 filename="pilots-only.csv")
    stored = result_for(evaluation, "turnover_pct")
    assert stored.status == MetricResult.Status.NOT_ESTIMABLE
    assert "No comparison organisation has figures" in stored.reason
    assert stored.result == {} and stored.trends


def test_a_pilot_without_figures_is_left_out_and_named(evaluation, small_world):
    rows = [r for r in simulate() if r["organisation"] != "Pilot Three"]
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(rows),
                                 filename="two-pilots.csv")
    stored = result_for(evaluation, "staff_satisfaction_pct")
    assert stored.result["n_pilots"] == 2
    assert any("not in this estimate: Pilot Three" in c for c in stored.result["caveats"])


def test_set_up_refuses_a_design_it_cannot_analyse(small_world):
    metric = Metric.objects.filter(name="hsmr")
    with pytest.raises(ValidationError) as error:
        services.create_evaluation(
            actor=small_world["tess"], organisation=small_world["organisation"],
            name="No comparators",
            metrics=list(metric),
            participants=[services.Participant(name="A", role="pilot", start="2024-13")])
    messages = " ".join(error.value.messages)
    assert "Start of 'A'" in messages and "at least one comparison organisation" in messages


def test_changing_the_set_up_removes_an_organisations_figures_and_recomputes(evaluation,
                                                                             small_world):
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(simulate()),
                                 filename="a.csv")
    kept = [p for p in participants(small_world["organisation"]) if p.name != "Comparator 8"]
    services.update_evaluation(actor=small_world["tess"], evaluation=evaluation,
                               name="Simulated pilot",
                               metrics=list(evaluation.metrics.all()), participants=kept)
    assert not Observation.objects.filter(participant__name="Comparator 8").exists()
    assert result_for(evaluation, "staff_satisfaction_pct").result["n_comparators"] == 7
    event = AuditEvent.objects.filter(action="evaluation.updated").get()
    assert event.after["organisations_removed"] == ["Comparator 8"]


def test_an_organisation_adds_its_own_metric_once(small_world):
    metric = services.add_metric(actor=small_world["tess"],
                                 organisation=small_world["organisation"],
                                 name="ed_four_hour_pct", label="Four-hour emergency standard",
                                 definition="Share seen within four hours.",
                                 unit="percentage points",
                                 direction="higher")
    assert metric.organisation == small_world["organisation"]
    with pytest.raises(ValidationError):
        services.add_metric(actor=small_world["olly"], organisation=small_world["other"],
                            name="ed_four_hour_pct",
                            label="Again", definition="x", unit="x", direction="higher")


def test_every_action_leaves_an_audit_event_without_figures(evaluation, small_world):
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(simulate()),
                                 filename="a.csv")
    actions = set(AuditEvent.objects.filter(object_id=str(evaluation.pk))
                  .values_list("action", flat=True))
    assert {"evaluation.created", "evaluation.figures_imported",
            "evaluation.results_computed"} <= actions
    imported = AuditEvent.objects.get(action="evaluation.figures_imported")
    assert imported.organisation == small_world["organisation"]
    assert imported.after["rows"] == 264 and "value" not in str(imported.after)


# --------------------------------------------------------------------------- leader index


def _cycle(organisation, *, year, status, index):
    from clinlead.leaderindex.models import CycleResult
    from clinlead.surveys.models import SurveyCycle
    from clinlead.surveys.services import default_instrument

    cycle = SurveyCycle.objects.create(organisation=organisation, name=str(year),
                                       instrument=default_instrument(),
                                       status=status, opens_on=date(year, 9, 15),
                                       closes_on=date(year, 10, 27))
    CycleResult.objects.create(cycle=cycle, min_responses=5, responses=40 if index else None,
                               index=index)
    return cycle


def test_the_leader_index_comes_only_from_published_cycles(small_world):
    org = small_world["organisation"]
    _cycle(org, year=2023, status="published", index=41.5)
    _cycle(org, year=2024, status="published", index=None)  # too few answers: nothing published
    _cycle(org, year=2025, status="closed", index=44.0)  # computed but not published
    evaluation = services.create_evaluation(
        actor=small_world["tess"], organisation=org, name="Leader index",
        participants=participants(org),
        metrics=list(Metric.objects.filter(name__in=["leader_index", "turnover_pct"])))
    held = Observation.objects.filter(participant__evaluation=evaluation,
                                      metric__name="leader_index")
    assert [(o.participant.name, o.period, o.value, o.source) for o in held] == [
        ("Pilot One", "2023-10", 41.5, "leader_index")]
    # Publishing the 2025 cycle later: "Update results" takes it.
    from clinlead.surveys.models import SurveyCycle

    SurveyCycle.objects.filter(organisation=org, name="2025").update(status="published")
    assert services.sync_leader_index(actor=small_world["tess"], evaluation=evaluation) == 2
    assert sorted(held.values_list("value", flat=True)) == [41.5, 44.0]
    assert result_for(evaluation, "leader_index").status == MetricResult.Status.NOT_ESTIMABLE


def test_the_demo_evaluation_holds_only_published_leader_index_figures(demo):
    from clinlead.leaderindex.models import CycleResult

    published = set(CycleResult.objects.filter(cycle__status="published", index__isnull=False)
                    .values_list("cycle__organisation__name", "index"))
    held = set(Observation.objects.filter(metric__name="leader_index")
               .values_list("participant__name", "value"))
    assert held and held == published


def test_the_demos_stored_results_equal_a_fresh_analysis_of_its_data(demo):
    """The demo shows precomputed results: they must be what the analysis gives on its data."""
    from clinlead.evaluation.models import Evaluation

    evaluation = Evaluation.objects.get(name="Leadership model pilot")
    stored = {r.metric.name: r
              for r in MetricResult.objects.filter(evaluation=evaluation).select_related("metric")}
    assert sum(r.status == "estimated" for r in stored.values()) == 8
    for name in ("hsmr", "staff_burnout_pct", "operating_margin_pct"):
        fresh = analyse_metric(evaluation=evaluation, metric=Metric.objects.get(name=name))
        assert fresh.fingerprint == stored[name].fingerprint
        for key in ("estimate", "ci95", "p_value_randomisation", "pretrend_p"):
            expected = pytest.approx(fresh.result[key], rel=1e-9)
            assert stored[name].result[key] == expected, (name, key)
        for key in ("estimate", "se", "p_value"):
            expected = pytest.approx(fresh.result["conventional"][key], rel=1e-9)
            assert stored[name].result["conventional"][key] == expected, (name, key)
        assert stored[name].result["caveats"] == fresh.result["caveats"]


def test_publishing_a_cycle_again_brings_its_figure_to_the_evaluations_that_follow_it(
        demo, django_capture_on_commit_callbacks):
    """The leader index tells evaluation through its `results_published` signal (it sits below
    evaluation and does not import it); the evaluation takes the figure once publishing commits."""
    from clinlead.accounts.models import User
    from clinlead.leaderindex.models import CycleResult
    from clinlead.leaderindex.services import republish_cycle

    result = CycleResult.objects.filter(cycle__status="published", index__isnull=False) \
        .select_related("cycle__organisation").order_by("-cycle__opens_on").first()
    held = Observation.objects.filter(metric__name="leader_index",
                                      participant__organisation=result.cycle.organisation)
    assert held.exists()
    held.delete()
    with django_capture_on_commit_callbacks(execute=True):
        republish_cycle(actor=User.objects.get(username="tara"), cycle=result.cycle)
    assert held.exists()
