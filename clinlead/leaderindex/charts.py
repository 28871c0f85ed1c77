"""The leader-index charts, from published figures only."""

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
