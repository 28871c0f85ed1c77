import json
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinlead.analytics.blt import write_blt

REPO = Path(__file__).resolve().parents[2]
BALLOTS = REPO.parent / "shared" / "data" / "ballots"
BAD = "3 1\n2 1 0\n1 2 9 0\n0\n"


@pytest.fixture
def small_blt(tmp_path):
    path = tmp_path / "post.blt"
    path.write_text(
        write_blt(
            candidates=["Ann", "Bob", 'Cara "CJ" Lee'],
            seats=2,
            ballots=[(6, ("Ann", "Bob")), (3, ("Bob",)), (2, ('Cara "CJ" Lee', "Ann"))],
            title="Lead nurse shortlist",
        ),
        encoding="utf-8",
    )
    return path


def run(*args):
    out = StringIO()
    call_command("count", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_json_output_gives_the_elected_in_order_with_quota_and_stages(small_blt):
    data = json.loads(run(small_blt, "--json"))
    assert {"method", "seats", "quota", "elected", "stages", "seed", "title"} <= data.keys()
    assert data["method"] == "scottish-stv"
    assert data["elected"] == ["Ann", "Bob"]
    assert data["quota"] == "4.00000"  # 11 valid votes, 2 seats
    assert data["stages"][0]["action"] == "first preferences"
    assert data["title"] == "Lead nurse shortlist"


def test_seats_on_the_command_line_override_the_file(small_blt):
    data = json.loads(run(small_blt, "--json", "--seats", "1"))
    assert data["seats"] == 1
    assert data["quota"] == "6.00000"
    assert data["elected"] == ["Ann"]


def test_the_approval_method_and_the_seed_are_passed_through(small_blt):
    data = json.loads(run(small_blt, "--json", "--method", "approval", "--seed", "42"))
    assert data["method"] == "approval"
    assert data["quota"] is None
    assert data["seed"] == 42
    assert data["elected"] == ["Bob", "Ann"]  # 9 and 8 approvals: most approved first
    assert data["stages"][0]["votes"]["Bob"] == "9.00000"


def test_without_json_a_readable_stage_by_stage_report_is_printed(small_blt):
    text = run(small_blt)
    assert "Lead nurse shortlist" in text
    assert "Stage 1: first preferences" in text
    assert "Stage 2: surplus of Ann" in text
    assert "Elected, in order of election:\n  1. Ann\n  2. Bob\n" in text


def test_a_malformed_file_is_reported_with_file_line_and_reason(tmp_path):
    path = tmp_path / "bad.blt"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run(path, "--json")
    assert str(caught.value) == f"{path}: line 3: preference 9 is not a candidate (there are 3)"


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nowhere.blt")


def clinlead(*args):
    # The installed console script; `python -m clinlead` is the same entry point.
    command = (
        [shutil.which("clinlead")]
        if shutil.which("clinlead")
        else [sys.executable, "-m", "clinlead"]
    )
    return subprocess.run(
        [*command, *[str(a) for a in args]],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_the_console_script_counts_a_real_election():
    if not BALLOTS.is_dir():
        pytest.skip(f"{BALLOTS} is absent")
    done = clinlead("count", BALLOTS / "highland_2017_ward14.blt", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["quota"] == "855.00000"
    assert data["valid_votes"] == 3419
    assert data["elected"] == [
        "Richard LAIRD (SNP)",
        "Bet MCALLISTER (Lab)",
        "Janet CAMPBELL (Ind)",
    ]


def test_the_console_script_fails_on_a_malformed_file_with_the_line_on_stderr(tmp_path):
    path = tmp_path / "bad.blt"
    path.write_text(BAD, encoding="utf-8")
    done = clinlead("count", path, "--json")
    assert done.returncode != 0
    assert f"{path}: line 3: preference 9 is not a candidate (there are 3)" in done.stderr
    assert done.stdout == ""
