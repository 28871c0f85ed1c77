"""Leaders' scores shrunk toward the organisation (empirical Bayes) and the bands read from them:
a few ratings never put a leader at the top or bottom by chance, and an interval never leaves
the scale."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from clinlead.analytics.shrinkage import (
    NO_SPREAD,
    TOO_FEW,
    band_words,
    between_variance,
    published_standing,
    shrink,
    within_variance,
)

SCALE = (12.0, 60.0)


def cycle(rng, *, leaders=150, centre=48.0, spread=5.0, within=8.0, sizes=(5, 41)):
    """Published leaders' n, mean and t-interval from ratings around each leader's true score."""
    n = rng.integers(*sizes, leaders)
    truth = rng.normal(centre, spread, leaders)
    means, low, high = [], [], []
    for size, true in zip(n, truth, strict=True):
        ratings = np.clip(np.round(rng.normal(true, within, size)), *SCALE)
        half = stats.t.ppf(0.975, size - 1) * ratings.std(ddof=1) / np.sqrt(size)
        means.append(ratings.mean())
        low.append(ratings.mean() - half)
        high.append(ratings.mean() + half)
    return n, truth, np.array(means), np.array(low), np.array(high)


published_leaders = st.lists(
    st.tuples(
        st.integers(3, 60),  # n
        st.floats(14, 58),  # index
        st.floats(0.1, 15),  # half-width of the interval
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(published_leaders)
def test_a_shrunk_score_lies_between_the_leaders_own_mean_and_the_organisations(rows):
    n, index, half = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    out = shrink(n=n, index=index, ci_low=index - half, ci_high=index + half, scale=SCALE, min_n=1)
    low_end, high_end = np.minimum(index, out.mu), np.maximum(index, out.mu)
    assert np.all(out.score >= low_end - 1e-9) and np.all(out.score <= high_end + 1e-9)
    assert np.all(out.low >= SCALE[0]) and np.all(out.high <= SCALE[1]), "intervals stay on 12-60"
    assert np.all(out.low <= out.score + 1e-9) and np.all(out.score <= out.high + 1e-9)
    banded = out.band >= 0
    assert np.all(out.band_low[banded] <= out.band[banded])
    assert np.all(out.band[banded] <= out.band_high[banded])


@settings(max_examples=100, deadline=None)
@given(published_leaders, st.integers(1, 30))
def test_no_leader_below_the_minimum_n_gets_a_band(rows, min_n):
    n, index, half = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    out = shrink(n=n, index=index, ci_low=index - half, ci_high=index + half, scale=SCALE, min_n=min_n)
    assert np.all(out.band[n < min_n] == -1)
    for i in np.flatnonzero(n < min_n):
        words = band_words(band=int(out.band[i]), band_low=-1, band_high=-1, n=int(n[i]), min_n=min_n)
        assert words == TOO_FEW


def test_the_more_ratings_the_less_a_score_is_pulled_toward_the_organisation():
    n = np.array([5, 40, 20, 20, 20, 20])
    index = np.array([56.0, 56.0, 40.0, 44.0, 48.0, 52.0])
    out = shrink(n=n, index=index, ci_low=index - 6, ci_high=index + 6, scale=SCALE, min_n=1)
    assert out.score[0] < out.score[1] < 56.0


def test_reml_recovers_the_spread_between_leaders():
    rng = np.random.default_rng(3)
    n, _, means, low, high = cycle(rng, leaders=600, centre=36.0)  # far from the scale's ends
    sigma2 = within_variance(n=n, ci_low=low, ci_high=high)
    assert sigma2 == pytest.approx(64, rel=0.1)
    mu, tau2 = between_variance(means=means, v=sigma2 / n)
    assert mu == pytest.approx(36, abs=0.6) and np.sqrt(tau2) == pytest.approx(5, rel=0.15)


def test_when_leaders_do_not_differ_beyond_chance_nobody_gets_a_band():
    index = np.array([44.0, 44.5, 43.5, 44.2])
    out = shrink(n=np.array([20] * 4), index=index, ci_low=index - 6, ci_high=index + 6, scale=SCALE)
    assert out.tau2 == 0 and np.all(out.band == -1)
    assert np.allclose(out.score, out.mu)
    assert band_words(band=-1, band_low=-1, band_high=-1, n=20, min_n=10) == NO_SPREAD


def test_an_interval_reaching_two_bands_is_said_so():
    assert band_words(band=3, band_low=2, band_high=3, n=30, min_n=10) == "between upper-middle and top"
    assert band_words(band=1, band_low=0, band_high=2, n=30, min_n=10) == "between bottom and upper-middle"
    assert band_words(band=3, band_low=3, band_high=3, n=30, min_n=10) == "top quarter"


def test_middle_ranked_leaders_of_small_teams_no_longer_land_in_the_top_or_bottom_quarter():
    # Before: raw percentile quarters put about 30 % of them at the top or bottom.
    rng = np.random.default_rng(11)
    wrongly_extreme = total = raw_extreme = 0
    for _ in range(30):
        n, truth, means, low, high = cycle(rng, leaders=120)
        true_quarter = np.minimum((stats.rankdata(truth) - 0.5) / len(truth) * 4, 3).astype(int)
        raw_quarter = np.minimum((stats.rankdata(means) - 0.5) / len(means) * 4, 3).astype(int)
        out = shrink(n=n, index=means, ci_low=low, ci_high=high, scale=SCALE, min_n=1)
        middle_small = ((true_quarter == 1) | (true_quarter == 2)) & (n <= 8)
        shown_extreme = (out.band_low == out.band_high) & ((out.band == 0) | (out.band == 3))
        wrongly_extreme += int(shown_extreme[middle_small].sum())
        raw_extreme += int(((raw_quarter == 0) | (raw_quarter == 3))[middle_small].sum())
        total += int(middle_small.sum())
    assert raw_extreme / total > 0.2, "the raw quarters misplace them, as measured"
    assert wrongly_extreme / total < 0.02


def test_high_scorers_of_five_get_an_interval_inside_the_scale():
    rng = np.random.default_rng(5)
    n, _, means, low, high = cycle(rng, leaders=300, sizes=(5, 6))
    top = means >= np.quantile(means, 0.75)
    assert np.mean(high[top] > 60) > 0.3, "the raw t-interval runs off the scale"
    out = shrink(n=n, index=means, ci_low=low, ci_high=high, scale=SCALE)
    assert np.all(out.high <= 60) and np.all(out.low >= 12)


def test_publication_ranks_leaders_on_their_shrunk_index():
    standing = published_standing(
        n=[5, 40, 20, 20, 20, 20],
        index=[56.0, 54.0, 44.0, 46.0, 48.0, 50.0],
        ci_low=[46.07, 51.44, 40.26, 42.26, 44.26, 46.26],  # one rating's SD 8 in every team
        ci_high=[65.93, 56.56, 47.74, 49.74, 51.74, 53.74],
        scale=SCALE,
    )
    # The raw index puts the leader of five first; their shrunk index does not.
    assert standing[1]["percentile"] > standing[0]["percentile"]
    assert all(s["shrunk_high"] <= 60 for s in standing)
    assert {s["band"] for s in standing} <= {0, 1, 2, 3}
