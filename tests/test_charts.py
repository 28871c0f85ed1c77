"""The chart style (clinlead/charts.py): drawn for a phone no wider than its screen, text never
under 12 px, titles and legends wrapped rather than cut, colour-blind-safe diverging colours, a
table behind every chart; the older `theme`/`to_svg` calls keep working."""

import re

import altair as alt
import pandas as pd

from clinlead import charts


def bars(width):
    frame = pd.DataFrame(
        {
            "answer": ["Strongly disagree", "Neither agree nor disagree", "Strongly agree"],
            "share": [0.2, 0.3, 0.5],
        }
    )
    return charts.style(
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title=charts.wrap(
                    "Share of the people who answered this question", width_px=width - 60
                ),
            ),
            color=alt.Color("answer:N", scale=alt.Scale(range=charts.DIVERGING_5[::2]), title=None),
        ),
        width=width,
        height=60,
    )


def drawn():
    table = charts.Table(
        caption="Shares", head=["Answer", "Share"], rows=[["Agree", "50%"]], keys=["agree"]
    )
    return charts.figure(
        bars, caption="How people answered", description="Shares of answers", table=table
    )


def test_a_phone_drawing_is_no_wider_than_a_phone_and_no_text_under_12px():
    figure = drawn()
    width = int(re.search(r'<svg[^>]* width="(\d+)"', figure.narrow)[1])
    assert width <= charts.PHONE_WIDTH <= 390 - 2 * 16
    sizes = [
        float(s) for s in re.findall(r'font-size="([\d.]+)(?:px)?"', figure.narrow + figure.wide)
    ]
    assert sizes and min(sizes) >= 12


def test_legends_and_titles_are_wrapped_never_cut():
    figure = drawn()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", figure.narrow)
    assert "Neither agree nor disagree" in texts
    assert not any("…" in t for t in texts)
    title = "Answer (1 strongly disagree to 5 strongly agree)"
    lines = charts.wrap(title, width_px=120)  # 16 characters of 13 px Arial
    assert len(lines) > 1 and " ".join(lines) == title and max(map(len, lines)) <= 16


def test_the_diverging_scale_is_colorbrewer_rdbu():
    assert charts.DIVERGING_5 == ["#ca0020", "#f4a582", "#d8dde0", "#92c5de", "#0571b0"]
    assert "#ca0020" in drawn().wide.lower()


def test_the_chart_is_named_and_its_figures_are_a_table():
    figure = drawn()
    assert figure.wide.startswith('<svg role="img" aria-label="Shares of answers"')
    assert figure.table.keyed_rows() == [{"key": "agree", "header": "Agree", "cells": ["50%"]}]
    assert not charts.figure(
        bars, caption="c", description="d", table=figure.table, phone=False
    ).narrow


def test_the_older_calls_still_draw():
    frame = pd.DataFrame({"x": [1, 2], "y": [3, 4]})
    svg = charts.to_svg(
        charts.theme(alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q"), title="T"),
        description="A line",
    )
    assert svg.startswith('<svg role="img" aria-label="A line"')
