import csv
import json
import os
import subprocess
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from clinlead.analytics.evaluation_demo import generate_demo_series

DEMO = generate_demo_series(seed=11, metrics=("hsmr", "turnover_pct"))
PILOT_ARGS = [arg for org, start in DEMO.pilots.items() for arg in ("--pilot", f"{org}:{start}")]
FIVE = ["metric", "estimate", "ci95", "n", "pretrend_p"]


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["organisation", "period", "metric", "value"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def demo_csv(tmp_path):
    return write_csv(tmp_path / "metrics.csv", DEMO.rows)


def run(*args):
    """The command as call_command runs it; returns what it printed."""
    out = StringIO()
    call_command("evaluate", *map(str, args), stdout=out)
    return out.getvalue()


def test_json_output_has_the_five_named_keys_first(demo_csv):
    result = json.loads(run(demo_csv, "--metric", "hsmr", *PILOT_ARGS, "--json"))
    assert list(result)[:5] == FIVE
    assert result["metric"] == "hsmr"
    assert result["n"] == 11 * 36
    low, high = result["ci95"]
    assert low < result["estimate"] < high
    assert 0 <= result["pretrend_p"] <= 1
    assert result["pilots"] == DEMO.pilots
    assert result["comparators"] == DEMO.comparators  # default: every non-pilot
    assert any("does not prove" in caveat for caveat in result["caveats"])


def test_json_output_gives_the_verdict_rule_its_reason_and_the_statistics_for_romano_wolf(demo_csv):
    result = json.loads(
        run(demo_csv, "--metric", "hsmr", *PILOT_ARGS, "--json", "--permutations", "99"))
    assert list(result)[:5] == FIVE
    assert result["verdict"] in ("higher", "lower", "unclear")
    assert result["interval_verdict"] in ("higher", "lower", "unclear")
    assert result["verdict"] in (result["interval_verdict"], "unclear")
    assert isinstance(result["already_changing"], bool) and result["verdict_reason"]
    assert 0 < result["pretrend_slope_p"] <= 1
    assert len(result["randomisation_statistics"]) == 99 and result["randomisation_draws"]


def test_comparators_can_be_chosen_and_the_rest_are_left_out(demo_csv):
    chosen = DEMO.comparators[:4]
    args = [arg for org in chosen for arg in ("--comparator", org)]
    result = json.loads(
        run(
            demo_csv,
            "--metric",
            "turnover_pct",
            *PILOT_ARGS,
            *args,
            "--json",
            "--permutations",
            "50",
        )
    )
    assert result["comparators"] == sorted(chosen)
    assert result["n"] == 7 * 36
    assert result["excluded"] == sorted(set(DEMO.comparators) - set(chosen))


def test_the_readable_summary_prints_the_estimate_with_its_assumptions_and_caveats(demo_csv):
    text = run(demo_csv, "--metric", "hsmr", *PILOT_ARGS, "--permutations", "50")
    assert "Evaluation of Hospital standardised mortality ratio (HSMR) (hsmr)" in text
    assert "(lower is better)" in text
    assert "Parallel trends" in text
    assert "11 clusters: 3 pilot, 8 comparison" in text
    assert "Headline (imputation" in text and "Verdict:" in text
    assert "Technical annex: two-way fixed effects" in text
    assert "0 (reference)" in text


def test_an_xlsx_file_works_like_a_csv(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["organisation", "period", "metric", "value"])
    for row in DEMO.rows:
        sheet.append([row["organisation"], row["period"], row["metric"], row["value"]])
    workbook.save(tmp_path / "metrics.xlsx")
    csv_result = json.loads(
        run(write_csv(tmp_path / "m.csv", DEMO.rows), "--metric", "hsmr", *PILOT_ARGS, "--json",
            "--permutations", "50")
    )  # fmt: skip
    xlsx_result = json.loads(
        run(tmp_path / "metrics.xlsx", "--metric", "hsmr", *PILOT_ARGS, "--json", "--permutations",
            "50")
    )  # fmt: skip
    assert xlsx_result["estimate"] == pytest.approx(csv_result["estimate"], abs=1e-12)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--metric", "hsmr", "--pilot", "Nowhere Trust:2023-10"], "organisation 'Nowhere Trust'"),
        (["--metric", "hsmr", "--pilot", "Aldermoor Hospitals:2023-Q4"], "is a quarter, but"),
        (["--metric", "hsmr", "--pilot", "Aldermoor Hospitals:Oct 2023"], "is not a period"),
        (["--metric", "hsmr", "--pilot", "Aldermoor Hospitals"], "expected ORGANISATION:START"),
        (["--metric", "mortality", *PILOT_ARGS], "metric 'mortality' is not in the file"),
        (["--metric", "hsmr", *PILOT_ARGS, "--comparator", "Nowhere"], "--comparator 'Nowhere'"),
        (
            ["--metric", "hsmr", *PILOT_ARGS, "--pilot", "Aldermoor Hospitals:2023-11"],
            "is given twice",
        ),
        (["--metric", "hsmr", "--pilot", "Aldermoor Hospitals:2022-04"], "no values before"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(demo_csv, args, says):
    with pytest.raises(CommandError) as caught:
        run(demo_csv, *args)
    assert says in str(caught.value)


def test_no_comparators_is_refused(tmp_path):
    rows = [r for r in DEMO.rows if r["organisation"] in DEMO.pilots and r["metric"] == "hsmr"]
    with pytest.raises(CommandError, match="no comparison organisations"):
        run(write_csv(tmp_path / "pilots.csv", rows), "--metric", "hsmr", *PILOT_ARGS)


def test_file_problems_name_the_row_column_and_value(tmp_path):
    rows = list(DEMO.rows[:5])
    rows[1] = rows[1] | {"value": "n/a"}
    rows[3] = rows[3] | {"period": "2022-13"}
    with pytest.raises(CommandError) as caught:
        run(write_csv(tmp_path / "bad.csv", rows), "--metric", "hsmr", *PILOT_ARGS)
    message = str(caught.value)
    assert "row 3, column 'value', value 'n/a': not a number" in message
    assert "row 5, column 'period', value '2022-13'" in message


def clinlead(*args, cwd):
    # Settings keep their data (a generated secret key) under CLINLEAD_DATA_DIR.
    env = os.environ | {"CLINLEAD_DATA_DIR": str(cwd / "var")}
    return subprocess.run(
        ["clinlead", "evaluate", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_the_installed_console_script_prints_json(tmp_path, demo_csv):
    args = [demo_csv, "--metric", "hsmr", *PILOT_ARGS, "--json", "--permutations", "99"]
    completed = clinlead(*args, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert list(result)[:5] == FIVE
    in_process = json.loads(run(*args))
    assert result["estimate"] == pytest.approx(in_process["estimate"], abs=1e-12)
    assert result["pretrend_p"] == in_process["pretrend_p"]


def test_the_console_script_exits_non_zero_naming_the_bad_row(tmp_path):
    rows = list(DEMO.rows[:3]) + [DEMO.rows[3] | {"value": ""}]
    completed = clinlead(
        write_csv(tmp_path / "bad.csv", rows), "--metric", "hsmr", *PILOT_ARGS, cwd=tmp_path
    )
    assert completed.returncode != 0
    assert "row 5, column 'value': blank value" in completed.stderr
    assert completed.stdout == ""


def test_json_adds_the_headline_estimator_its_verdict_and_the_technical_annex(demo_csv):
    result = json.loads(run(demo_csv, "--metric", "hsmr", *PILOT_ARGS, "--json",
                            "--permutations", "99"))
    assert result["estimator"].startswith("imputation")
    assert result["ci95"] == result["ci95_randomisation"]
    assert result["verdict"] in ("higher", "lower", "unclear")
    assert result["conventional"]["estimator"] == "two-way fixed effects"
    assert len(result["conventional"]["ci95"]) == 2
    kinds = result["bacon"]["by_kind"]
    assert sum(part["weight"] for part in kinds.values()) == pytest.approx(1.0)
    assert result["rate_model"]["rate_ratio"] > 0  # HSMR is a count against expected deaths
    assert any(point["relative_period"] == -1 and point["reference"]
               for point in result["event_study"])


def test_power_by_simulation_from_the_files_own_history(demo_csv):
    result = json.loads(run(demo_csv, "--metric", "turnover_pct", *PILOT_ARGS, "--json",
                            "--permutations", "39", "--power", "5"))
    power = result["power"]
    assert power["source"] == "history" and power["simulations"] == 200
    assert power["n_pilots"] + power["n_comparators"] == 11
    assert power["power"] > 0.9  # five points of turnover is a very large effect


def test_json_output_adds_the_synthetic_comparators_and_the_sensitivity_after_the_five(demo_csv):
    # 99 permutations, not the default 499 (test_json_output_has_the_five_named_keys_first runs
    # the default): the synthetic comparators and the sensitivity do not depend on them.
    result = json.loads(run(demo_csv, "--metric", "hsmr", *PILOT_ARGS, "--json",
                            "--permutations", "99"))
    assert list(result)[:5] == FIVE
    for key in ("synthetic_did", "synthetic_control"):
        assert result[key]["method"] and result[key]["estimate"] is not None
        cohort = result[key]["cohorts"][0]
        assert sum(d["weight"] for d in cohort["donor_weights"]) == pytest.approx(1, abs=0.01)
        assert {d["organisation"] for d in cohort["donor_weights"]} <= set(DEMO.comparators)
    assert len(result["synthetic_did"]["ci95"]) == 2
    assert result["sensitivity"]["words"]
    text = run(demo_csv, "--metric", "hsmr", *PILOT_ARGS, "--permutations", "99")
    assert "Synthetic difference-in-differences:" in text
    assert "Sensitivity (parallel trends):" in text
