"""The executive dashboard's division filter publishes nothing new: every figure on the
unfiltered dashboard and on each division's view is one the published output holds, and those
figures together (with every leader's report) pass the auditor: no part of 1..k-1 people."""

import re
from html import unescape

import pytest

from clinlead.org.models import Unit
from tests.anonymity_audit.pages import tables
from tests.anonymity_audit.published import audit_output, failures
from tests.anonymity_audit.test_web_leader_index import (
    COUNTED_HIGHER_UP,
    at_units_the_output_names,
    by_key,
    ground_truth,
    published,
    published_cycles,
    same,
)


@pytest.fixture
def northgate(demo):
    return demo.organisations["northgate"]


def shown_unit_figures(html, root):
    """{unit as the output names it: (n, index, {behaviour: score})} read off one dashboard view:
    the units table and the heatmap's table (the chart's marks say the same, checked elsewhere)."""
    shown = {}
    for table in tables(html):
        if table.caption.startswith("Leader index by unit"):
            for row in table.rows:
                if len(row) >= 3 and row[1].isdigit():
                    path = row[0].removesuffix(COUNTED_HIGHER_UP).strip()
                    shown.setdefault(f"{root}/{path}", [None, None, {}])[:2] = [
                        int(row[1]),
                        float(row[2]),
                    ]
        elif table.caption.startswith("Behaviour scores of each unit"):
            names = [h.lower() for h in table.head[1:]]
            for row in table.rows:
                unit = root if row[0] == "Organisation" else f"{root}/{row[0]}"
                scores = {
                    b: float(v) for b, v in zip(names, row[1:], strict=True) if v != "Not shown"
                }
                if scores:  # a row of "Not shown" shows no figure
                    shown.setdefault(unit, [None, None, {}])[2].update(scores)
    for behaviour, path, mean in re.findall(
        r'aria-label="behaviour: (\w+); unit: ([^;"]+); Mean: ([\d.]+)"', html
    ):
        shown.setdefault(f"{root}/{unescape(path)}", [None, None, {}])[2].setdefault(
            behaviour.lower(), float(mean)
        )
    return shown


def test_filtered_and_unfiltered_dashboards_together_publish_only_published_figures(
    northgate, login
):
    client = login("erin")
    root = northgate.name
    divisions = Unit.objects.filter(organisation=northgate, depth=0)
    for cycle in published_cycles(northgate):
        report = published(cycle)
        leaders, units = by_key(report)
        url = f"/leader-index/cycles/{cycle.pk}/"
        views = [client.get(url).content.decode()]
        views += [client.get(url, {"division": d.pk}).content.decode() for d in divisions]
        seen = set()
        for html in views:
            for unit, (n, index, behaviours) in shown_unit_figures(html, root).items():
                entry = units.get(unit)
                assert entry, (
                    f"{cycle}: a dashboard view shows {unit}, which the output does not publish"
                )
                if n is not None:
                    assert n == entry["n"] and same(index, entry["index"], 1), (
                        f"{cycle} {unit}: {n} {index} vs {entry}"
                    )
                for name, score in behaviours.items():
                    value = (entry.get("behaviours") or {}).get(name)
                    assert value is not None and abs(value - score) <= 0.005 + 1e-9, (
                        f"{cycle} {unit} {name}"
                    )
                seen.add(unit)
        assert seen, f"{cycle}: no dashboard view showed a unit's figure"
        # The auditor on what the dashboard's views show, beside every leader's report.
        shown = {**report, "units": [e for e in report["units"] if e["unit"] in seen]}
        truth = at_units_the_output_names(shown, ground_truth(cycle))
        problems = failures(audit_output(shown, truth, cycle.min_responses))
        assert not problems, f"{cycle}:\n{problems}"
        assert leaders, "the leaders' reports are audited with the dashboard"
