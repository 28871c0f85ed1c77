"""Leader-first publication through the analyst command: every leader with k index contributors
gets a report covering all of them, no combination of published figures isolates fewer than k
people, and NHS-shaped data gets its coverage."""

import io
import json

import pytest
from django.core.management import call_command

from tests.leaderindex.attack import figures_with_covers, isolating_combinations
from tests.leaderindex.nhs_shaped import coverage, index_contributors, nhs_rows, write_nhs_csv
from tests.leaderindex.parts import report_figures, small_parts
from tests.leaderindex.test_analyst_cli import response, write_csv


def run_json(*args):
    out = io.StringIO()
    call_command("leaderindex", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def crossing_leader_rows():
    """Leader X is rated by 5 staff in A, 5 in B and 1 in C; that one person in C rates X 12.
    Y leads 6 in A; Z is rated by 5 in C and 6 in E."""
    return ([response("X", "T/D/A") for _ in range(5)] + [response("X", "T/D/B") for _ in range(5)]
            + [response("X", "T/D/C", value=1)] + [response("Y", "T/D/A") for _ in range(6)]
            + [response("Z", "T/D/C") for _ in range(5)] + [response("Z", "T/E") for _ in range(6)])


def test_no_sum_or_difference_of_published_figures_gives_the_one_person_in_c(tmp_path):
    # Before: C, E and leader Z were all published, and C - Z + E was that person's index (12).
    rows = crossing_leader_rows()
    report = run_json("score", str(write_csv(tmp_path / "x.csv", rows)), "--covers")
    assert isolating_combinations(figures_with_covers(report), index_contributors(rows), k=5) == []
    published = {e["leader_id"] for e in report["leaders"] if e["published"]}
    assert published == {"X", "Y", "Z"}, "every leader with 5 or more is published all the same"
    x = next(e for e in report["leaders"] if e["leader_id"] == "X")
    assert x["n"] == 11 and x["index"] == pytest.approx((10 * 48 + 12) / 11, abs=1e-3)


def test_every_part_of_the_crossing_case_holds_none_or_at_least_k(tmp_path):
    rows = crossing_leader_rows()
    report = run_json("score", str(write_csv(tmp_path / "x.csv", rows)), "--covers")
    cells = index_contributors(rows)
    assert small_parts(figures=report_figures(report), contributors=cells, k=5) == []
    x = next(e for e in report["leaders"] if e["leader_id"] == "X")
    assert x["covers"] == [["T/D/A", "X"], ["T/D/B", "X"], ["T/D/C", "X"]], "a report covers all its cells"


def test_a_leader_with_5_answers_of_which_4_left_an_item_blank_does_not_show_that_item(tmp_path):
    rows = [response("L1", "T/Ward", value=4) for _ in range(5)]
    for r in rows[:4]:
        r[4 + 6] = ""  # q7 left blank by four of them
    rows[4][4 + 6] = 1
    report = run_json("score", str(write_csv(tmp_path / "x.csv", rows)))
    leader = report["leaders"][0]
    assert leader["published"] and leader["n"] == 5
    assert leader["items"]["q7"] is None, "one person's answer to q7 is not shown"
    assert leader["items"]["q8"] == {"1": 0, "2": 0, "3": 0, "4": 5, "5": 0}


def test_a_leader_whose_index_counts_for_one_of_5_respondents_is_not_published(tmp_path):
    rows = [response("L1", "T/Ward", value=4) for _ in range(5)]
    for r in rows[:4]:
        r[4:16] = [""] * 10 + [3, 3]  # two items answered: no index
    report = run_json("score", str(write_csv(tmp_path / "x.csv", rows)))
    assert report["leaders"][0]["published"] is False
    assert all(not e["published"] for e in report["units"])


@pytest.mark.parametrize("k", [5, 10])
def test_nhs_shaped_coverage_meets_the_acceptance(tmp_path, k):
    rows = nhs_rows(seed=7)
    path = write_nhs_csv(tmp_path / "nhs.csv", seed=7)
    report = run_json("score", str(path), "--min-n", str(k), "--covers")
    cells = index_contributors(rows)
    got = coverage(report=report, cells=cells, k=k)
    assert got["leaders_published_whole"] == 1.0
    assert got["units_published"] >= 0.95
    assert got["unit_contributors_covered"] >= 0.90
    assert small_parts(figures=report_figures(report), contributors=cells, k=k) == []
    for j in range(12):
        item = f"q{j + 1}"
        answered = {}
        for r in rows:
            counted = sum(1 for v in r[4:16] if v != "") >= 10
            answered[(r[2], r[1])] = answered.get((r[2], r[1]), 0) + (counted and r[4 + j] != "")
        assert small_parts(figures=report_figures(report, item=item), contributors=answered, k=k) == []
