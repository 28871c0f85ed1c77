"""The leader-index charts, from published figures only."""

import functools
import json
import textwrap

import altair as alt
import pandas as pd

from clinlead.charts import theme, to_svg

BEHAVIOUR_ORDER = ["include", "inform", "inquire", "develop", "recognize", "overall"]


def behaviours_chart(behaviours: dict, *, title="Behaviour scores (1 to 5)"):
    rows = [{"behaviour": b.capitalize(), "score": v} for b, v in behaviours.items() if v is not None]
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar(color="#005eb8").encode(
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 5]), title="Mean score (1 to 5)"),
        y=alt.Y("behaviour:N", sort=[b.capitalize() for b in BEHAVIOUR_ORDER], title=None),
        tooltip=["behaviour", alt.Tooltip("score:Q", format=".2f")],
    )
    text = ", ".join(f"{r['behaviour']} {r['score']:.2f}" for r in rows)
    return to_svg(theme(chart, title=title, height=200), description=f"{title}: {text}")


def items_chart(items: dict, labels: dict):
    rows = []
    for item, dist in items.items():
        if dist is None:
            continue  # not shown: fewer than k answered
        answered = sum(v for k, v in dist.items() if k != "missing")
        for point, count in dist.items():
            if point != "missing" and answered:
                rows.append({"item": labels.get(item, item), "answer": int(point), "share": count / answered})
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("sum(share):Q", axis=alt.Axis(format="%"), title="Share of answers"),
        y=alt.Y("item:N", sort=list(labels.values()), title=None),
        color=alt.Color("answer:O", scale=alt.Scale(scheme="redblue", domain=[1, 2, 3, 4, 5]),
                        title="Answer (1 strongly disagree – 5 strongly agree)"),
        order=alt.Order("answer:O"),
    )
    return to_svg(theme(chart, title="How people answered each question", height=320),
                  description="Stacked bars: for each question, the share of answers from 1 to 5")


def trend_chart(points: list[tuple[str, float]], *, title="Leader index over the years"):
    frame = pd.DataFrame([{"cycle": c, "index": v} for c, v in points])
    chart = alt.Chart(frame).mark_line(point=True, color="#005eb8").encode(
        x=alt.X("cycle:O", title="Cycle"), y=alt.Y("index:Q", scale=alt.Scale(domain=[12, 60]), title="Index (12–60)"))
    text = ", ".join(f"{c}: {v:.1f}" for c, v in points)
    return to_svg(theme(chart, title=title, height=200), description=f"{title}: {text}")


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
