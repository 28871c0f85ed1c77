"""The succession chart as an organisation chart: boxes that never overlap, every unit under the
unit it belongs to, joined to it by a line; units of wards stacked so the chart stays narrow."""

import re
from datetime import date

from django.urls import reverse
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.succession.org_chart import BOX_WIDTH, Box, Line, layout, wrap
from clinlead.succession.selectors import chart_drawing, succession_chart


def boxes(depth):
    lines = st.integers(1, 12).map(lambda n: [Line("x")] * n)
    if depth == 0:
        return st.builds(Box, lines=lines)
    return st.builds(Box, lines=lines, children=st.lists(boxes(depth - 1), max_size=4))


def overlap(a, b):
    return (a.x < b.x + BOX_WIDTH and b.x < a.x + BOX_WIDTH
            and a.y < b.y + b.height and b.y < a.y + a.height)


def every(box):
    yield box
    for child in box.children:
        yield from every(child)


@settings(max_examples=60, deadline=None)
@given(st.lists(boxes(3), min_size=1, max_size=3))
def test_no_two_boxes_overlap_and_each_sits_below_its_parent_inside_the_drawing(roots):
    drawing = layout(roots)
    placed = [box for root in roots for box in every(root)]
    assert len(drawing.boxes) == len(placed)
    for i, a in enumerate(placed):
        assert 0 <= a.x and a.x + BOX_WIDTH <= drawing.width + 1e-6
        assert 0 <= a.y and a.y + a.height <= drawing.height + 1e-6
        for b in placed[i + 1:]:
            assert not overlap(a, b)
        for child in a.children:
            assert child.y >= a.y + a.height
    # One line for every parent-child pair, from the parent's edge to the child's.
    assert len(drawing.connectors) == sum(len(box.children) for box in placed)


def test_a_unit_of_wards_stacks_them_in_a_column_under_it():
    wards = [Box(lines=[Line(f"Ward {n}")]) for n in range(12)]
    drawing = layout([Box(lines=[Line("Medicine")], children=wards)])
    assert drawing.width < 2 * BOX_WIDTH  # not twelve boxes wide
    assert [w.y for w in wards] == sorted(w.y for w in wards)


def test_long_titles_wrap_onto_lines_that_fit_the_box():
    assert wrap("Clinical Director for Trauma and Orthopaedic Surgery, Northgate") == [
        "Clinical Director for Trauma and", "Orthopaedic Surgery, Northgate"]


def test_the_chart_page_draws_every_key_position_in_an_svg_with_a_text_alternative(demo, northgate, login):
    chart = succession_chart(organisation=northgate, day=date.today())
    drawing = chart_drawing(chart)
    page = login("erin").get(reverse("succession:chart", kwargs={"slug": "northgate"})).content.decode()
    start = page.index('class="clinlead-org-chart"')
    svg = page[start:page.index("</svg>", start)]
    assert 'role="img"' in svg and 'aria-labelledby="org-chart-title org-chart-desc"' in svg
    assert svg.count("<rect width=\"250\"") == len(drawing.boxes)
    assert svg.count("<polyline") == len(drawing.connectors) > 0
    for position in chart["positions"]:
        assert escape(wrap(position.title)[0]) in svg
    risks = re.findall(r'class="risk-(high|medium|low)">', svg)
    assert len(risks) == len(chart["positions"])
    assert f"{chart['counts']['high']} high risk" in svg
    assert 'id="chart"' in page  # the list, with links to the pools, stays under the chart


def test_the_printed_chart_draws_the_same_boxes_before_the_list(demo, northgate):
    from django.template.loader import render_to_string

    from clinlead.succession.monitor import Scope

    chart = succession_chart(organisation=northgate, day=date.today())
    drawing = chart_drawing(chart)
    html = render_to_string("succession/chart_pdf.html", {
        "org": northgate, "scope": Scope(organisation=northgate), "chart": chart, "drawing": drawing,
        "today": date.today()})
    assert html.count('<rect width="250"') == len(drawing.boxes)
    assert html.index('class="clinlead-org-chart"') < html.index('<ul class="top">')
