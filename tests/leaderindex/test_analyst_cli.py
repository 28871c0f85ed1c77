"""`clinlead leaderindex score|associate FILE`: the analyst's command line, on generated CSVs."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from clinlead.analytics.instrument import default_instrument
from clinlead.analytics.leaderindex_read import CsvFormatError, read_responses

HEADER = list(default_instrument().csv_header)
LEADER_KEYS = {"leader_id", "n", "published", "index", "ci95", "behaviours", "items", "cycle", "burnout",
               "satisfaction"}
UNIT_KEYS = {"unit", "n", "published", "index", "ci95", "behaviours", "items", "cycle",
             "some_answers_counted_higher_up"}


def response(leader, unit, value=4, burnout=2, satisfaction=4, profession="Nurse", cycle="2024"):
    return [cycle, leader, unit, profession] + [value] * 12 + [burnout, satisfaction]


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def random_survey(path, n=400, seed=1):
    return write_csv(path, _random_rows(n=n, seed=seed))


@pytest.fixture
def survey(tmp_path):
    """Trust A with two departments; leader L-small has only 4 answers."""
    rows = []
    for i in range(12):
        rows.append(response("L-big", "Trust A/Surgery/Ortho", value=3 + i % 3, burnout=1 + i % 5))
    for i in range(8):
        rows.append(response("L-mid", "Trust A/Surgery/Ortho", value=2 + i % 4, profession="AHP"))
    for i in range(9):
        rows.append(response("L-med", "Trust A/Medicine", value=4, satisfaction=1 + i % 5))
    for _ in range(4):
        rows.append(response("L-small", "Trust A/Medicine/Ward 9", value=1, burnout=5))
    return write_csv(tmp_path / "survey.csv", rows)


def run_json(*args):
    out = io.StringIO()
    call_command("leaderindex", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def run_cli(tmp_path, *args):
    env = {**os.environ, "CLINLEAD_DATA_DIR": str(tmp_path / "var")}
    return subprocess.run(
        ["clinlead", "leaderindex", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_score_json_has_the_specified_shape(survey):
    report = run_json("score", str(survey))
    assert set(report) == {"min_n", "leaders", "units"} and report["min_n"] == 5
    assert all(set(e) == LEADER_KEYS for e in report["leaders"])
    assert all(set(e) == UNIT_KEYS for e in report["units"])
    big = next(e for e in report["leaders"] if e["leader_id"] == "L-big")
    assert big["published"] and big["n"] == 12 and len(big["ci95"]) == 2
    assert set(big["items"]["q1"]) == {"1", "2", "3", "4", "5"}
    assert sum(big["items"]["q1"].values()) == 12
    assert big["burnout"]["n"] == 12 and big["burnout"]["rate"] == pytest.approx(6 / 12)
    assert all(e["items"] is None for e in report["units"]), "units publish the index and behaviours"


def test_a_4_response_leader_has_null_figures_and_no_count(survey):
    small = next(
        e for e in run_json("score", str(survey))["leaders"] if e["leader_id"] == "L-small"
    )
    assert small["published"] is False
    assert [small[key] for key in ("n", "index", "ci95", "behaviours", "items")] == [None] * 5


def test_every_unit_level_is_listed_root_first_in_path_order(survey):
    units = run_json("score", str(survey))["units"]
    assert [e["unit"] for e in units] == [
        "Trust A",
        "Trust A/Medicine",
        "Trust A/Medicine/Ward 9",
        "Trust A/Surgery",
        "Trust A/Surgery/Ortho",
    ]
    root = units[0]
    # L-small's 4 answers pool up to the root, where they are too few: withheld everywhere.
    assert root["published"] and root["n"] == 29 and root["some_answers_counted_higher_up"]
    assert units[2]["published"] is False and units[2]["n"] is None


def test_the_threshold_is_an_option(survey):
    report = run_json("score", str(survey), "--min-n", "10")
    assert report["min_n"] == 10
    published = {e["leader_id"] for e in report["leaders"] if e["published"]}
    assert "L-mid" not in published and "L-med" not in published


def test_a_threshold_outside_3_to_50_is_refused(survey):
    with pytest.raises(CommandError, match="between 3 and 50"):
        call_command("leaderindex", "score", str(survey), "--min-n", "2")


def test_the_installed_clinlead_script_prints_the_same_json(survey, tmp_path):
    done = run_cli(tmp_path, "score", str(survey), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == run_json("score", str(survey))


def test_output_does_not_depend_on_row_order(survey, tmp_path):
    with open(survey, newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    shuffled = write_csv(tmp_path / "shuffled.csv", list(reversed(rows)))
    assert run_json("score", str(shuffled)) == run_json("score", str(survey))


def test_associate_json_has_the_specified_shape(survey):
    report = run_json("associate", str(survey))
    for outcome in ("burnout", "satisfaction"):
        assert set(report[outcome]) >= {
            "n",
            "odds_ratio_per_point",
            "ci95",
            "pct_change_odds_per_point",
            "covariates",
        }
    assert report["burnout"]["n"] == 33
    assert set(report["unit_correlation"]) >= {"leaders", "units"}


def test_associate_on_leaders_all_rated_alike_prints_strict_json_with_nulls(tmp_path):
    rows = [response(f"L{i % 3}", "Trust A/Dept", burnout=1 + i % 5, satisfaction=1 + (i * 2) % 5) for i in range(60)]
    path = write_csv(tmp_path / "alike.csv", rows)
    out = io.StringIO()
    call_command("leaderindex", "associate", str(path), "--json", stdout=out)
    report = json.loads(out.getvalue(), parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert report["burnout"]["odds_ratio_per_point"] is None and report["burnout"]["ci95"] is None


def test_readable_summaries_print_without_json(survey, tmp_path):
    out = io.StringIO()
    call_command("leaderindex", "score", str(survey), stdout=out)
    assert "Trust A" in out.getvalue() and "not shown" in out.getvalue()
    out = io.StringIO()
    call_command("leaderindex", "associate", str(random_survey(tmp_path / "r.csv")), stdout=out)
    assert "burnout: odds ratio per point" in out.getvalue()
    assert "adjusted for profession" in out.getvalue()


# ---------------------------------------------------------------- bad files


def test_a_bad_file_names_row_and_column_and_exits_non_zero(tmp_path):
    rows = [response("L1", "Trust A", value=4) for _ in range(5)]
    rows[2][4 + 2] = 7  # q3 on file line 4
    bad = write_csv(tmp_path / "bad.csv", rows)
    done = run_cli(tmp_path, "score", str(bad), "--json")
    assert done.returncode != 0
    assert f"{bad}: row 4, column q3: 7 is out of range 1-5" in done.stderr
    assert done.stdout == ""


def test_call_command_raises_command_error_for_a_bad_file(tmp_path):
    bad = write_csv(tmp_path / "bad.csv", [response("", "Trust A")])
    with pytest.raises(CommandError, match=r"row 2, column leader_id: leader_id is empty"):
        call_command("leaderindex", "score", str(bad), "--json")


def test_a_wrong_header_is_reported_on_row_1(tmp_path):
    header = HEADER.copy()
    header[4] = "Q1"
    bad = write_csv(tmp_path / "bad.csv", [response("L1", "Trust A")], header=header)
    with pytest.raises(CsvFormatError, match=r"row 1, column 5: expected 'q1', found 'Q1'"):
        read_responses(path=bad)


@pytest.mark.parametrize(
    "column, value, reason",
    [
        ("q5", "3.5", "3.5 is not a whole number"),
        ("q5", "abc", "'abc' is not a whole number"),
        ("q12", "0", "0 is out of range 1-5"),
        ("burnout", "6", "6 is out of range 1-5"),
        ("unit", "", "unit is empty"),
        ("unit", "Trust A//Ward", "a unit path segment is empty"),
        ("cycle", " ", "cycle is empty"),
    ],
)
def test_each_kind_of_bad_cell_is_named(tmp_path, column, value, reason):
    rows = [response("L1", "Trust A") for _ in range(3)]
    rows[1][HEADER.index(column)] = value
    bad = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CsvFormatError) as err:
        read_responses(path=bad)
    assert err.value.problems == [f"row 3, column {column}: {reason}"]


def test_a_row_with_too_many_fields_is_reported(tmp_path):
    rows = [response("L1", "Trust A") for _ in range(3)]
    rows[2].append("extra")
    bad = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CsvFormatError, match="row 4: expected 18 fields, found 19"):
        read_responses(path=bad)


def test_a_row_with_too_few_fields_is_reported(tmp_path):
    rows = [response("L1", "Trust A") for _ in range(3)]
    rows[0] = rows[0][:-1]
    bad = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CsvFormatError, match="row 2: expected 18 fields, found 17"):
        read_responses(path=bad)


def test_a_blank_line_is_a_short_row_and_quoted_commas_are_one_field(tmp_path):
    rows = [response("L1", "Trust A, North") for _ in range(3)]  # written quoted
    bad = write_csv(tmp_path / "bad.csv", rows)
    with open(bad, "a") as fh:
        fh.write("\n" + ",".join(map(str, response("L1", "Trust A"))) + "\n")
    with pytest.raises(CsvFormatError) as err:
        read_responses(path=bad)
    assert err.value.problems[0] == "row 5: expected 18 fields, found 1"


def test_many_problems_are_listed_up_to_20(tmp_path):
    rows = [response("L1", "Trust A", value=9) for _ in range(30)]
    bad = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CsvFormatError) as err:
        read_responses(path=bad, chunk_rows=7)
    assert len(err.value.problems) == 20 and err.value.more
    assert err.value.problems[0] == "row 2, column q1: 9 is out of range 1-5"
    assert err.value.problems[12] == "row 3, column q1: 9 is out of range 1-5"


def test_blank_cells_are_missing_answers_not_errors(tmp_path):
    rows = [response("L1", "Trust A") for _ in range(6)]
    rows[0][HEADER.index("q2")] = ""
    rows[1][HEADER.index("burnout")] = ""
    rows[2][HEADER.index("profession")] = ""
    table = read_responses(path=write_csv(tmp_path / "ok.csv", rows))
    assert table.items[0, 1] == 0 and table.burnout[1] == 0
    assert "" in table.professions


def test_the_progress_bar_stays_off_when_stderr_is_not_a_terminal(survey, tmp_path):
    done = run_cli(tmp_path, "score", str(survey), "--json")
    assert done.returncode == 0 and "%|" not in done.stderr
    assert sys.stderr is not None


def test_another_instrument_can_be_named_on_the_command_line(tmp_path):
    data = default_instrument().to_dict()
    data["id"], data["items"] = "nine", data["items"][:9]
    (tmp_path / "nine.json").write_text(json.dumps(data))
    header = HEADER[:4] + [f"q{i}" for i in range(1, 10)] + ["burnout", "satisfaction"]
    rows = [["2024", "L1", "Trust A", "Nurse"] + [5] * 9 + [1, 5] for _ in range(6)]
    path = write_csv(tmp_path / "nine.csv", rows, header=header)
    report = run_json("score", str(path), "--instrument", str(tmp_path / "nine.json"))
    assert report["leaders"][0]["index"] == 45.0
    assert set(report["leaders"][0]["items"]) == {f"q{i}" for i in range(1, 10)}


def test_unit_spellings_that_clean_to_one_path_are_one_unit():
    from clinlead.analytics.leaderindex_read import table_from_rows

    rows = [dict(zip(HEADER, map(str, response("L1", unit)), strict=True))
            for unit in ("Trust A / Ward", "Trust A/Ward", "Trust A/Theatre", " Trust A/Ward")]
    table = table_from_rows(rows=rows)
    assert table.units == ["Trust A/Ward", "Trust A/Theatre"] and table.unit.tolist() == [0, 0, 1, 0]


def _with_demographics(path, rows, columns=("age_band", "sex"), seed=5):
    import random

    rnd = random.Random(seed)
    values = {"age_band": ["<30", "30-49", "50+"], "sex": ["F", "M"]}
    return write_csv(path, [row + [rnd.choice(values[c]) for c in columns] for row in rows],
                     header=HEADER + list(columns))


def _random_rows(n=400, seed=1):
    import random

    rnd = random.Random(seed)
    rows = []
    for _ in range(n):
        leader = rnd.randrange(30)
        row = response(f"L{leader}", f"Trust A/Dept {leader % 4}", profession=rnd.choice("ABC"))
        row[4:16] = [rnd.randint(1, 5) for _ in range(12)]
        row[16], row[17] = rnd.randint(1, 5), rnd.randint(1, 5)
        rows.append(row)
    return rows


def test_associate_adjusts_for_age_band_and_sex_from_the_analyst_file(tmp_path):
    path = _with_demographics(tmp_path / "d.csv", _random_rows())
    out = io.StringIO()
    call_command("leaderindex", "associate", str(path), "--adjust", "age_band,sex", "--min-n", "5", stdout=out)
    assert "adjusted for age band and sex" in out.getvalue() and "unadjusted" not in out.getvalue()
    report = run_json("associate", str(path), "--adjust", "age_band,sex", "--min-n", "5")
    assert report["burnout"]["covariates"] == ["profession", "age band", "sex"]
    plain = run_json("associate", str(path), "--min-n", "5")  # the columns are there, not used
    assert plain["burnout"]["adjustment"] == "unadjusted (Mayo's published figures are adjusted for age and sex)"
    assert plain["burnout"]["odds_ratio_per_point"] != report["burnout"]["odds_ratio_per_point"]


def test_adjust_names_the_column_the_file_does_not_have(tmp_path):
    path = _with_demographics(tmp_path / "d.csv", _random_rows(), columns=("age_band",))
    with pytest.raises(CommandError, match="has no column 'sex'"):
        call_command("leaderindex", "associate", str(path), "--adjust", "age_band,sex")
    with pytest.raises(CommandError, match="cannot adjust for 'ward'"):
        call_command("leaderindex", "associate", str(path), "--adjust", "ward")


def test_without_adjust_the_output_says_unadjusted_and_mayos_figures_are_adjusted(tmp_path):
    out = io.StringIO()
    call_command("leaderindex", "associate", str(random_survey(tmp_path / "r.csv")), stdout=out)
    assert "unadjusted (Mayo's published figures are adjusted for age and sex)" in out.getvalue()
