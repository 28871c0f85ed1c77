"""The leader-index dashboard's charts, from published figures only (the report's are in
report_charts.py, in the chart style)."""

import functools
import json
import textwrap

import pandas as pd

from clinlead.charts import theme, to_svg

# Altair (and vl-convert) are imported inside the functions that draw: the URLs import this
# module in every process (each command's system checks, each web worker), most of which draw nothing.

BEHAVIOUR_ORDER = ["include", "inform", "inquire", "develop", "recognize", "overall"]


# Dashboard charts. They are drawn at their natural size (never scaled down in the page, which
# scrolls them sideways instead), so every text stays at 12 px or more on a 390 px phone.
# Small on purpose: the chart style module in clinlead/charts.py is their home at merge.
MIN_TEXT = 12
# ColorBrewer PuOr (colour-blind safe): orange below the organisation, purple above it.
DIVERGING = "purpleorange"


def _readable(chart, *, title, width, height):
    return (theme(chart, title=title, width=width, height=height)
            .configure_axis(labelFontSize=MIN_TEXT, titleFontSize=13, labelLimit=0)
            .configure_legend(labelFontSize=MIN_TEXT, titleFontSize=MIN_TEXT, titleLimit=0, labelLimit=0)
            .configure_title(fontSize=14))


@functools.lru_cache(maxsize=64)
def _rendered(spec: str, description: str) -> str:
    return to_svg(_Spec(spec), description=description)


class _Spec:
    """A rendered chart's spec, as to_svg reads it (no second validation by Altair)."""

    def __init__(self, spec: str):
        self.spec = spec

    def to_dict(self):
        return json.loads(self.spec)


def _svg(chart, *, description):
    """to_svg, kept per process by the chart's spec: a published cycle's figures do not change
    between views, and vl-convert takes most of the page's time."""
    return _rendered(chart.to_json(), description)


def wrap(label: str, width: int = 16) -> str:
    """A label broken into lines of about `width` characters, joined by "|" (never cut); a
    unit's path may break after each "/"."""
    lines = textwrap.wrap(label.replace("/", "/ "), width=width, break_long_words=False)
    return "|".join(line.replace("/ ", "/") for line in lines) or label


def bins(indices: list[float], *, step=2, low=12, high=60):
    """(low, high, count) per bar of the histogram: the chart's own data, for its table."""
    edges = range(low, high, step)
    return [(a, a + step, sum(1 for v in indices if a <= v < a + step or (a + step == high and v == high)))
            for a in edges]


def distribution_chart(indices: list[float]):
    import altair as alt
    rows = [{"low": a, "high": b, "leaders": n} for a, b, n in bins(indices)]
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar(color="#005eb8").encode(
        x=alt.X("low:Q", bin="binned", title="Leader index (12–60)", scale=alt.Scale(domain=[12, 60])),
        x2="high:Q", y=alt.Y("leaders:Q", title="Leaders"),
        description=alt.Description("text:N"))
    chart = chart.transform_calculate(
        text="'Leader index (12–60): ' + datum.low + ' – ' + datum.high + '; Leaders: ' + datum.leaders")
    return _svg(_readable(chart, title="Published leader indices", width=280, height=200),
                  description=f"Histogram of {len(indices)} published leader indices; the table below gives each bar")


def heatmap_chart(rows: list[dict], *, centre: dict):
    """rows: {unit, behaviour, score or None}; `centre`: the organisation's score per behaviour.
    Colour is the difference from the organisation (diverging, centred on 0); every cell also
    says its score and ▲/▼ in text, and cells not shown a dash, so colour is never alone."""
    import altair as alt
    frame = pd.DataFrame(rows)
    frame["centre"] = frame["behaviour"].map(lambda b: centre.get(b))
    frame["difference"] = frame["score"] - frame["centre"].astype(float)
    frame["label"] = [_cell_label(s, d) for s, d in zip(frame["score"], frame["difference"], strict=True)]
    frame["row"] = frame["unit"].map(wrap)
    frame["text"] = [f"behaviour: {b}; unit: {u}; Mean: {s:.3f}" if pd.notna(s) else f"behaviour: {b}; unit: {u}; not shown"
                     for b, u, s in zip(frame["behaviour"], frame["unit"], frame["score"], strict=True)]
    spread = max(0.25, float(frame["difference"].abs().max(skipna=True) or 0))
    order = list(dict.fromkeys(frame["row"]))
    base = alt.Chart(frame).encode(
        x=alt.X("behaviour:N", sort=[b.capitalize() for b in BEHAVIOUR_ORDER], title=None,
                axis=alt.Axis(orient="top", labelAngle=-40)),
        y=alt.Y("row:N", sort=order, title=None, axis=alt.Axis(labelExpr="split(datum.label, '|')")))
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "difference:Q", scale=alt.Scale(scheme=DIVERGING, domain=[-spread, spread], domainMid=0, reverse=True),
            legend=alt.Legend(orient="bottom", title="Below (orange) or above (purple) the organisation",
                              format="+.2f", gradientLength=220)),
        description=alt.Description("text:N"))
    text = base.mark_text(fontSize=MIN_TEXT).encode(text="label:N", color=alt.condition(
        f"abs(datum.difference) > {spread * 0.6}", alt.value("white"), alt.value("#212b32")))
    height = max(120, 40 * len(order))
    return _svg(_readable(cells + text, title="Behaviour scores by unit", width=6 * 48, height=height),
                  description="Heatmap of behaviour scores by unit against the organisation's; the table below gives every cell")


def _cell_label(score, difference):
    if pd.isna(score):
        return "–"
    if pd.isna(difference) or abs(difference) < 0.005:
        return f"{score:.2f}"
    return f"{score:.2f}{'▲' if difference > 0 else '▼'}"
