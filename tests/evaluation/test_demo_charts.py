"""The demo ships its evaluation charts drawn (clinlead/evaluation/demo_results.json), so building
it draws none and the report's first view only reads. A shipped chart is kept under the key of
everything it was drawn from and the drawing code's version: a change to either draws it afresh."""

import json

import pytest

from clinlead.evaluation import charts, services
from clinlead.evaluation import demo as shipped
from clinlead.evaluation.models import Evaluation, EvaluationOrganisation, Metric, MetricResult

pytestmark = pytest.mark.django_db

REWRITE = ("the shipped charts are stale (the charts' code, the demo's data or the analysis "
           "changed): rewrite the file as clinlead/evaluation/demo.py says")


@pytest.fixture
def drawing(monkeypatch):
    """The names of the metrics whose charts are drawn from now on."""
    names = []
    trend, event = charts._trend, charts._event
    monkeypatch.setattr(charts, "_trend", lambda record, starts: names.append(record.metric.name)
                        or trend(record, starts))
    monkeypatch.setattr(charts, "_event", lambda record: names.append(record.metric.name)
                        or event(record))
    return names


def recompute(evaluation):
    """Everything recomputed as the demo computes it: shipped results and charts offered."""
    return services.recompute_results(actor=None, evaluation=evaluation, force=True,
                                      precomputed=shipped._precomputed(), drawn=shipped._drawn())


def shipped_names():
    return {name for name, entry in json.loads(shipped.RESULTS_FILE.read_text()).items()
            if "charts" in entry}


def test_the_demo_takes_every_shipped_chart_and_draws_none_of_them(demo, drawing):
    evaluation = Evaluation.objects.get(name=shipped.DEMO_NAME)
    analyses = recompute(evaluation)
    assert len(shipped_names()) == 8 and shipped_names() <= {a.metric.name for a in analyses}
    assert not shipped_names() & set(drawing), REWRITE
    stored = MetricResult.objects.get(evaluation=evaluation, metric__name="hsmr")
    assert stored.trend_svg.startswith("<svg") and stored.event_svg.startswith("<svg")


def test_a_shipped_chart_is_what_drawing_it_now_gives(demo):
    stored = MetricResult.objects.select_related("metric").get(
        evaluation__name=shipped.DEMO_NAME, metric__name="hsmr")
    pilots = EvaluationOrganisation.objects.filter(evaluation=stored.evaluation,
                                                   role=EvaluationOrganisation.Role.PILOT)
    starts = list(pilots.values_list("start", flat=True))
    assert charts.drawn(stored, starts=starts) == (stored.trend_svg, stored.event_svg)


def test_a_shipped_chart_is_drawn_afresh_when_its_metric_is_labelled_otherwise(demo, drawing):
    # The label is in the chart but not in the result's fingerprint.
    evaluation = Evaluation.objects.get(name=shipped.DEMO_NAME)
    Metric.objects.filter(name="hsmr").update(label="Mortality ratio")
    recompute(evaluation)
    assert set(drawing) & shipped_names() == {"hsmr"}
    redrawn = MetricResult.objects.get(evaluation=evaluation, metric__name="hsmr")
    assert "Mortality ratio" in redrawn.trend_svg


def test_every_shipped_chart_is_drawn_afresh_when_the_drawing_code_changes(demo, drawing,
                                                                          monkeypatch):
    monkeypatch.setattr(charts, "_code_version", lambda: "changed drawing code")
    recompute(Evaluation.objects.get(name=shipped.DEMO_NAME))
    assert shipped_names() <= set(drawing)
