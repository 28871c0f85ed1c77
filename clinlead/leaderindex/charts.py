"""The leader-index dashboard's charts, from published figures only (the report's are in
report_charts.py, in the chart style)."""

import altair as alt
import pandas as pd

from clinlead.charts import theme, to_svg

BEHAVIOUR_ORDER = ["include", "inform", "inquire", "develop", "recognize", "overall"]


def distribution_chart(indices: list[float], *, mark=None):
    chart = alt.Chart(pd.DataFrame({"index": indices})).mark_bar(color="#005eb8").encode(
        x=alt.X("index:Q", bin=alt.Bin(step=2, extent=[12, 60]), title="Leader index (12–60)"),
        y=alt.Y("count():Q", title="Leaders"))
    return to_svg(theme(chart, title="Distribution of published leader indices", height=220),
                  description=f"Histogram of {len(indices)} published leader indices")


def heatmap_chart(rows: list[dict]):
    """rows: {unit, behaviour, score or None}; cells not shown are drawn grey and labelled."""
    frame = pd.DataFrame(rows)
    frame["label"] = frame["score"].map(lambda v: "not shown" if pd.isna(v) else f"{v:.2f}")
    base = alt.Chart(frame).encode(
        x=alt.X("behaviour:N", sort=[b.capitalize() for b in BEHAVIOUR_ORDER], title=None),
        y=alt.Y("unit:N", title=None))
    cells = base.mark_rect().encode(color=alt.condition(
        "isValid(datum.score)", alt.Color("score:Q", scale=alt.Scale(scheme="blues", domain=[2.5, 5]), title="Mean"),
        alt.value("#d8dde0")))
    text = base.mark_text(fontSize=11).encode(text="label:N", color=alt.condition(
        "datum.score > 4", alt.value("white"), alt.value("#212b32")))
    height = max(120, 22 * frame["unit"].nunique())
    return to_svg(theme(cells + text, title="Behaviour scores by unit", height=height, width=520),
                  description="Heatmap of behaviour scores by unit; grey cells are not shown")
