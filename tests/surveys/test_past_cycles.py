"""Loading past cycles from the analyst CSV: checked whole, published through the same rule."""

import csv

import pytest
from django.core.exceptions import ValidationError

from clinlead.leaderindex.models import LeaderResult
from clinlead.leaderindex.services import import_past_cycle
from clinlead.surveys.models import Response, SurveyCycle
from tests.surveys.world import World

pytestmark = pytest.mark.django_db

HEADER = ["cycle", "leader_id", "unit", "profession", *[f"q{i}" for i in range(1, 13)], "burnout", "satisfaction"]


def write(path, rows):
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def rows_for(cycle, leader, unit, n, score):
    return [[cycle, leader.staff_number, unit, "nurse", *[score] * 12, 2, 4] for _ in range(n)]


def test_past_cycles_are_loaded_published_and_give_a_trend(tmp_path):
    world = World(k=5)
    leader, other = world.person("Medicine/Ward"), world.person("Medicine/Ward")
    path = write(tmp_path / "history.csv",
                 rows_for("2023", leader, "Test Trust/Medicine/Ward", 8, 3)
                 + rows_for("2024", leader, "Medicine/Ward", 9, 4)
                 + rows_for("2024", other, "Medicine/Ward", 6, 2))
    cycles = import_past_cycle(actor=None, organisation=world.org, path=path)
    assert [c.name for c in cycles] == ["2023", "2024"]
    assert all(c.status == SurveyCycle.Status.PUBLISHED and c.imported for c in cycles)
    trend = list(LeaderResult.objects.filter(leader=leader).order_by("cycle__name").values_list("cycle__name", "index"))
    assert trend == [("2023", 36.0), ("2024", 48.0)]
    assert LeaderResult.objects.get(leader=other).index == 24.0


def test_an_unknown_leader_or_unit_stops_the_whole_file(tmp_path):
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    rows = rows_for("2024", leader, "Medicine/Ward", 6, 4)
    rows.append(["2024", "NOBODY", "Medicine/Ward", "nurse", *[4] * 12, 2, 4])
    rows.append(["2024", leader.staff_number, "Nowhere/At all", "nurse", *[4] * 12, 2, 4])
    with pytest.raises(ValidationError) as raised:
        import_past_cycle(actor=None, organisation=world.org, path=write(tmp_path / "bad.csv", rows))
    text = " ".join(raised.value.messages)
    assert "'NOBODY' is not a staff number" in text and "'Nowhere/At all' is not a unit" in text
    assert not SurveyCycle.objects.exists() and not Response.objects.exists()


def test_a_badly_formed_file_names_the_row_and_column(tmp_path):
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    rows = rows_for("2024", leader, "Medicine/Ward", 6, 4)
    rows[2][6] = 9  # q3 on the file's row 4
    with pytest.raises(ValidationError) as raised:
        import_past_cycle(actor=None, organisation=world.org, path=write(tmp_path / "bad.csv", rows))
    assert any("row 4" in m and "q3" in m for m in raised.value.messages)
    assert not SurveyCycle.objects.exists()


@pytest.mark.parametrize(("cycle", "says"), [
    ("0000", "begins with a year outside"),
    ("9999/00", "begins with a year outside"),
    ("2024\x00", "control character"),
    ("=HYPERLINK(1)", "formula"),
    ("2" * 150, "longer than"),
])
def test_a_cycle_name_that_cannot_be_stored_is_refused_with_its_column(tmp_path, cycle, says):
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    path = write(tmp_path / "bad.csv", rows_for(cycle, leader, "Medicine/Ward", 6, 4))
    with pytest.raises(ValidationError) as raised:
        import_past_cycle(actor=None, organisation=world.org, path=path)
    assert any("column cycle" in m and says in m for m in raised.value.messages), raised.value.messages
    assert not SurveyCycle.objects.exists()


def test_a_cycle_named_with_other_scripts_digits_is_filed_as_undated(tmp_path):
    world = World(k=5)
    leader = world.person("Medicine/Ward")
    path = write(tmp_path / "odd.csv", rows_for("²０２４", leader, "Medicine/Ward", 6, 4))
    [cycle] = import_past_cycle(actor=None, organisation=world.org, path=path)
    assert cycle.opens_on.year == 2000
