"""Results are computed when the design or the data changes, never when the report is read:
the first view of a report only reads stored results and charts; results stored by an earlier
version of the analysis read as out of date and are recomputed by the next update."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from clinlead.evaluation import analysis, charts, selectors, services
from clinlead.evaluation.models import Evaluation, MetricResult
from tests.evaluation.conftest import csv_bytes, simulate


def computing_is_refused(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the report computed or drew a result while being read")

    for module, name in ((analysis, "evaluate"), (analysis, "analyse_frame"), (charts, "_trend"),
                         (charts, "_event"), (services, "recompute_results")):
        monkeypatch.setattr(module, name, refuse)


def test_the_first_view_of_the_demo_report_reads_stored_results_and_charts(demo, login,
                                                                          monkeypatch):
    evaluation = Evaluation.objects.get(name="Leadership model pilot")
    cache.clear()  # a first view: nothing drawn earlier is held in the cache
    computing_is_refused(monkeypatch)
    client = login("erin")
    page = client.get(reverse("evaluation:detail", kwargs={"pk": evaluation.pk}))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Out of date" not in content
    stored = MetricResult.objects.filter(evaluation=evaluation)
    drawn = sum(bool(r.trend_svg) + bool(r.event_svg) for r in stored)
    assert drawn >= 2 * stored.filter(status=MetricResult.Status.ESTIMATED).count()
    assert content.count('<figure class="clinlead-chart') == drawn
    assert "Start Jul 2024" in content  # drawn with the pilots' starts labelled


@pytest.mark.django_db
def test_a_result_of_an_earlier_analysis_version_is_out_of_date_until_recomputed(
    evaluation, small_world, monkeypatch
):
    services.import_observations(actor=small_world["tess"], evaluation=evaluation,
                                 content=csv_bytes(simulate()), filename="figures.csv")
    stored = MetricResult.objects.filter(evaluation=evaluation)
    # Drawn when the figures came in: every result with figures has its trend chart.
    assert stored.count() == 2 and all(r.trend_svg for r in stored if r.trends)
    assert not selectors.report(evaluation=evaluation)["stale"]
    later = analysis.ANALYSIS_VERSION + " and a later change"
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", later)
    assert selectors.report(evaluation=evaluation)["stale"]
    call_command("recompute_evaluations", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not selectors.report(evaluation=evaluation)["stale"]
