"""Holm-adjusted p-values for secondary outcomes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from clinlead.analytics.multiplicity import holm


def test_holm_multiplies_the_smallest_by_the_family_size_and_steps_down():
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.5})
    assert adjusted == {"a": pytest.approx(0.04), "b": pytest.approx(0.09), "c": pytest.approx(0.09),
                        "d": pytest.approx(0.5)}


def test_a_missing_p_value_stays_missing_and_is_not_counted():
    assert holm({"a": 0.02, "b": None}) == {"a": pytest.approx(0.02), "b": None}


@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_equals_statsmodels_and_never_lowers_a_p_value(ps):
    adjusted = holm({str(i): p for i, p in enumerate(ps)})
    expected = multipletests(ps, method="holm")[1]
    assert [adjusted[str(i)] for i in range(len(ps))] == pytest.approx(list(expected))
    assert all(adjusted[str(i)] >= p for i, p in enumerate(ps))
