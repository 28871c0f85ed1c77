"""Sensitivity of a conclusion to parallel trends failing (relative magnitudes, breakdown M̄)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinlead.analytics.honest import in_words, max_pre_change, relative_magnitudes

# Pre-period path -3: 0.2, -2: -0.3, -1: 0 (reference): changes 0.5 and 0.3, so D = 0.5.
PRE = [(-3, 0.2), (-2, -0.3), (-1, 0.0)]
POST = [(0, 1.0), (1, 2.0), (2, 2.0)]


def test_the_largest_pre_period_change_counts_the_step_into_the_reference_period():
    assert max_pre_change(pre=PRE) == pytest.approx(0.5)
    assert max_pre_change(pre=[(-2, 0.7)]) == pytest.approx(0.7)
    assert max_pre_change(pre=[]) is None


def test_the_breakdown_is_where_the_widened_interval_reaches_no_difference():
    # 3 post periods: worst-case average bias per unit of M̄ is D x (1 + 2 + 3) / 3 = 1.0.
    result = relative_magnitudes(event_study=PRE + POST, ci95=(1.5, 3.0))
    assert result.bias_per_m == pytest.approx(1.0)
    assert result.breakdown_m == pytest.approx(1.5)
    assert result.conclusion == "higher"
    assert "more than 1.5 times the largest difference" in in_words(sensitivity=result)


def test_a_conclusion_that_a_smaller_violation_than_any_seen_overturns_is_called_fragile():
    result = relative_magnitudes(event_study=PRE + POST, ci95=(-3.0, -0.4))
    assert result.conclusion == "lower" and result.breakdown_m == pytest.approx(0.4)
    assert "fragile" in in_words(sensitivity=result)


def test_no_clear_difference_has_nothing_to_break():
    result = relative_magnitudes(event_study=PRE + POST, ci95=(-0.5, 2.0))
    assert result.breakdown_m is None
    assert "no clear difference" in in_words(sensitivity=result)


def test_without_two_periods_before_the_start_there_is_no_bound():
    result = relative_magnitudes(event_study=[(-1, 0.0), *POST], ci95=(1.0, 2.0))
    assert result.reason and result.breakdown_m is None
    assert in_words(sensitivity=result).startswith("No sensitivity bound")


@given(low=st.floats(0.01, 10), width=st.floats(0, 10), d=st.floats(0.01, 5), lags=st.integers(1, 12))
def test_at_the_breakdown_the_robust_interval_just_touches_zero_and_widens_with_m(low, width, d, lags):
    study = [(-2, d), (-1, 0.0)] + [(k, 1.0) for k in range(lags)]
    result = relative_magnitudes(event_study=study, ci95=(low, low + width), m_shown=(0.5, 1.0, 2.0))
    assert low - result.breakdown_m * result.bias_per_m == pytest.approx(0, abs=1e-9)
    lows = [b["ci95"][0] for b in result.bounds]
    assert lows == sorted(lows, reverse=True)


def test_an_interval_open_on_one_side_is_bounded_from_its_closed_side():
    from clinlead.analytics.did_robustness import sensitivity

    study = [{"relative_period": k, "estimate": b} for k, b in PRE + POST]
    result = sensitivity(result={"ci95": [1.5, None], "event_study": study})
    assert result["breakdown_m"] == pytest.approx(1.5)
    assert sensitivity(result={"ci95": [None, None], "event_study": study})["breakdown_m"] is None
