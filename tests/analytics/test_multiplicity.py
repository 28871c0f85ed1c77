"""Holm-adjusted p-values for secondary outcomes."""

import gc
from unittest import mock

import pytest
from hypothesis import given, settings
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
    # statsmodels' Holm branch ends with a full gc.collect(), a quarter of a second in a test
    # process holding Django and the other tests' objects; the arithmetic is the same without it.
    with mock.patch.object(gc, "collect", return_value=0):
        expected = multipletests(ps, method="holm")[1]
    assert [adjusted[str(i)] for i in range(len(ps))] == pytest.approx(list(expected))
    assert all(adjusted[str(i)] >= p for i, p in enumerate(ps))


# --------------------------------------------------------------------------- Romano-Wolf

import numpy as np  # noqa: E402

from clinlead.analytics.multiplicity import randomisation_p, romano_wolf  # noqa: E402


def _family(seed, metrics, draws, shared):
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(draws + 1, 1))
    stats = np.sqrt(shared) * common + np.sqrt(1 - shared) * rng.normal(size=(draws + 1, metrics))
    observed = {f"m{j}": float(stats[0, j]) for j in range(metrics)}
    permuted = {f"m{j}": [float(x) for x in stats[1:, j]] for j in range(metrics)}
    return observed, permuted


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), metrics=st.integers(1, 8), draws=st.integers(19, 120),
       shared=st.floats(0, 0.99), exact=st.booleans())
def test_romano_wolf_lies_between_the_raw_and_the_holm_adjusted_p_values(seed, metrics, draws, shared,
                                                                          exact):
    # Step-down minP over the same assignments: P(min over k of p_k <= p) <= sum over k of
    # P(p_k <= p), so it never exceeds Holm on the same raw p-values, and never goes below raw.
    observed, permuted = _family(seed, metrics, draws, shared)
    if exact:  # every assignment enumerated: the real one is among them
        permuted = {k: [observed[k], *v] for k, v in permuted.items()}
    raw = {k: randomisation_p(observed=observed[k], permuted=permuted[k], exact=exact) for k in observed}
    adjusted = romano_wolf(observed=observed, permuted=permuted, exact=exact)
    holm_adjusted = holm(raw)
    for key in observed:
        assert raw[key] - 1e-12 <= adjusted[key] <= holm_adjusted[key] + 1e-12


def test_perfectly_correlated_metrics_pay_no_penalty_where_holm_multiplies():
    observed, permuted = _family(3, 1, 99, 0.0)
    observed = {k: observed["m0"] * s for k, s in (("a", 1.0), ("b", 2.0), ("c", 3.0))}
    permuted = {k: [x * s for x in permuted["m0"]] for k, s in (("a", 1.0), ("b", 2.0), ("c", 3.0))}
    raw = randomisation_p(observed=observed["a"], permuted=permuted["a"], exact=False)
    adjusted = romano_wolf(observed=observed, permuted=permuted, exact=False)
    assert adjusted == {k: pytest.approx(raw) for k in "abc"}
    assert holm({k: raw for k in "abc"})["a"] == pytest.approx(min(1.0, 3 * raw))


def test_a_metric_tested_under_other_assignments_is_refused_and_a_missing_one_stays_missing():
    with pytest.raises(ValueError, match="same assignments"):
        romano_wolf(observed={"a": 1.0, "b": 1.0}, permuted={"a": [0.1] * 20, "b": [0.1] * 21},
                    exact=False)
    assert romano_wolf(observed={"a": 3.0, "b": None}, permuted={"a": [0.1] * 19}, exact=False) == {
        "a": pytest.approx(0.05), "b": None}
