"""How leader scores relate to burnout and satisfaction.

- Per response: logistic regression of an outcome (burned out; satisfied) on the respondent's
  own rating of their leader (the response's index, per point), adjusted for profession as
  categorical dummies when two or more professions are present. Reported as the odds ratio per
  point exp(beta), its 95 % CI (exp of the Wald interval) and the % change in odds per point.
- Across groups: Pearson r between published groups' mean index and their respondents'
  outcome rates, with a Fisher-z interval. Callers pass published groups only.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats


def design_matrix(
    *, index: np.ndarray, profession: np.ndarray | None
) -> tuple[np.ndarray, list[str]]:
    """[constant, index, profession dummies (first category in sorted order is reference)].

    Returns (X, covariates) where covariates names the adjustments made.
    """
    columns = [np.ones(len(index)), np.asarray(index, dtype=float)]
    covariates: list[str] = []
    if profession is not None:
        categories = np.unique(profession)
        if len(categories) >= 2:
            covariates.append("profession")
            for c in categories[1:]:
                columns.append((profession == c).astype(float))
    return np.column_stack(columns), covariates


def logistic_per_point(
    *,
    index: np.ndarray,
    outcome: np.ndarray,
    profession: np.ndarray | None = None,
    min_n: int = 1,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Odds ratio of outcome per index point. outcome per response: 1, 0, or -1 (missing);
    index NaN = no index. Uses responses with an index and an answer; fewer than min_n of them
    (or no variation in the outcome) gives null figures with a note.
    """
    import statsmodels.api as sm

    index = np.asarray(index, dtype=float)
    outcome = np.asarray(outcome)
    used = ~np.isnan(index) & (outcome >= 0)
    n = int(used.sum())
    result: dict[str, Any] = {
        "n": n,
        "odds_ratio_per_point": None,
        "ci95": None,
        "pct_change_odds_per_point": None,
        "covariates": [],
    }
    y = (outcome[used] == 1).astype(float)
    if n < max(min_n, 2) or y.min() == y.max():
        result["note"] = "too few responses, or no variation in the outcome"
        return result
    if np.ptp(index[used]) == 0:
        result["note"] = "no variation in the ratings of leaders"
        return result
    prof = None if profession is None else np.asarray(profession)[used]
    X, covariates = design_matrix(index=index[used], profession=prof)
    result["covariates"] = covariates
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.Logit(y, X).fit(disp=0, method="newton", maxiter=100)
    except (np.linalg.LinAlgError, ValueError) as exc:
        result["note"] = f"the model could not be fitted: {exc}"
        return result
    if not fit.mle_retvals.get("converged", True) or not np.isfinite(fit.params[1]):
        result["note"] = "the model did not converge"
        return result
    beta = float(fit.params[1])
    low, high = fit.conf_int(alpha=1 - confidence)[1]
    if not (np.isfinite(low) and np.isfinite(high) and np.isfinite(fit.pvalues[1])):
        # Perfect separation or collinearity: a point estimate without an interval means nothing.
        result["note"] = (
            "the model could not be estimated (the outcome is separated by the ratings)"
        )
        return result
    odds_ratio = float(np.exp(beta))
    result.update(
        odds_ratio_per_point=odds_ratio,
        ci95=[float(np.exp(low)), float(np.exp(high))],
        pct_change_odds_per_point=(odds_ratio - 1.0) * 100.0,
        p_value=float(fit.pvalues[1]),
    )
    return result


def pearson_with_ci(
    *, x: np.ndarray, y: np.ndarray, confidence: float = 0.95
) -> dict[str, Any]:
    """Pearson r over pairs where both are finite, n, Fisher-z CI (n > 3) and p-value."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = int(len(x))
    out: dict[str, Any] = {"n": n, "r": None, "ci95": None, "p_value": None}
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return out
    r, p = stats.pearsonr(x, y)
    out["r"] = float(r)
    out["p_value"] = float(p)
    if n > 3:
        z = np.arctanh(np.clip(r, -0.9999999999, 0.9999999999))
        half = stats.norm.ppf(0.5 + confidence / 2) / np.sqrt(n - 3)
        out["ci95"] = [float(np.tanh(z - half)), float(np.tanh(z + half))]
    return out


def rate(*, yes: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """yes / answered per group, NaN where nobody answered."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(answered > 0, yes / np.maximum(answered, 1), np.nan)
