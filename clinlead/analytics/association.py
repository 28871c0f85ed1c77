"""How leader scores relate to burnout and satisfaction.

- Per response: logistic regression of an outcome (burned out; satisfied) on the respondent's
  own rating of their leader (the response's index, per point), adjusted for profession as
  categorical dummies when two or more professions are present. Reported as the odds ratio per
  point exp(beta), its 95 % CI (exp of the Wald interval) and the % change in odds per point.
- Across groups: Pearson r between published groups' mean index and their respondents'
  outcome rates, with a Fisher-z interval. Callers pass published groups only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clinlead.analytics.lazy_stats import stats


def profession_groups(
    *, profession: np.ndarray | None, n: int
) -> tuple[np.ndarray, int, list[str]]:
    """Each response's profession as a code 0..G-1 (sorted order; code 0 is the reference), G,
    and the adjustments made (["profession"] when two or more are present)."""
    if profession is None:
        return np.zeros(n, dtype=np.int64), 1, []
    values = np.asarray(profession)
    if values.dtype.kind in "iu" and values.size:
        # The response table's professions are small integer codes: rank them through a lookup
        # of the codes present, in one pass (np.unique sorts all 775,000 of them, twice a cycle).
        low = int(values.min())
        present = np.bincount((values - low).astype(np.int64)) > 0
        codes = (np.cumsum(present) - 1)[values - low]
    else:
        _, codes = np.unique(values, return_inverse=True)
    groups = int(codes.max()) + 1 if n else 1
    return codes.astype(np.int64), groups, (["profession"] if groups >= 2 else [])


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
    codes, groups, covariates = profession_groups(profession=prof, n=n)
    result["covariates"] = covariates
    fit = newton_logit(x=index[used], codes=codes, groups=groups, y=y)
    if fit is None:
        result["note"] = "the model could not be fitted: the design is singular"
        return result
    beta_all, cov, converged = fit
    if cov is None or not converged or not np.all(np.isfinite(beta_all)):
        result["note"] = "the model did not converge"
        return result
    beta = float(beta_all[1])
    se = float(np.sqrt(cov[1, 1]))
    z = stats.norm.ppf(0.5 + confidence / 2)
    low, high = beta - z * se, beta + z * se
    if not (np.isfinite(low) and np.isfinite(high)) or se > 1e3:
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
        p_value=float(2 * stats.norm.sf(abs(beta / se))),
    )
    return result


def newton_logit(
    *,
    x: np.ndarray,
    codes: np.ndarray,
    groups: int,
    y: np.ndarray,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray | None, bool] | None:
    """Maximum-likelihood logistic regression of y on [constant, x, dummies of codes 1..G-1] by
    Newton's method (what statsmodels' Logit computes). The design is a constant, one number and
    one category, so the information matrix and the score come from per-category sums (bincount)
    instead of a dense (responses x columns) matrix. Returns (beta, covariance, converged), beta
    ordered as the design, or None when the information matrix is singular."""
    k = 2 + (groups - 1)
    beta = np.zeros(k)

    def information(p: np.ndarray) -> np.ndarray:
        w = p * (1.0 - p)
        s0 = np.bincount(codes, weights=w, minlength=groups)
        s1 = np.bincount(codes, weights=w * x, minlength=groups)
        s2 = np.bincount(codes, weights=w * x * x, minlength=groups)
        info = np.zeros((k, k))
        info[0, 0], info[0, 1], info[1, 1] = s0.sum(), s1.sum(), s2.sum()
        info[1, 0] = info[0, 1]
        d = np.arange(2, k)
        info[0, d] = info[d, 0] = s0[1:]
        info[1, d] = info[d, 1] = s1[1:]
        info[d, d] = s0[1:]
        return info

    converged = False
    for _ in range(max_iter):
        eta = beta[0] + beta[1] * x + np.r_[0.0, beta[2:]][codes]
        p = 1.0 / (1.0 + np.exp(-np.clip(eta, -700, 700)))
        r = y - p
        r0 = np.bincount(codes, weights=r, minlength=groups)
        score = np.r_[r0.sum(), (r * x).sum(), r0[1:]]
        try:
            step = np.linalg.solve(information(p), score)
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return beta, None, False
        if np.max(np.abs(step)) < tol:
            converged = True
            break
    eta = beta[0] + beta[1] * x + np.r_[0.0, beta[2:]][codes]
    try:
        cov = np.linalg.inv(information(1.0 / (1.0 + np.exp(-np.clip(eta, -700, 700)))))
    except np.linalg.LinAlgError:
        return None
    return beta, cov, converged


def pearson_with_ci(*, x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> dict[str, Any]:
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
