"""The leader report's charts, in the chart style (`clinlead.charts.figure`), from published
figures only: each with its figures as a table."""

import pandas as pd

from clinlead.charts import DIVERGING_5, NHS_BLUE, SECONDARY_TEXT, Table, figure, style, wrap

# Altair (and vl-convert) are imported inside the functions that draw: the URLs import this
# module in every process (each command's system checks, each web worker), most of which draw nothing.

INDEX_SCALE = [12, 60]
SERIES_STYLE = {  # colour and shape, so that the series differ without colour too
    "you": (NHS_BLUE, "circle"),
    "organisation": ("#768692", "diamond"),
    "previous": ("#ed8b00", "triangle-up"),
}


def _one(value, places=1):
    return "not shown" if value is None else f"{value:.{places}f}"


def index_figure(*, you, organisation, previous, phone=True):
    """Each of `you`, `organisation`, `previous` is None or {"label", "index", "ci95"}."""
    import altair as alt
    present = [(k, r) for k, r in (("you", you), ("organisation", organisation), ("previous", previous))
               if r is not None]
    rows = [r for _, r in present]
    labels = ["|".join(wrap(r["label"], width_px=100)) for r in rows]  # drawn as lines

    def ends(r):
        return r.get("ci95") or [None, None]

    frame = pd.DataFrame([{"label": label, "index": r["index"], "low": ends(r)[0], "high": ends(r)[1]}
                          for label, r in zip(labels, rows, strict=True)])

    def draw(width):
        y = alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelExpr="split(datum.label, '|')"))
        scale = alt.Scale(domain=INDEX_SCALE)
        colour = alt.Color("label:N", scale=alt.Scale(domain=labels, range=[SERIES_STYLE[k][0] for k, _ in present]),
                           legend=None)
        title = wrap("Leader index (12 to 60), with its 95% interval as a line", width_px=width - 110)
        bars = alt.Chart(frame).mark_rule(strokeWidth=3).encode(
            x=alt.X("low:Q", scale=scale, title=title), x2="high:Q", y=y, color=colour)
        points = alt.Chart(frame).mark_point(filled=True, size=110, opacity=1).encode(
            x=alt.X("index:Q", scale=scale), y=y, color=colour,
            shape=alt.Shape("label:N", legend=None, scale=alt.Scale(
                domain=labels, range=[SERIES_STYLE[k][1] for k, _ in present])))
        return style(bars + points, width=width, height=44 * len(rows))

    def interval(r):
        return f"{ends(r)[0]:.1f} to {ends(r)[1]:.1f}" if r.get("ci95") else "none"

    described = "; ".join(f"{r['label']}: {_one(r['index'])}"
                          + (f" (95% interval {interval(r)})" if r.get("ci95") else "") for r in rows)
    table = Table(caption="Leader index (12 to 60) with its 95% interval", head=["", "Index", "95% interval"],
                  rows=[[r["label"], _one(r["index"]), interval(r)] for r in rows])
    return figure(draw, caption="Your leader index beside the organisation's", id="index-chart",
                  description=f"Leader index: {described}", table=table, phone=phone)


def behaviours_figure(*, rows, previous_name, phone=True):
    """rows: [{"behaviour", "you", "organisation", "previous", "compared"}] (None where not shown)."""
    import altair as alt
    names = {"you": "You", "organisation": "Organisation", "previous": f"You in {previous_name}"}
    series = [k for k in names if any(r[k] is not None for r in rows)]
    points = [{"behaviour": r["behaviour"].capitalize(), "series": names[k], "score": r[k]}
              for r in rows for k in series if r[k] is not None]
    order = [r["behaviour"].capitalize() for r in rows]

    def draw(width):
        return style(alt.Chart(pd.DataFrame(points)).mark_point(filled=True, size=110, opacity=1).encode(
            x=alt.X("score:Q", scale=alt.Scale(domain=[1, 5]), title="Mean score (1 to 5)"),
            y=alt.Y("behaviour:N", sort=order, title=None),
            color=alt.Color("series:N", title=None, scale=alt.Scale(
                domain=[names[k] for k in series], range=[SERIES_STYLE[k][0] for k in series]),
                legend=alt.Legend(columns=1 if width < 400 else len(series))),
            shape=alt.Shape("series:N", scale=alt.Scale(
                domain=[names[k] for k in series], range=[SERIES_STYLE[k][1] for k in series])),
        ), width=width, height=34 * len(rows))

    shown = [r for r in rows if r["you"] is not None]
    described = ", ".join(f"{r['behaviour'].capitalize()} {r['you']:.2f}" for r in shown)
    head = ["Behaviour", *[names[k] for k in series], "Beside the organisation"]
    table = Table(caption="Behaviour scores (1 to 5)", head=head,
                  rows=[[r["behaviour"].capitalize(), *[_one(r[k], 2) for k in series], r["compared"] or ""]
                        for r in rows], keys=[r["behaviour"] for r in rows])
    return figure(draw, caption="Each behaviour beside the organisation's" + (
        f" and yours in {previous_name}" if "previous" in series else ""), id="behaviours-chart",
        description=f"Behaviour scores (1 to 5): {described}", table=table, phone=phone)


def items_figure(*, items, instrument, phone=True):
    """items: {item id: published distribution}; only shown questions (not None) are drawn."""
    import altair as alt
    scale = instrument.scale
    labels = [s["label"] if isinstance(s, dict) else s.label for s in scale]
    values = [str(s["value"] if isinstance(s, dict) else s.value) for s in scale]
    questions = [(n, item) for n, item in enumerate(instrument.items, start=1) if items.get(item.id)]
    rows, table_rows, keys = [], [], []
    for number, item in questions:
        dist = items[item.id]
        answered = sum(int(dist.get(v) or 0) for v in values)
        cells = []
        for value, label in zip(values, labels, strict=True):
            count = int(dist.get(value) or 0)
            share = count / answered if answered else 0
            rows.append({"question": f"{number}. {item.text}", "answer": label, "point": int(value), "share": share})
            cells.append(f"{count} ({100 * share:.0f}%)")
        table_rows.append([f"{number}. {item.text}", *cells, str(answered)])
        keys.append(item.id)
    frame = pd.DataFrame(rows)
    order = [f"{n}. {item.text}" for n, item in questions]

    def draw(width):
        inner = width - 36
        wrapped = frame.assign(question=frame["question"].map(lambda t: "|".join(wrap(t, width_px=inner))))
        return style(alt.Chart(wrapped).mark_bar(height=20).encode(
            x=alt.X("sum(share):Q", axis=alt.Axis(format="%", tickCount=5, grid=False), title="Share of answers",
                    scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("answer:N", sort=labels, title=None,
                            scale=alt.Scale(domain=labels, range=DIVERGING_5),
                            legend=alt.Legend(columns=1 if width < 400 else 3, symbolStrokeColor=SECONDARY_TEXT)),
            order=alt.Order("point:Q"),
            row=alt.Row("question:N", sort=[
                "|".join(wrap(t, width_px=inner)) for t in order], title=None, header=alt.Header(
                labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                labelExpr="split(datum.value, '|')", labelPadding=4)),
        ).properties(width=inner, height=22), width=inner, height=22, facet=True).configure_facet(spacing=10)

    described = "; ".join(f"{number}: {100 * favourable(items[item.id]):.0f}% agree" for number, item in questions)
    table = Table(caption="How people answered each question (number of people, and share of those answering)",
                  head=["Question", *labels, "Answered"], rows=table_rows, keys=keys)
    return figure(draw, caption="How people answered each question", id="items-chart",
                  description=f"Stacked bars, one per question, from strongly disagree to strongly agree. "
                              f"Share agreeing or strongly agreeing, by question number: {described}",
                  table=table, phone=phone)


def favourable(dist):
    answered = sum(int(v) for k, v in dist.items() if k != "missing")
    return (int(dist.get("4") or 0) + int(dist.get("5") or 0)) / answered if answered else 0


def trend_figure(*, points, phone=True):
    """points: [(cycle name, index)] of the leader's published cycles, oldest first."""
    import altair as alt
    frame = pd.DataFrame([{"cycle": c, "index": v} for c, v in points])

    def draw(width):
        return style(alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=80, filled=True), color=NHS_BLUE).encode(
            x=alt.X("cycle:O", title="Survey", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("index:Q", scale=alt.Scale(domain=INDEX_SCALE), title="Leader index (12 to 60)")),
            width=width, height=200)

    text = ", ".join(f"{c}: {v:.1f}" for c, v in points)
    table = Table(caption="Your leader index in each survey", head=["Survey", "Leader index"],
                  rows=[[c, f"{v:.1f}"] for c, v in points])
    return figure(draw, caption="Your leader index over the years", id="trend-chart",
                  description=f"Leader index over the years: {text}", table=table, phone=phone)
