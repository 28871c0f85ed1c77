"""Properties every Scottish STV count must have, and small counts worked by hand."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.stv import count_scottish_stv

NAMES = ["Ann", "Bob", "Cara", "Dev", "Eve", "Finn", "Gus"]
PROPERTY = settings(max_examples=150, deadline=None)


@st.composite
def elections(draw):
    """Small elections with many ties, short ballots and blank papers."""
    candidates = NAMES[: draw(st.integers(1, len(NAMES)))]
    seats = draw(st.integers(1, len(candidates) + 1))
    ranking = st.permutations(candidates).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda k: tuple(order[:k]))
    )
    ballots = draw(st.lists(st.tuples(st.integers(1, 30), ranking), max_size=25))
    return candidates, ballots, seats


def stv(candidates, ballots, seats, seed=7):
    return count_scottish_stv(candidates=candidates, ballots=ballots, seats=seats, seed=seed)


@PROPERTY
@given(elections(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_ballots(election, rng):
    candidates, ballots, seats = election
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert stv(candidates, shuffled, seats).as_dict() == stv(candidates, ballots, seats).as_dict()


@PROPERTY
@given(elections())
def test_one_line_per_ballot_paper_counts_the_same_as_grouped_ballots(election):
    candidates, ballots, seats = election
    one_each = [(1, ranking) for count, ranking in ballots for _ in range(count)]
    assert stv(candidates, one_each, seats).as_dict() == stv(candidates, ballots, seats).as_dict()


@PROPERTY
@given(elections())
def test_candidate_with_a_quota_of_first_preferences_is_elected_at_the_first_stage(election):
    candidates, ballots, seats = election
    result = stv(candidates, ballots, seats)
    firsts = {name: 0 for name in candidates}
    for count, ranking in ballots:
        if ranking:
            firsts[ranking[0]] += count
    for name, votes in firsts.items():
        if votes >= result.quota:
            assert name in result.stages[0].elected


@PROPERTY
@given(elections())
def test_every_seat_is_filled_unless_the_candidates_run_out(election):
    candidates, ballots, seats = election
    result = stv(candidates, ballots, seats)
    assert len(result.elected) == min(seats, len(candidates))
    assert len(set(result.elected)) == len(result.elected)
    excluded = {name for stage in result.stages for name in stage.excluded}
    assert not excluded & set(result.elected)


@PROPERTY
@given(elections())
def test_every_stage_accounts_for_every_valid_vote_exactly(election):
    candidates, ballots, seats = election
    result = stv(candidates, ballots, seats)
    assert result.valid_votes == sum(count for count, ranking in ballots if ranking)
    for stage in result.stages:
        assert sum(stage.votes.values()) + stage.non_transferable_total == result.valid_votes
        if stage.number > 1:
            # What left one candidate reached others or was recorded as non-transferable.
            assert sum(stage.transfers.values()) + stage.non_transferable == 0
            assert stage.lost_to_truncation >= 0 and stage.exhausted >= 0


@PROPERTY
@given(elections())
def test_a_recount_with_the_recorded_seed_gives_the_same_result(election):
    candidates, ballots, seats = election
    first = count_scottish_stv(candidates=candidates, ballots=ballots, seats=seats)
    again = count_scottish_stv(candidates=candidates, ballots=ballots, seats=seats, seed=first.seed)
    assert again.as_dict() == first.as_dict()
    assert (
        stv(candidates, ballots, seats, seed=99).as_dict()
        == stv(candidates, ballots, seats, seed=99).as_dict()
    )


def test_a_surplus_moves_all_papers_at_surplus_times_value_over_total_truncated():
    # Quota 7. Ann's surplus of 3 moves 10 papers at 3/10 = 0.3 to Bob, who then has 9.
    # Bob's surplus of 2 moves his 6 first-preference papers at 2/9 -> 0.22222, and the 10
    # papers he got at 0.3 at 2 x 0.3 / 9 = 0.0666.. -> 0.06666.
    ballots = [
        (10, ("Ann", "Bob", "Cara")),
        (6, ("Bob", "Cara")),
        (3, ("Cara",)),
        (2, ("Dev",)),
        (3, ("Eve",)),
    ]
    result = stv(["Ann", "Bob", "Cara", "Dev", "Eve"], ballots, 3)
    ann, bob = result.stages[1], result.stages[2]
    assert result.quota == Decimal(7)
    assert (ann.action, ann.transfer_value, ann.votes["Bob"]) == (
        "surplus of Ann",
        Decimal("0.3"),
        9,
    )
    assert bob.action == "surplus of Bob"
    assert bob.transfer_value == Decimal("0.22222")
    assert bob.transfers["Cara"] == Decimal("1.99992")  # 6 x 0.22222 + 10 x 0.06666
    assert bob.lost_to_truncation == Decimal("0.00008")
    assert bob.votes["Bob"] == result.quota


def test_a_surplus_is_transferred_before_anyone_is_excluded():
    ballots = [(8, ("Ann", "Bob")), (1, ("Cara",)), (4, ("Dev",)), (3, ("Bob",))]
    result = stv(["Ann", "Bob", "Cara", "Dev"], ballots, 2)
    assert [stage.action for stage in result.stages[:2]] == ["first preferences", "surplus of Ann"]


def test_the_largest_surplus_is_transferred_first():
    ballots = [(10, ("Ann", "Cara")), (12, ("Bob", "Cara")), (3, ("Cara",)), (4, ("Dev",))]
    result = stv(["Ann", "Bob", "Cara", "Dev"], ballots, 3)
    assert result.elected[:2] == ["Bob", "Ann"]
    assert result.stages[1].action == "surplus of Bob"
    assert result.stages[2].action == "surplus of Ann"


def test_equal_surpluses_go_by_the_most_recent_stage_at_which_the_candidates_differed():
    # Quota 15. Ann's surplus of 15 moves at 0.5, lifting Bob (12 -> 17) and Cara (7 -> 17)
    # level; Bob had more at stage 1, so his surplus goes first.
    ballots = [
        (10, ("Ann", "Bob")),
        (20, ("Ann", "Cara")),
        (12, ("Bob",)),
        (7, ("Cara",)),
        (12, ("Dev",)),
        (10, ("Eve",)),
    ]
    result = stv(["Ann", "Bob", "Cara", "Dev", "Eve"], ballots, 4)
    assert result.quota == Decimal(15)
    assert result.stages[1].votes["Bob"] == result.stages[1].votes["Cara"] == 17
    assert [stage.action for stage in result.stages[2:4]] == ["surplus of Bob", "surplus of Cara"]
    assert "tie broken by earlier stages: Bob had the most votes at stage 1" in (
        result.stages[2].reason
    )


def test_equal_lowest_candidates_are_split_by_the_most_recent_stage_at_which_they_differed():
    # Quota 6. Ann's surplus of 2 (value 0.25) lifts Cara from 2 to 3, level with Bob;
    # at stage 1 Cara had fewer votes, so Cara is excluded.
    ballots = [(4, ("Ann", "Cara")), (4, ("Ann",)), (3, ("Bob",)), (2, ("Cara",)), (4, ("Dev",))]
    result = stv(["Ann", "Bob", "Cara", "Dev"], ballots, 2)
    stage = result.stages[2]
    assert stage.votes["Bob"] == result.stages[1].votes["Cara"] == 3
    assert stage.excluded == ["Cara"]
    assert "tie broken by earlier stages" in stage.reason
    assert result.seed == 7  # given, though no lot was needed


def test_a_tie_at_every_stage_is_broken_by_lot_and_the_seed_is_recorded():
    ballots = [(3, ("Ann",)), (3, ("Bob",)), (4, ("Cara",))]
    losers = set()
    for seed in range(20):
        result = stv(["Ann", "Bob", "Cara"], ballots, 1, seed=seed)
        assert result.seed == seed
        assert f"tie broken by lot, seed {seed}" in result.stages[1].reason
        losers.update(result.stages[1].excluded)
    assert losers == {"Ann", "Bob"}  # the lot really decides


def test_without_a_seed_one_is_chosen_only_when_a_lot_is_drawn():
    tied = [(3, ("Ann",)), (3, ("Bob",)), (4, ("Cara",))]
    clear = [(2, ("Ann",)), (3, ("Bob",)), (4, ("Cara",))]
    assert isinstance(
        count_scottish_stv(candidates=["Ann", "Bob", "Cara"], ballots=tied, seats=1).seed, int
    )
    assert (
        count_scottish_stv(candidates=["Ann", "Bob", "Cara"], ballots=clear, seats=1).seed is None
    )


def test_when_continuing_candidates_equal_the_vacancies_left_they_are_elected_below_quota():
    ballots = [(5, ("Ann",)), (4, ("Bob",)), (3, ("Cara",))]
    result = stv(["Ann", "Bob", "Cara"], ballots, 2)
    assert result.elected == ["Ann", "Bob"]
    assert result.stages[-1].votes["Bob"] < result.quota
    assert (
        "the one remaining continuing candidate fills the last vacancy" in result.stages[-1].reason
    )


def test_fewer_candidates_than_seats_are_all_elected():
    result = stv(["Ann", "Bob"], [(1, ("Bob",))], 3)
    assert result.elected == ["Bob", "Ann"]


def test_a_withdrawn_candidate_is_skipped_on_every_ballot():
    ballots = [(5, ("Ann", "Bob")), (4, ("Cara",)), (2, ("Ann",))]
    result = count_scottish_stv(
        candidates=["Ann", "Bob", "Cara"], ballots=ballots, seats=1, withdrawn=["Ann"]
    )
    assert result.valid_votes == 9
    assert "Ann" not in result.stages[0].votes
    assert result.elected == ["Bob"]


@pytest.mark.parametrize(
    ("ballots", "message"),
    [
        ([(1, ("Zed",))], "'Zed' is not a candidate"),
        ([(1, ("Ann", "Ann"))], "ranked twice"),
        ([(0, ("Ann",))], "positive whole number"),
    ],
)
def test_bad_ballots_are_refused(ballots, message):
    with pytest.raises(ValueError, match=message):
        stv(["Ann", "Bob"], ballots, 1)
