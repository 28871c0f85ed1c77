"""The executive dashboard: change since the previous survey, the division filter and drill-down,
full unit labels, a diverging scale that never speaks by colour alone, a table behind each chart."""

import re

import pytest
from django.urls import reverse

from clinlead.leaderindex import selectors_dashboard
from clinlead.leaderindex.charts import heatmap_chart
from clinlead.leaderindex.models import UnitResult
from clinlead.org.models import Unit
from clinlead.surveys.models import SurveyCycle
from tests.anonymity_audit.pages import tables


def published(org):
    return list(
        SurveyCycle.objects.filter(organisation=org, status=SurveyCycle.Status.PUBLISHED).order_by(
            "opens_on"
        )
    )


@pytest.fixture
def northgate(demo):
    return demo.organisations["northgate"]


def test_change_since_last_year_is_given_where_both_years_published_the_unit(northgate):
    before, now = published(northgate)[-2:]
    assert selectors_dashboard.previous_cycle(cycle=now) == before
    earlier = {r.unit_id: r.index for r in UnitResult.objects.filter(cycle=before)}
    later = {r.unit_id: r.index for r in UnitResult.objects.filter(cycle=now)}
    rows = selectors_dashboard.dashboard(cycle=now)["units"]
    comparable = [r for r in rows if r["comparable"]]
    assert comparable and len(comparable) < len(rows), "the demo has both kinds of unit"
    for row in rows:
        unit = row["unit"].pk
        if unit in earlier and unit in later:
            assert row["change"] == pytest.approx(later[unit] - earlier[unit])
        else:
            assert row["change"] is None and row["change_text"] == "not comparable"


def test_the_first_published_survey_has_nothing_to_compare_with(northgate):
    first = published(northgate)[0]
    data = selectors_dashboard.dashboard(cycle=first)
    assert data["previous"] is None and data["organisation_change"] is None
    assert not any(r["comparable"] for r in data["units"])


def test_changes_read_with_their_sign():
    assert [selectors_dashboard.signed(v) for v in (1.24, -0.36, 0.01, None)] == [
        "+1.2",
        "−0.4",
        "0.0",
        "not comparable",
    ]


def test_a_division_filter_keeps_the_division_and_its_departments_only(northgate):
    cycle = published(northgate)[-1]
    medicine = Unit.objects.get(organisation=northgate, path="Medicine")
    everything = selectors_dashboard.dashboard(cycle=cycle)["units"]
    filtered = selectors_dashboard.dashboard(cycle=cycle, division=medicine)["units"]
    assert {r["unit"].path for r in filtered} == {
        r["unit"].path for r in everything if Unit.path_contains("Medicine", r["unit"].path)
    }
    # The same stored figures, not new ones computed on the division's answers.
    same = {r["unit"].pk: r["result"] for r in everything}
    assert all(r["result"] == same[r["unit"].pk] for r in filtered)


def test_the_dashboard_filters_and_drills_down_from_a_division(northgate, login):
    client = login("erin")
    cycle = published(northgate)[-1]
    url = reverse("leaderindex:dashboard", kwargs={"pk": cycle.pk})
    page = client.get(url).content.decode()
    medicine = Unit.objects.get(organisation=northgate, path="Medicine")
    assert f'href="?division={medicine.pk}#by-unit">Medicine' in page, (
        "a division drills down to its units"
    )
    assert "no filter by profession" in page
    filtered = client.get(url, {"division": medicine.pk}).content.decode()
    rows = re.findall(r'data-unit="([^"]+)"', filtered)
    assert rows and all(Unit.path_contains("Medicine", path) for path in rows)
    assert "Showing Medicine and its departments" in filtered
    assert client.get(url, {"division": "999999"}).status_code == 404
    department = Unit.objects.get(organisation=northgate, path="Medicine/Cardiology")
    assert client.get(url, {"division": department.pk}).status_code == 404, "only divisions filter"


def test_every_dashboard_chart_has_a_table_behind_it_and_full_labels(northgate, login):
    page = (
        login("erin")
        .get(reverse("leaderindex:dashboard", kwargs={"pk": published(northgate)[-1].pk}))
        .content.decode()
    )
    charts = page.count('<figure class="clinlead-chart')
    assert charts == 2 and page.count('<svg role="img"') == charts
    assert page.count('<details class="nhsuk-details">') == charts
    captions = [t.caption for t in tables(page)]
    assert any("Leaders per band" in c for c in captions) and any(
        "Behaviour scores of each unit" in c for c in captions
    )
    assert "…" not in page, "no label is cut"
    assert "Clinical Support" in page and "Services" in page


def test_the_heatmap_colours_by_distance_from_the_organisation_and_says_it_in_text():
    rows = [
        {"unit": "Clinical Support Services/Radiology", "behaviour": "Include", "score": 4.5},
        {"unit": "Medicine", "behaviour": "Include", "score": 3.5},
        {"unit": "Surgery", "behaviour": "Include", "score": None},
    ]
    svg = heatmap_chart(rows, centre={"Include": 4.0})
    assert "4.50▲" in svg and "3.50▼" in svg, "above/below in text, not colour alone"
    assert "…" not in svg and "Clinical Support" in svg and "Radiology" in svg
    assert "Below (orange) or above (purple) the organisation" in svg
    assert "behaviour: Include; unit: Medicine; Mean: 3.500" in svg


def test_long_unit_names_wrap_and_are_never_cut():
    from clinlead.leaderindex.charts import wrap

    for name in ("Clinical Support Services", "Clinical Support Services/Radiology", "Medicine"):
        lines = wrap(name).split("|")
        assert " ".join(lines).replace("/ ", "/") == name
        assert all(len(line) <= 16 or " " not in line for line in lines)


def test_a_division_view_is_open_to_the_dashboards_readers_only(northgate, login):
    """No new URL: the filter is a query on the dashboard, with the same access (the
    `leaderindex:dashboard` row of tests/surveys/access.py)."""
    cycle = published(northgate)[-1]
    url = reverse("leaderindex:dashboard", kwargs={"pk": cycle.pk})
    medicine = Unit.objects.get(organisation=northgate, path="Medicine")
    for persona, status in (("erin", 200), ("tara", 200), ("bob", 403), ("alice", 403)):
        assert login(persona).get(url, {"division": medicine.pk}).status_code == status, persona
