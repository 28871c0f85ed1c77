"""The leader report a clinical director acts on: each figure beside the organisation's and the
previous year's, strengths and opportunities from the questions shown, suggested actions tied to
the competency framework, questions named in full, and the same in a tagged, numbered PDF."""

import json
import re
import zlib
from datetime import date

import pytest
from django.urls import reverse

from clinlead.accounts.models import User
from clinlead.development.frameworks import FRAMEWORK_DIR
from clinlead.leaderindex.models import CycleResult, LeaderResult
from clinlead.leaderindex.services import publish_cycle
from clinlead.surveys.models import Response
from clinlead.surveys.services import default_instrument
from tests.surveys.world import World

pytestmark = pytest.mark.django_db


def alices_report(demo, login):
    alice = User.objects.get(username="alice")
    result = LeaderResult.objects.filter(leader_id=alice.person_id).order_by("-cycle__opens_on").first()
    page = login("alice").get(reverse("leaderindex:report", kwargs={"cycle": result.cycle_id,
                                                                   "leader": alice.person_id}))
    assert page.status_code == 200
    return result, page.content.decode()


def row(html, table_id, key):
    """The cells of the row `data-key=key` in the chart table inside `#table_id`."""
    part = html[html.index(f'id="{table_id}"'):]
    match = re.search(rf'<tr class="nhsuk-table__row" data-key="{key}">(.*?)</tr>', part, re.S)
    return re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match[1]) if match else None


def test_each_behaviour_sits_beside_the_organisations_and_last_years(demo, login):
    result, html = alices_report(demo, login)
    organisation = CycleResult.objects.get(cycle=result.cycle).organisation_figures["behaviours"]
    before = LeaderResult.objects.filter(leader=result.leader, cycle__opens_on__lt=result.cycle.opens_on) \
        .order_by("-cycle__opens_on").first()
    assert before is not None, "the demo publishes two cycles before this year's"
    for behaviour, score in result.behaviours.items():
        cells = row(html, "behaviours-chart", behaviour)
        assert cells[:4] == [behaviour.capitalize(), f"{score:.2f}", f"{organisation[behaviour]:.2f}",
                             f"{before.behaviours[behaviour]:.2f}"]
    assert f"Your index in {before.cycle.name}" in html
    assert re.search(r'id="against-organisation">[\d.]+: (inside|outside) your interval', html)


def test_the_index_interval_is_said_in_words(demo, login):
    result, html = alices_report(demo, login)
    assert (f"likely to be between {result.ci_low:.1f} and {result.ci_high:.1f} "
            "(a 95% confidence interval)") in html


def test_the_chart_names_each_question_in_full(demo, login):
    _, html = alices_report(demo, login)
    drawn = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", html))
    assert "(develop)" not in html and "Q7" not in drawn
    assert "My leader gives me useful feedback and" in drawn  # wrapped over lines, never cut
    assert "…" not in drawn


def test_the_rank_among_leaders_is_said_in_plain_words(demo, login):
    from clinlead.leaderindex.selectors_leader import percentile_words

    _, html = alices_report(demo, login)
    assert "Higher than about" not in html
    assert percentile_words(50) == ("Around the middle of the organisation's leaders with a published index: "
                                    "about 5 in 10 of them have a lower index")
    assert percentile_words(92).startswith("Among the highest fifth")
    assert percentile_words(8).startswith("Among the lowest fifth")
    assert percentile_words(None) is None


def test_every_chart_has_its_figures_as_a_table(demo, login):
    _, html = alices_report(demo, login)
    figures = html.count('<figure class="clinlead-chart"')
    assert figures >= 4
    assert html.count("Show the figures as a table") == figures
    assert html.count('<th scope="col" class="nhsuk-table__header">') > figures


def test_suggested_actions_name_the_competencies_of_the_framework(demo, login):
    from clinlead.development.leader_report import behaviour_map

    _, html = alices_report(demo, login)
    assert 'id="suggested-actions"' in html
    assert "NHS Healthcare Leadership Model" in html
    national = json.loads((FRAMEWORK_DIR / "nhs-healthcare-leadership-model.json").read_text())
    names = {d["code"]: d["name"] for d in national["dimensions"]}
    mapping = behaviour_map()
    behaviours = {item.behaviour for item in default_instrument().load().items} - {"overall"}
    assert set(mapping["behaviours"]) == behaviours, "every behaviour of the index maps to competencies"
    for spec in mapping["behaviours"].values():
        assert set(spec["dimensions"]) <= set(names) and spec["actions"]
    assert any(names[c] in html for spec in mapping["behaviours"].values() for c in spec["dimensions"])


def test_strengths_are_above_and_opportunities_below_the_organisation():
    from clinlead.leaderindex.selectors_leader import strengths_and_opportunities

    shown = {f"q{i}": {"1": 0, "2": 0, "3": 10 - i, "4": i, "5": 0} for i in range(1, 9)}
    shown["q9"] = None  # not shown: fewer than k answered
    organisation = {f"q{i}": 0.45 for i in range(1, 10)}
    strengths, opportunities = strengths_and_opportunities(items=shown, organisation=organisation,
                                                           actionable=set(shown))
    assert [r["item"] for r in strengths] == ["q8", "q7", "q6"]
    assert [r["item"] for r in opportunities] == ["q1", "q2", "q3"]
    assert all(r["difference"] > 0 for r in strengths) and all(r["difference"] < 0 for r in opportunities)


def two_year_world(*, last_year_answers):
    """A leader rated by 6 this year and `last_year_answers` last year, among two other leaders."""
    world = World(k=5)
    leader, *others = (world.person("Ward") for _ in range(3))
    cycles = []
    for name, opens, own in (("2025", date(2025, 1, 10), last_year_answers), ("2026", date(2026, 1, 10), 6)):
        cycle = world.cycle(name=name)
        cycle.opens_on = opens
        cycle.save(update_fields=["opens_on"])
        answers = [4] * 6 + [None] + [4] * 5  # q7 left blank by most: not shown
        Response.objects.bulk_create(
            [Response(cycle=cycle, leader=leader, unit=world.unit("Ward"), profession="nurse",
                      answers=answers if i < 4 else [5] * 12, burnout=2, satisfaction=4) for i in range(own)])
        for j, other in enumerate(others):
            world.responses(cycle, leader=other, unit_path="Ward", n=6, score=3 + j)
        publish_cycle(actor=None, cycle=cycle)
        cycles.append(cycle)
    return world, leader, cycles


def test_a_question_not_shown_stays_out_of_strengths_and_opportunities(client):
    _, leader, (_, cycle) = two_year_world(last_year_answers=6)
    client.force_login(User.objects.create(username="leader", person=leader))
    html = client.get(reverse("leaderindex:report", kwargs={"cycle": cycle.pk, "leader": leader.pk})).content.decode()
    seven = "7. My leader has talked with me about my career"
    assert re.search(r"Not shown: fewer than 5 answered:</p>.*" + re.escape(seven), html, re.S)
    for section in ("strengths", "opportunities"):
        if f'id="{section}"' in html:
            listed = html[html.index(f'id="{section}"'):].split("</ul>")[0]
            assert 'data-item="q7"' not in listed
    assert row(html, "items-chart", "q7") is None and row(html, "items-chart", "q8") is not None
    assert seven not in " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", html))


def test_last_year_is_shown_only_where_last_year_published_a_figure_for_the_leader(client):
    _, leader, (_, cycle) = two_year_world(last_year_answers=3)  # fewer than k: no report last year
    client.force_login(User.objects.create(username="leader", person=leader))
    html = client.get(reverse("leaderindex:report", kwargs={"cycle": cycle.pk, "leader": leader.pk})).content.decode()
    assert 'id="against-previous"' not in html and "You in 2025" not in html
    assert 'id="against-organisation"' in html


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's bytes with its compressed streams inflated (the catalog may sit in one)."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"\n".join(parts)


@pytest.mark.sqlite_only  # WeasyPrint draws the same PDF on any database
def test_the_pdf_is_tagged_numbered_and_its_summary_aligned(demo, login):
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from weasyprint import HTML

    from clinlead.leaderindex.views import _report_context

    result, _ = alices_report(demo, login)
    pdf = login("alice").get(reverse("leaderindex:report_pdf", kwargs={"cycle": result.cycle_id,
                                                                      "leader": result.leader_id}))
    assert pdf.content.startswith(b"%PDF") and b"/StructTreeRoot" in pdf_objects(pdf.content), "a tagged PDF"
    assert b"pdfuaid" in pdf_objects(pdf.content), "declared PDF/UA"
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="alice")
    html = render_to_string("leaderindex/report_pdf.html",
                            _report_context(request, result.cycle, result.leader, phone=False), request=request)
    document = HTML(string=html, base_url="clinlead-static:").render()

    def boxes(box):
        yield box
        for child in getattr(box, "children", None) or []:
            yield from boxes(child)

    pages = len(document.pages)
    for number, page in enumerate(document.pages, start=1):
        assert f"Page {number} of {pages}" in [getattr(b, "text", None) for b in boxes(page._page_box)]
    values = [b for b in boxes(document.pages[0]._page_box)
              if getattr(b, "element_tag", None) == "dd" and type(b).__name__ in ("TableCellBox", "BlockBox")]
    assert len(values) >= 4 and len({round(b.position_x, 1) for b in values}) == 1, "the summary's values line up"
