"""The evaluation's charts as a board member on a phone sees them: each pilot start date is a
labelled rule, and the chart is drawn at a phone's width with no text under 12 px."""

import json
import re

import pandas as pd

from clinlead.evaluation import charts
from clinlead.evaluation.demo import RESULTS_FILE
from clinlead.evaluation.models import Metric, MetricResult


def trend_record():
    months = pd.period_range("2023-01", "2026-06", freq="M")
    trends = [{"period": str(p), "start": p.start_time.date().isoformat(), "group": group,
               "mean": base + i / 50, "n": 3} for i, p in enumerate(months)
              for group, base in ((charts.PILOTS, 30.0), (charts.COMPARATORS, 31.0))]
    metric = Metric(name="hsmr", label="Hospital standardised mortality ratio (HSMR)",
                    unit="index points")
    return MetricResult(metric=metric, trends=trends, fingerprint="test")


def layers_of(spec):
    return [layer for layer in spec["layer"]]


def test_each_pilot_start_date_is_a_labelled_rule_in_the_spec():
    starts = ["2024-07", "2024-07", "2024-Q4"]
    chart, description = charts.trend_chart(trend_record(), starts=starts)
    spec = chart.to_dict()
    datasets = spec["datasets"]
    rules = [layer for layer in layers_of(spec) if layer["mark"]["type"] == "rule"]
    texts = [layer for layer in layers_of(spec) if layer["mark"]["type"] == "text"]
    assert len(rules) == 1 and len(texts) == 1
    assert texts[0]["encoding"]["text"]["field"] == "label"
    labelled = datasets[texts[0]["data"]["name"]]
    assert [row["label"] for row in labelled] == ["Start Jul 2024", "Start Oct 2024"]
    ruled = datasets[rules[0]["data"]["name"]]
    assert [row["start"] for row in ruled] == ["2024-07-01", "2024-10-01"]
    # Each label on its own line, so two starts close together do not overlap.
    assert len({row["line"] for row in labelled}) == 2
    assert "Start Jul 2024, Start Oct 2024" in description


def font_sizes(svg):
    return [float(size) for size in re.findall(r'font-size="([0-9.]+)px"', svg)]


def test_the_charts_fit_a_phone_with_no_text_under_12_px():
    record = trend_record()
    trend = charts._trend(record, ["2024-07", "2024-10"])
    assert "Start Jul 2024" in trend and "Start Oct 2024" in trend
    record.result = json.loads(RESULTS_FILE.read_text(encoding="utf-8"))["hsmr"]["result"]
    event = charts._event(record)
    for svg in (trend, event):
        width = float(re.search(r'<svg[^>]* width="([0-9.]+)"', svg).group(1))
        # 390 px less the page's 16 px margins: the SVG is never scaled down on a phone.
        assert width <= 358
        assert font_sizes(svg) and min(font_sizes(svg)) >= 12
