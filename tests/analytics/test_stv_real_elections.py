"""Nine real Scottish council ward counts, from the published preference profiles.

The data live in shared/, beside the repository (see SOURCES.md there).
"""

import json
from decimal import Decimal
from itertools import groupby
from pathlib import Path

import pytest

from clinlead.analytics.blt import read_blt
from clinlead.analytics.stv import count_scottish_stv

BALLOTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ballots"


def official_results():
    if not BALLOTS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{BALLOTS} is absent"))]
    entries = json.loads((BALLOTS / "expected.json").read_text(encoding="utf-8"))
    return [pytest.param(entry, id=entry["file"]) for entry in entries]


def count(file, seats=None):
    election = read_blt(path=BALLOTS / file)
    return count_scottish_stv(
        candidates=election.candidates,
        ballots=election.ballots,
        seats=election.seats if seats is None else seats,
        withdrawn=election.withdrawn,
    )


def runs_by_stage(names, stage_of):
    """The names cut into runs elected at the same stage, each run as a set."""
    return [(stage, set(run)) for stage, run in groupby(names, key=stage_of.get)]


@pytest.mark.parametrize("official", official_results())
def test_the_count_elects_the_officially_elected_candidates_in_order(official):
    result = count(official["file"], official["seats"])
    stage_of = {name: stage.number for stage in result.stages for name in stage.elected}

    assert set(result.elected) == set(official["elected"])
    # Official lists put candidates elected at one stage by votes: compare those as sets.
    assert runs_by_stage(official["elected"], stage_of) == runs_by_stage(result.elected, stage_of)


@pytest.mark.parametrize("official", official_results())
def test_every_stage_of_a_real_count_accounts_for_every_valid_vote(official):
    result = count(official["file"], official["seats"])
    for stage in result.stages:
        held = sum(stage.votes.values())
        assert held + stage.non_transferable_total == result.valid_votes, stage.number


def test_highland_2017_ward_14_has_the_declared_valid_vote_and_quota():
    if not BALLOTS.is_dir():
        pytest.skip(f"{BALLOTS} is absent")
    result = count("highland_2017_ward14.blt")
    assert result.valid_votes == 3419
    assert result.quota == Decimal("855")


def test_nairn_and_cawdor_last_seat_is_filled_below_quota_by_the_last_vacancies_rule():
    if not BALLOTS.is_dir():
        pytest.skip(f"{BALLOTS} is absent")
    result = count("highland_2017_ward18.blt")
    last = result.stages[-1]
    assert result.elected[-1] == "Peter SAGGERS (C)"
    assert last.votes["Peter SAGGERS (C)"] < result.quota
    assert "the one remaining continuing candidate fills the last vacancy" in last.reason
