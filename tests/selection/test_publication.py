"""The publication rule: full ballots only with at least ten ballots for every possible ballot."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinlead.selection import publication as p


@pytest.mark.parametrize("candidates, ranked, patterns", [
    (1, True, 1), (2, True, 4), (3, True, 15), (4, True, 64), (5, True, 325),
    (2, False, 3), (3, False, 7), (4, False, 15), (5, False, 31),
])
def test_possible_ballots_count_every_ranking_of_any_length_or_every_set_of_approvals(candidates, ranked, patterns):
    assert p.possible_ballots(candidates=candidates, ranked=ranked) == patterns


@pytest.mark.parametrize("candidates, ranked, needed", [(2, True, 40), (3, True, 150), (4, True, 640),
                                                        (2, False, 30), (3, False, 70), (4, False, 150)])
def test_full_ballots_are_published_from_ten_ballots_per_possible_ballot(candidates, ranked, needed):
    assert p.ballots_needed(candidates=candidates, ranked=ranked) == needed
    assert p.full_ballots_may_be_published(candidates=candidates, ballots=needed, ranked=ranked)
    assert not p.full_ballots_may_be_published(candidates=candidates, ballots=needed - 1, ranked=ranked)


def test_the_italian_attack_case_of_the_finding_is_withheld():
    """21 voters, 4 candidates: 64 possible rankings, so a coercer can give each voter their own."""
    assert not p.full_ballots_may_be_published(candidates=4, ballots=21, ranked=True)


@given(st.integers(1, 8), st.integers(0, 10_000), st.booleans())
def test_more_candidates_never_make_publication_easier(candidates, ballots, ranked):
    if p.full_ballots_may_be_published(candidates=candidates + 1, ballots=ballots, ranked=ranked):
        assert p.full_ballots_may_be_published(candidates=candidates, ballots=ballots, ranked=ranked)
