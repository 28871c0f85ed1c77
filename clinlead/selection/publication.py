"""When the full ballots of a selection may be published: a rule on public numbers only.

A coercer who wants to check how someone voted gives them a ballot pattern of their own (a
particular ranking, or a particular set of approvals) and looks for it among the published
ballots (the "Italian attack"). The more patterns the paper allows and the fewer voters there
are, the easier it is to give a target a pattern nobody else will cast. So the full ballots are
published only when there are at least `BALLOTS_PER_PATTERN` ballots for every pattern a voter
could cast (counting every ranking of any length, or every non-empty set of approvals).

In practice: two candidates need 40 ranked ballots (4 patterns) or 30 approval ballots (3);
three candidates need 150 ranked (15 patterns) or 70 approval ballots (7); four candidates
need 640 ranked or 150 approval ballots, and more candidates more still. Below that the ballots are not published:
the stage tables of the count are, and the recount file goes to the scrutineers.

Why ten: the rule depends only on numbers that are public before anyone sees a ballot (how
many candidates are on the paper, how many voted), so the decision to publish says nothing
about the ballots themselves; and with ten ballots for every possible pattern, a pattern
assigned to a target is one that other voters may well have cast too. It is not a proof (voters
cluster, and a coercer picks rare patterns), which is why the threshold is high and why, below
it, nobody but the scrutineers sees a whole ballot.

Pure Python: no Django import.
"""

from math import perm

BALLOTS_PER_PATTERN = 10


def possible_ballots(*, candidates: int, ranked: bool) -> int:
    """How many different valid ballots the paper allows: rankings of 1..n candidates, or
    non-empty sets of approved candidates."""
    if candidates < 1:
        return 0
    if ranked:
        return sum(perm(candidates, k) for k in range(1, candidates + 1))
    return 2**candidates - 1


def full_ballots_may_be_published(*, candidates: int, ballots: int, ranked: bool) -> bool:
    """The rule: at least BALLOTS_PER_PATTERN ballots for every possible pattern."""
    patterns = possible_ballots(candidates=candidates, ranked=ranked)
    return patterns > 0 and ballots >= BALLOTS_PER_PATTERN * patterns


def ballots_needed(*, candidates: int, ranked: bool) -> int:
    return BALLOTS_PER_PATTERN * possible_ballots(candidates=candidates, ranked=ranked)
