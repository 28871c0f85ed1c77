"""The score report's entries are built fast, and say exactly what the figures say: each item
distribution shown is its group's own counts (shared between entries only where they are equal),
hidden where the item is not shown; a figure that is not finite is null."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.instrument import default_instrument
from clinlead.analytics.leaderindex_entries import distributions, output_values

CLBI = default_instrument()
POINTS = len(CLBI.scale_values)


def counted_one_by_one(items, item_ok, groups):
    """The plain way: one dict per group and item, straight from the counts."""
    return {
        g: {
            item: (
                {str(v): int(items[g, j, p + 1]) for p, v in enumerate(CLBI.scale_values)}
                if item_ok[g, j]
                else None
            )
            for j, item in enumerate(CLBI.item_ids)
        }
        for g in groups.tolist()
    }


@settings(max_examples=60, deadline=None)
@given(
    n_groups=st.integers(min_value=0, max_value=12),
    largest=st.sampled_from([3, 40, 2**20, 2**40]),  # the last: too large to hash as one number
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_item_distributions_are_each_groups_own_counts(n_groups, largest, seed):
    rng = np.random.default_rng(seed)
    items = rng.integers(0, largest, size=(n_groups, CLBI.n_items, POINTS + 1), dtype=np.int64)
    if n_groups:
        items[: n_groups // 2 + 1] = items[0]  # groups with the same counts share one dict
    item_ok = rng.random((n_groups, CLBI.n_items)) < 0.8
    groups = np.flatnonzero(rng.random(n_groups) < 0.7)
    assert distributions(items, item_ok, groups, CLBI) == counted_one_by_one(items, item_ok, groups)


def test_output_values_round_and_give_null_where_not_finite():
    values = np.array([1.23456, np.nan, np.inf, -np.inf, -0.0004, 2.0])
    assert output_values(values, 3) == [1.235, None, None, None, -0.0, 2.0]
    assert output_values(values[:1], None) == [1.23456]
