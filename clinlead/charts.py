"""Charts: Vega-Lite specs built with Altair, rendered to SVG on the server (vl-convert), so
pages and PDFs need no script and no CDN. Put the SVG in a page with `{{ chart|safe }}`.
"""

import altair as alt
import vl_convert as vlc

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


def theme(chart: alt.TopLevelMixin, *, title: str = "", width=560, height=280) -> alt.TopLevelMixin:
    return (
        chart.properties(width=width, height=height, title=title)
        .configure(font="Arial", background="white")
        .configure_range(category=NHS_PALETTE)
        .configure_axis(labelFontSize=12, titleFontSize=13)
    )


def to_svg(chart: alt.TopLevelMixin, *, description: str) -> str:
    """The chart as an SVG string with an accessible name (role="img" and a <title>)."""
    svg = vlc.vegalite_to_svg(chart.to_dict())
    label = description.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return svg
