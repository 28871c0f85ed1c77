"""The leader index as the web app publishes it, attacked from outside.

`clinlead leaderindex published CYCLE_ID --json --covers` prints the figures the web app shows
for a published cycle (the shape of `score --json --covers`; leaders keyed by staff number,
units by "Trust/Division/..." path, `burnout` / `satisfaction` as {"n", "rate"} or null). The
auditor checks those figures against the responses in the database; and every figure on the
leader report pages, the results dashboard and the Excel export must be one of them, or the
audit would be checking the wrong list.
"""

import csv
import dataclasses
import io
import json
import random
import re
from html import unescape as html_unescape

import openpyxl
import pytest
from django.core.management import call_command

from clinlead.org.models import Person
from clinlead.surveys.models import Response, SurveyCycle
from tests.anonymity_audit.nhs_world import respondent
from tests.anonymity_audit.pages import tables, visible_text
from tests.anonymity_audit.published import (
    ITEMS,
    Respondent,
    audit_output,
    entries,
    failures,
    leaders_starved,
    response_index,
)


# ------------------------------------------------------------------ ground truth and output
def ground_truth(cycle):
    """The cycle's responses, with the cell each sits in: the one place that reads them (the
    way responses are stored may change; this function follows it)."""
    root = cycle.organisation.name
    return [
        Respondent(
            id=pk,
            unit=f"{root}/{path}" if path else root,
            leader=staff_number,
            answers=tuple(answers),
            burnout=burnout,
            satisfaction=satisfaction,
            cycle=cycle.name,
        )
        for pk, staff_number, path, answers, burnout, satisfaction in Response.objects.filter(
            cycle=cycle
        ).values_list(
            "pk", "leader__staff_number", "unit__path", "answers", "burnout", "satisfaction"
        )
    ]


def at_units_the_output_names(report, truth):
    """Respondents placed at the deepest unit the output's covers name on their path: the web
    app may report a team's respondents at its department (the unit levels it reports)."""
    named = {
        (unit, str(leader))
        for _, entry in entries(report)
        for unit, leader in (entry.get("covers") or [])
    }
    placed = []
    for r in truth:
        unit = r.unit
        while (unit, r.leader) not in named and "/" in unit:
            unit = unit.rpartition("/")[0]
        placed.append(dataclasses.replace(r, unit=unit if (unit, r.leader) in named else r.unit))
    return placed


def published(cycle):
    out = io.StringIO()
    call_command("leaderindex", "published", str(cycle.pk), "--json", "--covers", stdout=out)
    return json.loads(out.getvalue())


def published_cycles(org):
    return list(
        SurveyCycle.objects.filter(organisation=org, status=SurveyCycle.Status.PUBLISHED).order_by(
            "opens_on"
        )
    )


def by_key(report):
    leaders = {
        str(e["leader_id"]): e for e in report.get("leaders", []) if e.get("index") is not None
    }
    units = {e["unit"]: e for e in report.get("units", []) if e.get("index") is not None}
    return leaders, units


def same(shown, value, places):
    return value is not None and abs(round(value, places) - shown) <= 0.5 * 10**-places + 1e-9


@pytest.fixture
def northgate(demo):
    return demo.organisations["northgate"]


# ------------------------------------------------------------------ the demo's published cycles
def test_every_published_demo_cycle_passes_the_auditor_and_serves_every_leader(demo):
    """Leak: any sum or difference of the leader index figures the web app shows for a cycle
    leaves fewer than k staff. Starving: a leader with k answers gets no report."""
    cycles = [c for org in demo.organisations.values() for c in published_cycles(org)]
    assert cycles
    for cycle in cycles:
        report = published(cycle)
        truth = at_units_the_output_names(report, ground_truth(cycle))
        problems = failures(audit_output(report, truth, cycle.min_responses))
        starved = leaders_starved(report, truth, cycle.min_responses)
        assert not problems and not starved, f"{cycle.organisation} {cycle}:\n" + "\n".join(
            [problems, *starved]
        )


def report_page_figures(html):
    """Index, people counted and wellbeing percentages a leader report page shows."""
    text = visible_text(html)
    index = re.search(r'id="leader-index">([\d.]+)<', html)
    counted = re.search(r"People whose answers count\s+(\d+)", text)
    burnout = re.search(r"(\d+)% report symptoms of burnout", text)
    satisfied = re.search(r"(\d+)% are satisfied", text)
    shares = {}  # the items chart's table: (item, answer) -> percent of that item's answers
    rows = re.findall(r'<tr class="nhsuk-table__row" data-key="(q\d+)">(.*?)</tr>', html, re.S)
    for item, cells in rows:
        counts = [int(c) for c in re.findall(r"<td[^>]*>(\d+) \(\d+%\)</td>", cells)]
        for answer, count in enumerate(counts, start=1):
            shares[(item, str(answer))] = 100 * count / sum(counts) if sum(counts) else 0.0
    described = re.search(r"Behaviour scores \(1 to 5\): ([^\"<]*)", html)
    behaviours = (
        {name.lower(): float(v) for name, v in re.findall(r"([A-Za-z]+) ([\d.]+)", described[1])}
        if described
        else {}
    )
    return {
        "index": float(index[1]) if index else None,
        "n": int(counted[1]) if counted else None,
        "burnout": int(burnout[1]) if burnout else None,
        "satisfaction": int(satisfied[1]) if satisfied else None,
        "shares": shares,
        "behaviours": behaviours,
    }


def test_leader_report_pages_show_only_figures_the_published_output_holds(northgate, login):
    client = login("admin")
    for cycle in published_cycles(northgate):
        leaders, _ = by_key(published(cycle))
        staff = {r.leader for r in ground_truth(cycle)}
        for person in Person.objects.filter(organisation=northgate, staff_number__in=staff):
            page = client.get(f"/leader-index/cycles/{cycle.pk}/leaders/{person.pk}/")
            if page.status_code != 200:
                continue
            shown = report_page_figures(page.content.decode())
            entry = leaders.get(person.staff_number)
            where = f"{cycle} report of {person.staff_number}"
            if shown["index"] is not None:
                assert entry is not None, (
                    f"{where}: the page shows index {shown['index']}, the output no leader"
                )
                assert same(shown["index"], entry["index"], 1), (
                    f"{where}: page {shown['index']}, output {entry['index']}"
                )
            if shown["n"] is not None:
                assert entry is not None and shown["n"] == entry["n"], (
                    f"{where}: page counts {shown['n']}"
                )
            for (item, answer), pct in shown["shares"].items():
                counts = ((entry or {}).get("items") or {}).get(item)
                assert counts is not None, (
                    f"{where}: the items chart shows {item}, the output hides it"
                )
                answered = sum(int(counts.get(v) or 0) for v in "12345")
                assert (
                    answered and abs(100 * int(counts.get(answer) or 0) / answered - pct) < 0.01
                ), (
                    f"{where}: the chart shows {pct}% answered {answer} to {item}; "
                    f"the output has {counts}"
                )
            for name, score in shown["behaviours"].items():
                value = ((entry or {}).get("behaviours") or {}).get(name)
                assert value is not None and same(score, value, 2), (
                    f"{where}: the page shows {name} {score}; the output has {value}"
                )
            for name in ("burnout", "satisfaction"):
                if shown[name] is not None:
                    rate = (entry or {}).get(name)
                    assert rate and abs(100 * rate["rate"] - shown[name]) <= 0.5 + 1e-9, (
                        f"{where}: the page shows {shown[name]}% for {name}, the output {rate}"
                    )


# Under a unit's name when part of its answers count only in a unit above it (docs/anonymity.md).
COUNTED_HIGHER_UP = "A few answers are counted at a higher level to protect anonymity."


def test_the_results_dashboard_shows_only_figures_the_published_output_holds(northgate, login):
    client = login("admin")
    rows_checked = 0
    for cycle in published_cycles(northgate):
        leaders, units = by_key(published(cycle))
        html = client.get(f"/leader-index/cycles/{cycle.pk}/").content.decode()
        text = visible_text(html)
        overall = re.search(
            r"leader index\s+([\d.]+) out of 60, from (\d+) "
            r"(?:responses|people whose answers count)",
            text,
        )
        if "Organisation's leader index" in text:
            assert overall, f"{cycle}: the organisation's figure is in words this audit cannot read"
        if overall:
            entry = units.get(northgate.name)
            assert (
                entry
                and same(float(overall[1]), entry["index"], 1)
                and entry["n"] == int(overall[2])
            ), f"{cycle}: the dashboard shows {overall[0]!r}; the output has {entry}"
        for behaviour, path, mean in re.findall(
            r'aria-label="behaviour: (\w+); unit: ([^;"]+); Mean: ([\d.]+)"', html
        ):
            entry = units.get(f"{northgate.name}/{html_unescape(path)}")
            value = ((entry or {}).get("behaviours") or {}).get(behaviour.lower())
            assert value is not None and abs(value - float(mean)) < 6e-4, (
                f"{cycle}: the heatmap shows {path} {behaviour} {mean}; the output has {value}"
            )
        indices = [e["index"] for e in leaders.values()]
        for low, high, count in re.findall(
            r"Leader index \(12–60\): (\d+) – (\d+); Leaders: (\d+)", html
        ):
            inside = sum(
                1 for v in indices if int(low) <= v < int(high) or (int(high) == 60 and v == 60)
            )
            assert inside == int(count), (
                f"{cycle}: the histogram shows {count} leaders at {low}-{high}; "
                f"the output has {inside}"
            )
        table = next(t for t in tables(html) if "by unit" in t.caption)
        for row in table.rows:
            if len(row) < 3:
                continue  # suppressed
            # The name cell holds the unit's path and, on a line below it, the note, if any.
            path = row[0].removesuffix(COUNTED_HIGHER_UP).strip()
            n, index = int(row[1]), float(row[2])
            entry = units.get(f"{northgate.name}/{path}")
            assert entry and entry["n"] == n and same(index, entry["index"], 1), (
                f"{cycle}: the dashboard shows {path} n={n} index {index}; the output has {entry}"
            )
            says_so = row[0].endswith(COUNTED_HIGHER_UP)
            output_says = entry.get("some_answers_counted_higher_up")
            assert says_so == bool(output_says), (
                f"{cycle}: the dashboard {'says' if says_so else 'does not say'} that some of "
                f"{path}'s answers are counted higher up; the output has {output_says}"
            )
            rows_checked += 1
    assert rows_checked, "no unit row of the dashboard showed a figure"


def test_succession_candidate_cards_show_only_leader_figures_the_published_output_holds(
    northgate, login
):
    """The leader index travels to the succession candidate card (latest cycle and trend)."""
    client = login("admin")
    outputs = {c.name: by_key(published(c))[0] for c in published_cycles(northgate)}
    leaders = Person.objects.filter(
        organisation=northgate,
        staff_number__in={s for found in outputs.values() for s in found}
        | {r.leader for c in published_cycles(northgate) for r in ground_truth(c)},
    )
    checked = 0
    for person in leaders:
        page = client.get(f"/succession/people/{person.pk}/")
        if page.status_code != 200:
            continue
        # The card's "Leader index" row: "42.5 in the 2025 cycle (8 responses; ...) Trend: 2024
        # 43.4 → 2025 42.5", or "No published result ..."; cycle names may hold spaces.
        row = re.search(r'id="leader-index">(.*?)</dd>', page.content.decode(), re.S)
        said = visible_text(row[1]) if row else ""
        if not said or said.startswith("No published result"):
            continue
        latest = re.match(r"([\d.]+) in the (.+?) cycle \((\d+) responses", said)
        assert latest, (
            f"{person.staff_number}'s card shows an index this audit cannot read: {said!r}"
        )
        shown = [(latest[2], float(latest[1]), int(latest[3]))]
        trend = re.search(r"Trend: (.+)$", said)
        if trend:  # cycle and index, point by point
            points = [re.fullmatch(r"(.+) ([\d.]+)", p) for p in trend[1].split(" → ")]
            assert all(points), f"{person.staff_number}'s card shows a trend of {trend[1]!r}"
            shown += [(p[1], float(p[2]), None) for p in points]
        for cycle, index, n in shown:
            entry = outputs.get(cycle, {}).get(person.staff_number)
            assert entry and same(index, entry["index"], 1) and n in (None, entry["n"]), (
                f"the candidate card of {person.staff_number} shows {cycle}: {index} (n={n}); "
                f"the output has {entry}"
            )
            checked += 1
    assert checked, "no candidate card showed a leader index"


def export_rows(response):
    """{sheet: [dict per row]} from an Excel download."""
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    out = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if rows:
            out[sheet.title] = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
    return out


def _count(row):
    for name in ("Responses", "People counted", "People who answered", "N", "n"):
        if row.get(name) is not None:
            return row[name]
    return None


def test_the_excel_export_holds_only_figures_the_published_output_holds(northgate, login):
    client = login("erin")
    for cycle in published_cycles(northgate):
        leaders, units = by_key(published(cycle))
        sheets = export_rows(client.get(f"/leader-index/cycles/{cycle.pk}/results.xlsx"))
        for row in sheets.get("Units", []):
            entry = units.get(f"{northgate.name}/{row['Unit']}") or units.get(row["Unit"])
            assert (
                entry
                and same(row["Index"], entry["index"], 2)
                and _count(row) in (None, entry["n"])
            ), f"{cycle}: the export shows unit {row}; the output has {entry}"
        for row in sheets.get("Leaders", []):
            entry = leaders.get(str(row["Staff number"]))
            assert (
                entry
                and same(row["Index"], entry["index"], 2)
                and _count(row) in (None, entry["n"])
            ), f"{cycle}: the export shows leader {row}; the output has {entry}"


# ------------------------------------------------ red team through a past-cycle import
def import_past_cycle(client, org, rows):
    """Load a past cycle through the web page, as the talent admin does."""
    body = io.StringIO()
    out = csv.writer(body)
    out.writerow(["cycle", "leader_id", "unit", "profession", *ITEMS, "burnout", "satisfaction"])
    for r in rows:
        out.writerow(
            [
                r.cycle,
                r.leader,
                r.unit,
                "nurse",
                *["" if a is None else a for a in r.answers],
                "" if r.burnout is None else r.burnout,
                "" if r.satisfaction is None else r.satisfaction,
            ]
        )
    upload = io.BytesIO(body.getvalue().encode())
    upload.name = "past.csv"
    page = client.post(f"/leader-index/{org.slug}/import/", {"file": upload})
    assert page.status_code == 302, visible_text(page.content.decode())[:2000]
    return SurveyCycle.objects.get(organisation=org, name=rows[0].cycle)


def staff_numbers(org, how_many):
    return list(
        Person.objects.filter(organisation=org)
        .order_by("staff_number")
        .values_list("staff_number", flat=True)[:how_many]
    )


def test_a_crossing_leader_plus_their_colleagues_minus_the_division_in_the_excel_export_is_one_persons_index(  # noqa: E501
    northgate, login
):
    """Leak (add and subtract across crossing groups, past-cycle import and the executive's
    Excel export): L is rated by 5 in Cardiology, 5 in Gastroenterology and 1 in Urology; M and
    N lead the rest of Cardiology and Gastroenterology. L + M + N - Medicine = the Urology nurse."""
    rng = random.Random(5)
    root = northgate.name
    lead, m, n, p = staff_numbers(northgate, 4)
    plan = [
        ("Medicine/Cardiology", lead, 5),
        ("Medicine/Gastroenterology", lead, 5),
        ("Surgery/Urology", lead, 1),
        ("Medicine/Cardiology", m, 6),
        ("Medicine/Gastroenterology", n, 6),
        ("Surgery/Urology", p, 6),
    ]
    rows = [
        respondent(i, f"{root}/{unit}", leader, rng=rng, cycle="2019")
        for unit, leader, count in plan
        for i in range(count)
    ]
    lone = next(r for r in rows if r.unit.endswith("Urology") and r.leader == lead)
    cycle = import_past_cycle(login("tara"), northgate, rows)
    sheets = export_rows(login("erin").get(f"/leader-index/cycles/{cycle.pk}/results.xlsx"))
    figures = {str(r["Staff number"]): r for r in sheets.get("Leaders", [])}
    figures.update({r["Unit"].removeprefix(root + "/"): r for r in sheets.get("Units", [])})
    combination = {lead: 1, m: 1, n: 1, "Medicine": -1}
    if all(name in figures and _count(figures[name]) is not None for name in combination):
        count = sum(c * _count(figures[name]) for name, c in combination.items())
        total = sum(
            c * _count(figures[name]) * figures[name]["Index"] for name, c in combination.items()
        )
        assert not (count == 1 and abs(total - response_index(lone.answers)) < 0.5), (
            f"L + M + N - Medicine = 1 response with index {total:.2f}: the Urology nurse's "
            f"({response_index(lone.answers)})"
        )
    # And the whole imported cycle passes the auditor.
    report = published(cycle)
    truth = at_units_the_output_names(report, ground_truth(cycle))
    assert not failures(audit_output(report, truth, cycle.min_responses))


def test_a_leader_with_five_responses_four_of_them_blank_shows_no_ones_answers_on_their_report(
    northgate, login
):
    """Leak (figures from fewer than k answers): 5 responses, 4 left every question blank; the
    report page would show one person's index and answers."""
    rng = random.Random(6)
    root = northgate.name
    lead, other = staff_numbers(northgate, 2)
    rows = [respondent(0, f"{root}/Medicine/Cardiology", lead, rng=rng, cycle="2018")]
    rows += [
        respondent(i, f"{root}/Medicine/Cardiology", lead, rng=rng, blank=True, cycle="2018")
        for i in range(1, 5)
    ]
    rows += [
        respondent(i, f"{root}/Medicine/Cardiology", other, rng=rng, cycle="2018")
        for i in range(5, 17)
    ]
    cycle = import_past_cycle(login("tara"), northgate, rows)
    person = Person.objects.get(organisation=northgate, staff_number=lead)
    page = login("admin").get(f"/leader-index/cycles/{cycle.pk}/leaders/{person.pk}/")
    shown = (
        report_page_figures(page.content.decode()) if page.status_code == 200 else {"index": None}
    )
    assert shown["index"] is None, (
        f"the report shows index {shown['index']}: "
        f"the one answer, {response_index(rows[0].answers)}"
    )


def test_a_teams_wellbeing_rates_are_not_one_persons_answer(northgate, login):
    """Leak (figures from fewer than k answers): six answered the leader questions, only one
    the burnout and satisfaction questions; the report would show that person's answers as
    0% or 100%."""
    rng = random.Random(8)
    root = northgate.name
    (lead,) = staff_numbers(northgate, 1)
    rows = [respondent(i, f"{root}/Surgery/Urology", lead, rng=rng, cycle="2017") for i in range(6)]
    rows = [
        Respondent(
            r.id,
            r.unit,
            r.leader,
            r.answers,
            burnout=4 if i == 0 else None,
            satisfaction=1 if i == 0 else None,
            cycle=r.cycle,
        )
        for i, r in enumerate(rows)
    ]
    cycle = import_past_cycle(login("tara"), northgate, rows)
    person = Person.objects.get(organisation=northgate, staff_number=lead)
    page = login("admin").get(f"/leader-index/cycles/{cycle.pk}/leaders/{person.pk}/")
    assert page.status_code == 200, "six full answers: the leader has a report"
    shown = report_page_figures(page.content.decode())
    assert shown["burnout"] is None and shown["satisfaction"] is None, (
        f"burnout {shown['burnout']}% and satisfied {shown['satisfaction']}% "
        "come from one person's answers"
    )
