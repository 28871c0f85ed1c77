"""The event-study chart of a headline whose points may have no interval."""

import pandas as pd

from clinlead.analytics.did_report import evaluate
from clinlead.evaluation import charts
from clinlead.evaluation.models import Metric, MetricResult
from tests.evaluation.conftest import simulate


def test_an_event_study_without_intervals_is_still_drawn_and_described():
    rows = pd.DataFrame(simulate(starts={"Pilot One": "2024-01"}))
    few = rows[rows["organisation"].isin(["Pilot One", *sorted(set(rows["organisation"]))[:3]])]
    data = few[["organisation", "period", "value"]]
    result = evaluate(data=data, pilots={"Pilot One": "2024-01"})
    assert result["ci95"] == [None, None]  # too few ways to choose one pilot among four
    record = MetricResult(metric=Metric(name="m", label="Staff satisfaction", unit="points"),
                          result=result)
    svg = charts._event(record)
    assert svg.startswith("<svg") and "periods the change was" in svg
