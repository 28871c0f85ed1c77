import pytest

from clinlead.analytics.approval import count_approval

CANDIDATES = ["Ann", "Bob", "Cara", "Dev"]


def test_the_most_approved_candidates_are_elected_in_order_of_approvals():
    ballots = [(3, {"Ann", "Bob"}), (2, {"Cara"}), (4, {"Bob", "Cara", "Dev"})]
    result = count_approval(candidates=CANDIDATES, ballots=ballots, seats=2)
    assert result.elected == ["Bob", "Cara"]  # 7 and 6 approvals
    assert result.stages[0].votes == {"Ann": 3, "Bob": 7, "Cara": 6, "Dev": 4}


def test_every_ranked_candidate_counts_as_approved():
    ballots = [(2, ("Dev", "Ann", "Bob")), (1, ("Cara",))]
    result = count_approval(candidates=CANDIDATES, ballots=ballots, seats=1, ranked=True)
    assert result.stages[0].votes == {"Ann": 2, "Bob": 2, "Cara": 1, "Dev": 2}


def test_equal_approvals_are_split_by_first_preferences_on_ranked_ballots():
    ballots = [(2, ("Bob", "Ann")), (3, ("Ann", "Bob")), (1, ("Cara",))]
    result = count_approval(candidates=CANDIDATES, ballots=ballots, seats=1, ranked=True)
    assert result.elected == ["Ann"]
    assert result.seed is None  # no lot was needed


def test_a_tie_across_the_last_seat_is_broken_by_lot_with_the_seed_recorded():
    ballots = [(5, {"Ann"}), (3, {"Bob"}), (3, {"Cara"}), (3, {"Dev"})]
    winners = set()
    for seed in range(20):
        result = count_approval(candidates=CANDIDATES, ballots=ballots, seats=2, seed=seed)
        assert result.elected[0] == "Ann"
        assert result.seed == seed
        assert f"tie broken by lot, seed {seed}" in result.stages[0].reason
        winners.add(result.elected[1])
        again = count_approval(candidates=CANDIDATES, ballots=ballots, seats=2, seed=seed)
        assert again.as_dict() == result.as_dict()
    assert winners == {"Bob", "Cara", "Dev"}


def test_candidates_tied_but_all_elected_are_listed_in_ballot_paper_order_without_a_lot():
    ballots = [(2, {"Dev", "Bob"}), (1, {"Ann"})]
    result = count_approval(candidates=CANDIDATES, ballots=ballots, seats=2)
    assert result.elected == ["Bob", "Dev"]
    assert result.seed is None


def test_fewer_candidates_than_seats_are_all_elected():
    result = count_approval(candidates=["Ann", "Bob"], ballots=[(1, {"Bob"})], seats=3)
    assert result.elected == ["Bob", "Ann"]


def test_a_withdrawn_candidate_is_neither_counted_nor_elected():
    ballots = [(5, {"Ann", "Bob"}), (1, {"Cara"})]
    result = count_approval(candidates=CANDIDATES, ballots=ballots, seats=2, withdrawn=["Ann"])
    assert result.elected == ["Bob", "Cara"]
    assert "Ann" not in result.stages[0].votes


def test_the_json_form_has_the_shared_shape_with_no_quota():
    result = count_approval(candidates=CANDIDATES, ballots=[(3, {"Ann"})], seats=1, seed=4)
    data = result.as_dict()
    assert data["method"] == "approval"
    assert data["quota"] is None
    assert data["elected"] == ["Ann"]
    assert data["seed"] == 4
    assert data["valid_votes"] == 3
    [stage] = data["stages"]
    assert stage["action"] == "approval count"
    assert stage["votes"]["Ann"] == "3.00000"
    assert stage["elected"] == ["Ann"]


def test_an_unknown_candidate_is_refused():
    with pytest.raises(ValueError, match="'Zed' is not a candidate"):
        count_approval(candidates=CANDIDATES, ballots=[(1, {"Zed"})], seats=1)
