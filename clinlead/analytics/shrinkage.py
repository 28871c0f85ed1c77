"""Leaders' scores shrunk toward the organisation by empirical Bayes, and the quarter (band) each
falls in, with its uncertainty.

A leader's published index is the mean of n ratings; with n = 5 its sampling error is about as
large as the real spread between leaders, so ranking raw means puts middle-ranked leaders of small
teams in the top or bottom quarter by chance. The normal-normal model

    mean_l ~ N(theta_l, v_l),   theta_l ~ N(mu, tau^2),   v_l = sigma_w^2 / n_l

gives each leader the posterior mean of theta_l: their own mean pulled toward mu by
B_l = v_l / (v_l + tau^2), the share of their mean that is noise. sigma_w^2 is the pooled
within-leader variance (from each leader's published interval), mu and tau^2 are estimated by
REML (restricted maximum likelihood) from all leaders (method of moments, DerSimonian-Laird, as
its starting value). The posterior interval adds the uncertainty of mu (Morris 1983) and is
clipped to the scale.

Bands are quarters of the leaders' true scores as the model estimates them (mu + tau x the normal
quartiles). A leader's band is the one their shrunk score falls in; the bands their interval
reaches are given too, so a leader whose interval spans two or more bands is shown as such.
Everything here is a function of published figures (each published leader's n, index and
interval), so it reveals nothing about fewer than k people that those figures do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clinlead.analytics.lazy_stats import stats

# Quarters, lowest first; a band number is its position (0 = bottom quarter).
BANDS = ("bottom", "lower_middle", "upper_middle", "top")
BAND_LABELS = {
    "bottom": "bottom quarter",
    "lower_middle": "lower-middle quarter",
    "upper_middle": "upper-middle quarter",
    "top": "top quarter",
}
DEFAULT_MIN_N = 10
TOO_FEW = "too few responses for a band"
NO_SPREAD = "no band: leaders' scores do not differ beyond chance"


@dataclass(frozen=True)
class Shrunk:
    """Per leader (arrays in the input order): the shrunk score, its interval (clipped to the
    scale), and the band of the score and of each end of the interval (-1: no band). mu and tau2
    are the organisation's mean and between-leader variance; sigma2_within the pooled variance
    of one rating."""

    score: np.ndarray
    low: np.ndarray
    high: np.ndarray
    band: np.ndarray
    band_low: np.ndarray
    band_high: np.ndarray
    mu: float
    tau2: float
    sigma2_within: float
    cuts: tuple[float, float, float]


def within_variance(
    *, n: np.ndarray, ci_low: np.ndarray, ci_high: np.ndarray, confidence: float = 0.95
) -> float:
    """The pooled variance of one rating about its leader's mean, read back from each leader's
    published t-interval (half-width = t_{n-1} s / sqrt(n)); leaders without one are skipped."""
    n = np.asarray(n, dtype=float)
    half = (np.asarray(ci_high, dtype=float) - np.asarray(ci_low, dtype=float)) / 2
    ok = (n >= 2) & np.isfinite(half)
    if not ok.any():
        return float("nan")
    t = stats.t.ppf(0.5 + confidence / 2, n[ok] - 1)
    s2 = (half[ok] * np.sqrt(n[ok]) / t) ** 2
    return float(np.sum((n[ok] - 1) * s2) / np.sum(n[ok] - 1))


def between_variance(
    *, means: np.ndarray, v: np.ndarray, max_iter: int = 200
) -> tuple[float, float]:
    """(mu, tau^2) of the normal-normal model by REML, from the means and their sampling
    variances; the DerSimonian-Laird moment estimate starts the iteration."""
    means = np.asarray(means, dtype=float)
    v = np.asarray(v, dtype=float)
    w = 1 / v
    if len(means) < 2:
        return (float(np.sum(w * means) / np.sum(w)) if len(means) else float("nan")), 0.0
    mu_fixed = np.sum(w * means) / np.sum(w)
    q = float(np.sum(w * (means - mu_fixed) ** 2))
    tau2 = max(0.0, (q - (len(means) - 1)) / float(np.sum(w) - np.sum(w**2) / np.sum(w)))
    for _ in range(max_iter):
        w = 1 / (v + tau2)
        mu = np.sum(w * means) / np.sum(w)
        new = float(np.sum(w**2 * ((means - mu) ** 2 - v)) / np.sum(w**2) + 1 / np.sum(w))
        new = max(0.0, new)
        if abs(new - tau2) < 1e-10 * max(1.0, tau2):
            tau2 = new
            break
        tau2 = new
    w = 1 / (v + tau2)
    return float(np.sum(w * means) / np.sum(w)), tau2


def band_cuts(*, mu: float, tau2: float) -> tuple[float, float, float]:
    """The quartiles of the leaders' true scores under the model."""
    z = float(stats.norm.ppf(0.75))
    tau = float(np.sqrt(tau2))
    return (mu - z * tau, mu, mu + z * tau)


def band_of(*, value: np.ndarray, cuts: tuple[float, float, float]) -> np.ndarray:
    """Band number (0..3) of each value: a value on a cut goes to the band above it."""
    return np.searchsorted(np.asarray(cuts), np.asarray(value, dtype=float), side="right")


def shrink(
    *,
    n: np.ndarray,
    index: np.ndarray,
    ci_low: np.ndarray,
    ci_high: np.ndarray,
    scale: tuple[float, float],
    min_n: int = DEFAULT_MIN_N,
    confidence: float = 0.95,
) -> Shrunk:
    """Shrunk scores and bands for the published leaders of one cycle (n, index and interval as
    published). Leaders with fewer than min_n responses get a shrunk score but no band; when the
    leaders' scores do not differ beyond chance (tau^2 = 0) nobody gets a band."""
    if min_n < 1:
        raise ValueError("the minimum number of responses for a band is at least 1")
    n = np.asarray(n, dtype=float)
    index = np.asarray(index, dtype=float)
    size = len(n)
    empty = np.full(size, np.nan)
    no_band = np.full(size, -1, dtype=np.int64)
    sigma2 = within_variance(n=n, ci_low=ci_low, ci_high=ci_high, confidence=confidence)
    if size == 0 or not np.isfinite(sigma2) or sigma2 <= 0:
        nan = float("nan")
        return Shrunk(empty, empty, empty, no_band, no_band, no_band, nan, nan, sigma2, (nan,) * 3)
    v = sigma2 / n
    mu, tau2 = between_variance(means=index, v=v)
    b = v / (v + tau2)
    score = mu + (1 - b) * (index - mu)
    var_mu = 1 / float(np.sum(1 / (v + tau2)))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    half = z * np.sqrt((1 - b) * v + b**2 * var_mu)
    low = np.clip(score - half, *scale)
    high = np.clip(score + half, *scale)
    cuts = band_cuts(mu=mu, tau2=tau2)
    bandable = (n >= min_n) & (tau2 > 1e-9 * sigma2)
    band, band_low, band_high = (
        np.where(bandable, band_of(value=x, cuts=cuts), -1).astype(np.int64)
        for x in (score, low, high)
    )
    return Shrunk(score, low, high, band, band_low, band_high, mu, tau2, sigma2, cuts)


def band_words(*, band: int, band_low: int, band_high: int, n: int, min_n: int) -> str:
    """The band as a reader sees it: "top quarter", "between upper-middle and top", or why there
    is none."""
    if n < min_n:
        return TOO_FEW
    if band < 0:
        return NO_SPREAD
    if band_low == band_high:
        return BAND_LABELS[BANDS[band]]
    low = BAND_LABELS[BANDS[band_low]].removesuffix(" quarter")
    high = BAND_LABELS[BANDS[band_high]].removesuffix(" quarter")
    return f"between {low} and {high}"


def percentiles(*, values: np.ndarray) -> np.ndarray:
    """Percent of the values below each, ties counting half (as leaderindex.percentile_rank)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return values
    out: np.ndarray = 100.0 * (stats.rankdata(values) - 0.5) / len(values)
    return out


def published_standing(
    *,
    n: list[int],
    index: list[float],
    ci_low: list[float | None],
    ci_high: list[float | None],
    scale: tuple[float, float],
) -> list[dict[str, float | int | None]]:
    """What publication stores beside each published leader's figures (in the input order): the
    shrunk index, its interval, the bands (band null when there is none; every leader gets one
    whatever their n, the minimum n for showing it is applied when reading) and the percentile of
    the shrunk index among the cycle's published leaders."""
    low = np.array([np.nan if v is None else v for v in ci_low], dtype=float)
    high = np.array([np.nan if v is None else v for v in ci_high], dtype=float)
    figures = shrink(
        n=np.asarray(n), index=np.asarray(index), ci_low=low, ci_high=high, scale=scale, min_n=1
    )
    ranks = percentiles(values=figures.score)

    def number(value: float) -> float | None:
        return float(value) if np.isfinite(value) else None

    def band(value: int) -> int | None:
        return int(value) if value >= 0 else None

    return [
        {
            "shrunk_index": number(figures.score[i]),
            "shrunk_low": number(figures.low[i]),
            "shrunk_high": number(figures.high[i]),
            "band": band(figures.band[i]),
            "band_low": band(figures.band_low[i]),
            "band_high": band(figures.band_high[i]),
            "percentile": number(ranks[i]) if np.isfinite(figures.score[i]) else None,
        }
        for i in range(len(n))
    ]
