"""The evaluation's charts, drawn from a metric's stored result.

The services draw them when they compute a result and store them with it (the demo's come
drawn, under `drawing_key`); a result stored without them has them drawn when first shown and
cached under the result's fingerprint, so each is drawn once.
"""

import base64
import functools
import hashlib
import json
import re
import textwrap
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from django.core.cache import cache

from clinlead.charts import NHS_BLUE, theme, to_svg
from clinlead.evaluation.analysis import COMPARATORS, PILOTS
from clinlead.evaluation.models import first_day

# Altair (and vl-convert) are imported inside the functions that draw: the URLs import this
# module in every process (each command's system checks, each web worker), most of which draw nothing.

GREY = "#768692"
ORANGE = "#ed8b00"
# Drawn at a phone's content width (390 px less the page margins) so the SVG is never shrunk
# on a phone: every text in it stays at its drawn size, none under 12 px.
WIDTH, FONT, TITLE_FONT = 340, 13, 14
# Starts closer than this share a label line, so their labels do not overlap.
LABEL_LINE = 16


def _readable(chart, *, title, height=200):
    """The shared theme, drawn whole within WIDTH px with fonts no smaller than 12 px."""
    import altair as alt
    lines = textwrap.wrap(title, width=38)
    return (theme(chart, title=alt.TitleParams(lines, fontSize=TITLE_FONT, anchor="start"), width=WIDTH,
                  height=height)
            .properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
            .configure_axis(labelFontSize=FONT, titleFontSize=FONT)
            .configure_legend(labelFontSize=FONT, titleFontSize=FONT, labelLimit=WIDTH))


def start_labels(starts) -> pd.DataFrame:
    """One row per start date: its first day, its label ("Start Jul 2024") and a line for it."""
    days = sorted({first_day(s) for s in starts})
    return pd.DataFrame({"start": [d.isoformat() for d in days],
                         "label": [f"Start {d:%b %Y}" for d in days],
                         "line": [LABEL_LINE * i + 4 for i in range(len(days))]})


def drawn(record, *, starts) -> tuple[str, str]:
    """(trend SVG, event-study SVG) of a result, drawn now (not cached)."""
    trend = _trend(record, starts) if record.trends else ""
    event = _event(record) if record.result and record.result.get("event_study") else ""
    return trend, event


def drawing_key(record, *, starts) -> str:
    """Everything a result's two charts are drawn from (its figures, the metric's label and unit,
    the pilots' starts) and the drawing code's version: charts kept under this key, as the demo
    ships them, are what drawing them again would give."""
    metric = record.metric
    drawn_from = [_code_version(), record.fingerprint, metric.name, metric.label, metric.unit,
                  sorted(first_day(s).isoformat() for s in starts), record.trends, record.result]
    text = json.dumps(drawn_from, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _code_version() -> str:
    """This module's and the shared chart module's source, and the drawing libraries' versions
    (read without importing them)."""
    from clinlead import charts as shared

    source = b"".join(Path(module).read_bytes() for module in (__file__, shared.__file__))
    libraries = " ".join(version(name) for name in ("altair", "vl-convert-python"))
    return hashlib.sha256(source + libraries.encode()).hexdigest()


def _cached(record, kind, draw):
    key = f"clinlead-evaluation-{kind}-{record.metric.name}-{record.fingerprint}"
    return cache.get_or_set(key, draw, timeout=7 * 24 * 60 * 60)


def stored_or_drawn(record, *, starts):
    """(trend SVG, event-study SVG) of a stored result: as stored, else drawn once and cached."""
    trend = record.trend_svg or trend_svg(record, starts=starts)
    event = record.event_svg or event_svg(record)
    return trend or None, event or None


def pdf_image(svg: str) -> str:
    """The chart as a PNG <img> for the PDF, with the SVG's accessible name as its text.

    WeasyPrint takes about 0.4 s to lay out each inline SVG chart (6 s for a report of eight
    metrics), a PNG 0.04 s. The PNG is cached under the SVG's hash; the services make it when
    they draw the chart, so the PDF only reads it.
    """
    import vl_convert as vlc
    if not svg:
        return ""
    key = "clinlead-evaluation-png-" + hashlib.sha256(svg.encode()).hexdigest()
    png = cache.get_or_set(key, lambda: vlc.svg_to_png(svg, scale=2), timeout=30 * 24 * 60 * 60)
    label = re.search(r'aria-label="([^"]*)"', svg)
    width = re.search(r'<svg[^>]* width="([0-9.]+)"', svg)
    return (f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
            f'alt="{label.group(1) if label else ""}" style="width: {width.group(1) if width else WIDTH}px">')


def trend_svg(record, *, starts):
    """Mean of the pilots and of the comparators per period, with the pilots' starts marked."""
    if not record.trends:
        return ""
    return _cached(record, "trend", lambda: _trend(record, starts))


def _trend(record, starts):
    chart, description = trend_chart(record, starts=starts)
    return to_svg(chart, description=description)


def trend_chart(record, *, starts):
    """(the Vega-Lite chart, its description) of the trend, for `_trend` to draw."""
    import altair as alt
    metric = record.metric
    frame = pd.DataFrame(record.trends)
    groups = [g for g in (PILOTS, COMPARATORS) if (frame["group"] == g).any()]
    dashes = {PILOTS: [1, 0], COMPARATORS: [6, 3]}
    lines = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("start:T", title=None, axis=alt.Axis(format="%b %Y", tickCount=4, labelAngle=0)),
        y=alt.Y("mean:Q", title=metric.unit, scale=alt.Scale(zero=False)),
        color=alt.Color("group:N", title=None, legend=alt.Legend(orient="bottom", direction="vertical"),
                        scale=alt.Scale(
            domain=groups, range=[{PILOTS: NHS_BLUE, COMPARATORS: GREY}[g] for g in groups])),
        strokeDash=alt.StrokeDash("group:N", legend=None, scale=alt.Scale(
            domain=groups, range=[dashes[g] for g in groups])),
    )
    layers = [lines]
    labels = start_labels(starts)
    if not labels.empty:
        # A labelled rule per start date, each label on its own line; right of the rules, or
        # left of them when the last start is late in the chart, so no label runs off it.
        first, last = pd.Timestamp(frame["start"].min()), pd.Timestamp(frame["start"].max())
        late = pd.Timestamp(labels["start"].iloc[-1]) > first + (last - first) * 0.6
        rules = alt.Chart(labels).mark_rule(color=ORANGE, strokeDash=[4, 3]).encode(x="start:T")
        text = alt.Chart(labels).mark_text(align="right" if late else "left", baseline="top", dx=-3 if late else 3,
                                           fontSize=FONT, color="#212b32").encode(
            x="start:T", y=alt.Y("line:Q", scale=None, axis=None), text="label:N")
        layers += [rules, text]
    parts = {g: frame[frame["group"] == g] for g in groups}
    described = "; ".join(f"{g}: from {part['mean'].iloc[0]:.3g} in {part['period'].iloc[0]} to "
                          f"{part['mean'].iloc[-1]:.3g} in {part['period'].iloc[-1]}"
                          for g, part in parts.items())
    title = f"{metric.label}: pilot and comparison means"
    starts_text = (f"; dashed orange lines, labelled, mark the pilots' starts ({', '.join(labels['label'])})"
                   if not labels.empty else "")
    return (_readable(alt.layer(*layers), title=title),
            f"Line chart of {title}, by period: {described}{starts_text}.")


def event_svg(record):
    """Event study: the change since the period before the start, net of comparators, with 95% CIs."""
    if not record.result or not record.result.get("event_study"):
        return ""
    return _cached(record, "event", lambda: _event(record))


def _event(record):
    import altair as alt
    metric = record.metric
    points = [p for p in record.result["event_study"] if p["estimate"] is not None]
    frame = pd.DataFrame([{"relative": p["relative_period"], "label": p["label"], "estimate": p["estimate"],
                           "low": p["ci95"][0], "high": p["ci95"][1]} for p in points])
    unit = record.result.get("granularity") or "period"
    x = alt.X("relative:Q", title=[f"{unit.capitalize()}s since the start", "(0 = the start; -1 = reference)"],
              axis=alt.Axis(tickMinStep=1, format="d"))
    bars = alt.Chart(frame).mark_rule(color=NHS_BLUE).encode(x=x, y=alt.Y("low:Q", title=f"change, {metric.unit}"),
                                                              y2="high:Q")
    dots = alt.Chart(frame).mark_point(filled=True, color=NHS_BLUE, size=40).encode(x=x, y="estimate:Q")
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color=GREY).encode(y="y:Q")
    marker = pd.DataFrame({"x": [-0.5], "label": ["Start"], "line": [4]})
    start = alt.Chart(marker).mark_rule(color=ORANGE, strokeDash=[4, 3]).encode(x="x:Q")
    start_label = alt.Chart(marker).mark_text(align="left", baseline="top", dx=3, fontSize=FONT,
                                              color="#212b32").encode(
        x="x:Q", y=alt.Y("line:Q", scale=None, axis=None), text="label:N")
    title = f"{metric.label}: event study"
    after = [p for p in points if p["relative_period"] >= 0]
    described = ""
    if after:
        last = after[-1]
        low, high = last["ci95"]
        # With too few ways to choose the pilots a point has no randomisation interval.
        interval = f" (95% CI {low:.3g} to {high:.3g})" if low is not None and high is not None else ""
        described = f" At {last['label']} periods the change was {last['estimate']:.3g}{interval}."
    return to_svg(_readable(alt.layer(bars, dots, zero, start, start_label), title=title),
                  description=f"{title}: estimates with 95% confidence intervals for {len(points)} periods "
                              f"around the start, net of the comparison organisations.{described}")
