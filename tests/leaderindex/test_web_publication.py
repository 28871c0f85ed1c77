"""Leader-first publication in the web app: what a published cycle stores, shows and exports,
read back through `clinlead leaderindex published CYCLE_ID --json --covers`, and attacked."""

import csv
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.leaderindex.services import import_past_cycle, publish_cycle
from clinlead.surveys.models import Response
from tests.leaderindex.attack import figures_with_covers, isolating_combinations
from tests.leaderindex.parts import report_figures, small_parts
from tests.surveys.world import World

pytestmark = pytest.mark.django_db
HEADER = ["cycle", "leader_id", "unit", "profession", *[f"q{i}" for i in range(1, 13)], "burnout", "satisfaction"]


def published(cycle):
    out = io.StringIO()
    call_command("leaderindex", "published", str(cycle.pk), "--json", "--covers", stdout=out)
    return json.loads(out.getvalue())


def contributors(cycle):
    """{(unit path, staff number): respondents with an index} straight from the stored answers."""
    root = cycle.organisation.name
    out = {}
    for r in Response.objects.filter(cycle=cycle).select_related("unit", "leader"):
        key = (f"{root}/{r.unit.path}" if r.unit else root, r.leader.staff_number)
        out[key] = out.get(key, 0) + (sum(a is not None for a in r.answers) >= 10)
    return out


def answer(cycle, leader, path, world, n, value=4, answers=None):
    Response.objects.bulk_create([
        Response(cycle=cycle, leader=leader, unit=world.unit(path), profession="nurse",
                 answers=list(answers) if answers else [value] * 12, burnout=2, satisfaction=4)
        for _ in range(n)])


def crossing_world():
    """Leader X: 5 staff in Div/A, 5 in Div/B and 1 in Div/C (who rates X all 1s); Y leads 6 in
    Div/A; Z is rated by 5 in Div/C and 6 in Other."""
    world = World(k=5)
    x, y, z = (world.person("Div") for _ in range(3))
    cycle = world.cycle()
    for leader, path, n, value in ((x, "Div/A", 5, 4), (x, "Div/B", 5, 4), (x, "Div/C", 1, 1), (y, "Div/A", 6, 4),
                                   (z, "Div/C", 5, 4), (z, "Other", 6, 4)):
        answer(cycle, leader, path, world, n, value)
    return world, cycle, (x, y, z)


def assert_no_small_part(cycle):
    report = published(cycle)
    cells = contributors(cycle)
    assert small_parts(figures=report_figures(report), contributors=cells, k=5) == []
    assert isolating_combinations(figures_with_covers(report), cells, k=5) == []
    return report


def test_no_combination_of_published_figures_isolates_the_one_person_in_c():
    # Before: Div/C, Other and Z were all stored, and Div/C - Z + Other was that person's index.
    world, cycle, (x, y, z) = crossing_world()
    publish_cycle(actor=None, cycle=cycle)
    report = assert_no_small_part(cycle)
    assert {e["leader_id"] for e in report["leaders"]} == {x.staff_number, y.staff_number, z.staff_number}
    by_id = {e["leader_id"]: e for e in report["leaders"]}
    assert by_id[x.staff_number]["n"] == 11 and len(by_id[x.staff_number]["covers"]) == 3


def test_the_past_cycle_import_publishes_through_the_same_rule(tmp_path):
    world = World(k=5)
    x, y, z = (world.person("Div") for _ in range(3))
    for path in ("Div/A", "Div/B", "Div/C", "Other"):
        world.unit(path)
    rows = []
    for leader, path, n, value in ((x, "Div/A", 5, 4), (x, "Div/B", 5, 4), (x, "Div/C", 1, 1), (y, "Div/A", 6, 4),
                                   (z, "Div/C", 5, 4), (z, "Other", 6, 4)):
        rows += [["2023", leader.staff_number, path, "nurse", *[value] * 12, 2, 4] for _ in range(n)]
    with (tmp_path / "past.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    [cycle] = import_past_cycle(actor=None, organisation=world.org, path=tmp_path / "past.csv")
    report = assert_no_small_part(cycle)
    assert len(report["leaders"]) == 3


def test_the_executive_excel_export_shows_the_published_figures_and_no_more(client):
    world, cycle, (x, y, z) = crossing_world()
    publish_cycle(actor=None, cycle=cycle)
    user = User.objects.create(username="exec")
    RoleGrant.objects.create(user=user, role=Role.EXECUTIVE, organisation=world.org)
    client.force_login(user)
    book = load_workbook(io.BytesIO(client.get(reverse("leaderindex:export", kwargs={"pk": cycle.pk})).content))
    report = assert_no_small_part(cycle)
    units = {e["unit"].removeprefix("Test Trust/"): (e["n"], round(e["index"], 2)) for e in report["units"]}
    sheet = {row[0]: (row[1], row[2]) for row in book["Units"].iter_rows(min_row=2, values_only=True)}
    assert sheet == {u: v for u, v in units.items() if u != "Test Trust"}
    leaders = {e["leader_id"]: (e["n"], round(e["index"], 2)) for e in report["leaders"]}
    assert {row[1]: (row[2], row[3]) for row in book["Leaders"].iter_rows(min_row=2, values_only=True)} == leaders
    # The old attack, from the sheet alone: Div/C - Z + Other.
    assert not {"Div/C", "Other"} <= set(sheet)


def test_a_leader_with_5_answers_of_which_4_left_q7_blank_does_not_show_q7(client):
    world = World(k=5)
    leader = world.person("Ward")
    cycle = world.cycle()
    blank_q7 = [4] * 6 + [None] + [4] * 5
    answer(cycle, leader, "Ward", world, 4, answers=blank_q7)
    answer(cycle, leader, "Ward", world, 1, answers=[4] * 6 + [1] + [4] * 5)
    publish_cycle(actor=None, cycle=cycle)
    report = published(cycle)
    [entry] = report["leaders"]
    assert entry["n"] == 5 and entry["items"]["q7"] is None and entry["items"]["q8"]["4"] == 5
    client.force_login(User.objects.create(username="leader", person=leader))
    page = client.get(reverse("leaderindex:report", kwargs={"cycle": cycle.pk, "leader": leader.pk})).content.decode()
    assert re.search(r"Not shown: fewer than 5 answered:</p>.*7\. My leader has talked with me", page, re.S)


def test_the_report_page_and_the_unit_pages_show_the_published_figures():
    world, cycle, (x, y, z) = crossing_world()
    publish_cycle(actor=None, cycle=cycle)
    report = published(cycle)
    executive = User.objects.create(username="exec")
    RoleGrant.objects.create(user=executive, role=Role.EXECUTIVE, organisation=world.org)
    from django.test import Client

    for entry in report["leaders"]:
        client = Client()
        person = {p.staff_number: p for p in (x, y, z)}[entry["leader_id"]]
        client.force_login(User.objects.create(username=f"u{person.pk}", person=person))
        page = client.get(reverse("leaderindex:report", kwargs={"cycle": cycle.pk, "leader": person.pk})).content.decode()
        assert f'<strong id="leader-index">{entry["index"]:.1f}</strong>' in page
        assert f'<dd class="nhsuk-summary-list__value" id="leader-n">{entry["n"]}</dd>' in page
        for name, score in entry["behaviours"].items():
            assert f"{score:.2f}" in page, name
    client = Client()
    client.force_login(executive)
    page = client.get(reverse("leaderindex:dashboard", kwargs={"pk": cycle.pk})).content.decode()
    shown = dict(re.findall(r'data-unit="([^"]+)"><td class="nhsuk-table__cell">[^<]*(?:<br><span[^>]*>[^<]*</span>)?'
                            r'</td><td class="nhsuk-table__cell">(\d+)</td>', page))
    units = {e["unit"].removeprefix("Test Trust/"): e for e in report["units"]}
    assert shown, "the dashboard lists the published units"
    for path, n in shown.items():
        assert int(n) == units[path]["n"]
        assert f'{units[path]["index"]:.1f}' in page
    organisation = units["Test Trust"]
    assert f'{organisation["index"]:.1f} out of 60, from {organisation["n"]} people' in page


def test_published_refuses_a_cycle_that_is_not_published():
    world = World(k=5)
    cycle = world.cycle()
    with pytest.raises(CommandError, match="no published cycle"):
        call_command("leaderindex", "published", str(cycle.pk), "--json")


def test_the_demo_cycles_publish_every_leader_with_k_and_no_small_part(demo):
    from clinlead.surveys.models import SurveyCycle

    cycles = SurveyCycle.objects.filter(status=SurveyCycle.Status.PUBLISHED)
    assert cycles.exists()
    for cycle in cycles:
        report = published(cycle)
        cells = contributors(cycle)
        k = report["min_n"]
        assert small_parts(figures=report_figures(report), contributors=cells, k=k) == [], cycle
        per_leader = {}
        for (_, leader), n in cells.items():
            per_leader[leader] = per_leader.get(leader, 0) + n
        shown = {e["leader_id"]: e["n"] for e in report["leaders"]}
        assert shown == {leader: n for leader, n in per_leader.items() if n >= k}, cycle


def test_a_cycle_published_under_the_old_rule_is_published_again_from_its_answers():
    from clinlead.leaderindex.models import LeaderResult, UnitResult

    world, cycle, (x, y, z) = crossing_world()
    publish_cycle(actor=None, cycle=cycle)
    # As the subtraction rule left it: Div/C stored, Z's report missing.
    LeaderResult.objects.filter(cycle=cycle, leader=z).delete()
    UnitResult.objects.create(cycle=cycle, unit=world.unit("Div/C"), responses=6, index=42.0)
    out = io.StringIO()
    call_command("leaderindex", "republish", str(cycle.pk), stdout=out)
    assert "3 leaders" in out.getvalue()
    assert_no_small_part(cycle)
    assert LeaderResult.objects.filter(cycle=cycle, leader=z).exists()
    with pytest.raises(CommandError, match="--all"):
        call_command("leaderindex", "republish")
