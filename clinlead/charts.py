"""Charts: Vega-Lite specs built with Altair, rendered to SVG on the server (vl-convert), so
pages and PDFs need no script and no CDN. Put the SVG in a page with `{{ chart|safe }}`.

The chart style (docs/charts.md) is `figure()`: a chart drawn twice, at a desktop width and at a
phone's, so that no text is drawn under 12 px on a 390 px screen (an SVG wider than its box is
scaled down with everything in it); its title is the page's <figcaption>, which wraps like any
text; its legend is in one column on a phone, labels never cut; and the same figures sit behind
it as a table for screen readers and for anyone who prefers numbers (`includes/chart.html`).
Diverging scales use ColorBrewer's RdBu, which stays distinguishable with red-green colour
blindness. `theme()` and `to_svg()` stay for the charts not yet moved to it.

Altair and vl-convert are imported by the functions that draw (a third of a second): a process
that draws nothing (a command, a worker) never pays for them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache

if TYPE_CHECKING:
    import altair as alt

NHS_BLUE = "#005eb8"
NHS_PALETTE = [
    "#005eb8",
    "#ed8b00",
    "#009639",
    "#7c2855",
    "#768692",
    "#00a499",
    "#ffb81c",
    "#330072",
]
# ColorBrewer RdBu, 5 classes (colour-blind safe), its pale middle darkened to NHS grey 4 so that
# "neither" stays visible on white. Low (red) to high (blue).
DIVERGING_5 = ["#ca0020", "#f4a582", "#d8dde0", "#92c5de", "#0571b0"]
TEXT = "#212b32"
SECONDARY_TEXT = "#4c6272"
# Widths the chart is drawn at, whole SVG included. A phone's content box is 390 px less the
# page's 16 px margins; drawn no wider than that, the SVG is shown at its own size, so its font
# sizes are the sizes read. The desktop drawing fits the content box from a 641 px tablet up.
PHONE_WIDTH = 340
DESKTOP_WIDTH = 560
FONT_PX = 13  # the smallest text any chart draws (≥ 12 px, the readable floor on a phone)
TITLE_FONT_PX = 14


def theme(chart: alt.TopLevelMixin, *, title: str = "", width=560, height=280) -> alt.TopLevelMixin:
    return (
        chart.properties(width=width, height=height, title=title)
        .configure(font="Arial", background="white")
        .configure_range(category=NHS_PALETTE)
        .configure_axis(labelFontSize=12, titleFontSize=13)
        # Vega's defaults draw legends and marks' text at 10-11 px: at least 12, as everywhere.
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=0, titleLimit=0)
        .configure_title(fontSize=TITLE_FONT_PX)
        .configure_text(fontSize=12)
    )


def to_svg(chart: alt.TopLevelMixin, *, description: str) -> str:
    """The chart as an SVG string with an accessible name (role="img" and a <title>)."""
    import vl_convert as vlc
    return _named(vlc.vegalite_to_svg(chart.to_dict()), description)


def _named(svg: str, description: str) -> str:
    label = description.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _drawn(chart: alt.TopLevelMixin, *, png: bool = False) -> str:
    """The chart's SVG (or, `png`, an <img> of it at twice the size), drawn once per spec and
    kept: a spec holds its data, so the same spec always draws the same. Altair's schema check
    is skipped (a third of the time); the tests draw every chart, so a bad spec still fails
    there, in vl-convert."""
    import vl_convert as vlc
    spec = json.dumps(chart.to_dict(validate=False), sort_keys=True, default=str)
    key = f"clinlead-chart-{'png' if png else 'svg'}-" + hashlib.sha256(spec.encode()).hexdigest()
    week = 7 * 24 * 60 * 60
    return cache.get_or_set(key, lambda: _png(json.loads(spec)) if png else vlc.vegalite_to_svg(
        json.loads(spec)), timeout=week)


def _png(spec: dict) -> str:
    """A print drawing: WeasyPrint lays out a chart's SVG text by text, a second or more per
    page of charts, where a picture costs nothing; tagged, it is a figure with its alt text."""
    import vl_convert as vlc
    svg = vlc.vegalite_to_svg(spec)
    width = re.search(r'width="([\d.]+)"', svg)
    data = base64.b64encode(vlc.vegalite_to_png(spec, scale=2)).decode()
    size = f' width="{width[1]}"' if width else ""
    return f'<img src="data:image/png;base64,{data}"{size}>'


def wrap(text: str, *, width_px: float, font_px: float = FONT_PX) -> list[str]:
    """`text` in lines that fit `width_px` at `font_px` (Arial averages about 0.55 em a
    character); Vega draws a list of strings as lines, where a long string would be cut."""
    per_line = max(8, int(width_px / (font_px * 0.55)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def style(chart: alt.TopLevelMixin, *, width: int, height: int,
          facet: bool = False) -> alt.TopLevelMixin:
    """The chart style: `width` is the whole SVG's (axes and legend inside it), text at least
    FONT_PX, no title (the figure's caption is the title), legends below in full. A faceted
    chart cannot be fitted: `width` is then each panel's, which the caller keeps narrow enough."""
    import altair as alt
    autosize = alt.AutoSizeParams(type="pad") if facet else alt.AutoSizeParams(
        type="fit-x", contains="padding")
    if not facet:
        chart = chart.properties(width=width, height=height)
    return (
        chart.configure(font="Arial", background="white", autosize=autosize)
        .configure_range(category=NHS_PALETTE)
        .configure_axis(labelFontSize=FONT_PX, titleFontSize=FONT_PX, labelColor=TEXT,
                        titleColor=TEXT, labelLimit=0, titleLimit=0)
        .configure_legend(labelFontSize=FONT_PX, titleFontSize=FONT_PX, labelLimit=0, titleLimit=0,
                          orient="bottom", labelColor=TEXT, titleColor=TEXT)
        .configure_header(labelFontSize=FONT_PX, titleFontSize=TITLE_FONT_PX, labelColor=TEXT,
                          labelLimit=0)
        .configure_text(fontSize=FONT_PX)
        .configure_view(stroke=None)
    )


@dataclass
class Table:
    """The figures behind a chart: a caption, column headings, and rows whose first cell heads
    the row. `keys` (optional, one per row) become data-key attributes, for tests and audits."""

    caption: str
    head: Sequence[str]
    rows: Sequence[Sequence[str]]
    keys: Sequence[str] = ()

    def keyed_rows(self):
        keys = list(self.keys) or [""] * len(self.rows)
        return [{"key": key, "header": row[0], "cells": row[1:]}
                for key, row in zip(keys, self.rows, strict=True)]


@dataclass
class Figure:
    """What `includes/chart.html` shows: the caption, the chart at desktop and (unless drawn
    for print only) phone width, and its table."""

    caption: str
    wide: str
    table: Table
    narrow: str = ""
    id: str = ""
    notes: list[str] = field(default_factory=list)


def figure(draw: Callable[[int], alt.TopLevelMixin], *, caption: str, description: str,
           table: Table, phone: bool = True, id: str = "") -> Figure:
    """Draw `draw(width)` at the desktop width, and at a phone's; `phone` False draws for print
    (a PDF): one picture at the desktop width. `description` is the chart's accessible name
    (alt text): what it shows, in words; the table holds the figures."""
    if not phone:
        alt_text = html.escape(description, quote=True)
        picture = _drawn(draw(DESKTOP_WIDTH), png=True)
        picture = picture.replace("<img ", f'<img alt="{alt_text}" ', 1)
        return Figure(caption=caption, wide=picture, table=table, id=id)
    wide = _named(_drawn(draw(DESKTOP_WIDTH)), description)
    narrow = _named(_drawn(draw(PHONE_WIDTH)), description)
    return Figure(caption=caption, wide=wide, narrow=narrow, table=table, id=id)
