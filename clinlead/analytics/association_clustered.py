"""The odds of burnout and satisfaction per point of the leader index, with errors clustered by
leader, and optionally adjusted for age band and sex.

Respondents rating the same leader share that leader and the team's working conditions, so their
outcomes are correlated; a plain logistic regression treats them as independent and its interval
is too narrow (it covered the true odds ratio in 82-88 % of simulated cycles). Two remedies are
implemented:

- **cluster-robust** (the published one): the logistic regression's estimate with the sandwich
  variance summed over leaders, with the CR2 small-sample adjustment (Bell-McCaffrey; CR1,
  G/(G-1) x (N-1)/(N-p), past 2,000 leaders, where the two agree) and a t interval on G-1
  degrees of freedom;
- **GEE** with an exchangeable working correlation within leaders (Liang-Zeger), robust variance
  the same way: kept for comparison (benchmarks/association_clustering.py).

Why the cluster-robust model is published (benchmarks/association_clustering.py, docs/anonymity.md
"Statistics"): both cover the truth at about the nominal rate when a leader's team differs only
by chance, but when leaders of better-rated teams also have teams that differ in burnout for
other reasons (a team-level confounder, usual in hospitals) GEE with a non-independence working
correlation leans on within-team differences, estimates another quantity than the organisation-
wide odds ratio and its coverage falls; the independence model with clustered errors does not.

Anonymity: a model over the whole cycle, as the unclustered one. It is published only from at
least k responses; an adjustment category with fewer than k respondents is merged into "other"
(and that into the largest category when still fewer than k), so no coefficient is driven by a
handful of people. Computed at close from the answers as given (clinlead.surveys.coarsening):
stored answers keep neither their own leader nor any adjustment variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from clinlead.analytics.lazy_stats import stats
from clinlead.analytics.leaderindex import outcome_flags
from clinlead.analytics.leaderindex_entries import OUTCOMES
from clinlead.analytics.leaderindex_read import ResponseTable
from clinlead.analytics.leaderindex_report import (
    CycleScores,
    associate_report,
    cycle_names,
    score_cycle,
)

METHODS = ("cluster_robust", "gee_exchangeable")
METHOD_WORDS = {
    "cluster_robust": "logistic regression, errors clustered by leader (cluster-robust)",
    "gee_exchangeable": "GEE, exchangeable correlation within leaders, robust errors",
    "plain": "logistic regression, respondents treated as independent",
}
CR2_UP_TO = 2000  # leaders; above, CR1 (cluster_robust)
# What the organisation might hold to adjust for; Mayo's published figures adjust for both.
DEMOGRAPHIC = ("age band", "sex")


MAYO = "Mayo's published figures are adjusted for age and sex"


def adjustment_statement(*, covariates: list[str]) -> str:
    """What a figure is adjusted for, in the words every output uses: "adjusted for age band
    and sex", or "unadjusted (Mayo's published figures are adjusted for age and sex)"; a
    demographic given but merged to one level counts as not adjusted for."""
    done = [name for name in DEMOGRAPHIC if name in covariates]
    if len(done) == len(DEMOGRAPHIC):
        return "adjusted for " + " and ".join(DEMOGRAPHIC)
    if not done:
        return f"unadjusted ({MAYO})"
    missing = [name for name in DEMOGRAPHIC if name not in done]
    return f"adjusted for {' and '.join(done)}; unadjusted for {' and '.join(missing)} ({MAYO})"


def merged_levels(*, values: np.ndarray, k: int) -> np.ndarray:
    """Category codes (0 = the largest category: the reference) after merging every category
    with fewer than k members into one "other", and that into the largest if still fewer than k."""
    labels, codes, counts = np.unique(np.asarray(values), return_inverse=True, return_counts=True)
    small = counts < k
    if small.any() and counts[small].sum() < k:
        small_to = int(np.argmax(counts))
    else:
        small_to = len(labels)  # a new "other" level
    mapped = np.where(small[codes], small_to, codes)
    _, recoded, sizes = np.unique(mapped, return_inverse=True, return_counts=True)
    # Largest first, so the reference category is the most common one.
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    out: np.ndarray = rank[recoded].astype(np.int64)
    return out


def design(
    *, x: np.ndarray, covariates: Mapping[str, np.ndarray], k: int
) -> tuple[np.ndarray, list[str]]:
    """[constant, x, dummies of each covariate's levels but its reference] and the names of the
    covariates that took part (two or more levels after merging)."""
    columns = [np.ones_like(x), x]
    used = []
    for name, values in covariates.items():
        codes = merged_levels(values=values, k=k)
        levels = int(codes.max()) + 1 if len(codes) else 1
        if levels < 2:
            continue
        used.append(name)
        columns.extend((codes == level).astype(float) for level in range(1, levels))
    return np.column_stack(columns), used


def _expit(eta: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(eta, -700, 700)))
    return out


def fit_logit(
    *, X: np.ndarray, y: np.ndarray, tol: float = 1e-10, max_iter: int = 100
) -> np.ndarray | None:
    """Maximum-likelihood logistic regression by Newton's method; None if it fails."""
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        p = _expit(X @ beta)
        info = X.T @ (X * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(info, X.T @ (y - p))
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return None
        if np.max(np.abs(step)) < tol:
            return beta
    return None


def _cluster_sums(values: np.ndarray, cluster: np.ndarray, groups: int) -> np.ndarray:
    """Per-cluster column sums of a (N x p) array (or of a vector)."""
    if values.ndim == 1:
        return np.bincount(cluster, weights=values, minlength=groups)
    return np.column_stack(
        [
            np.bincount(cluster, weights=values[:, j], minlength=groups)
            for j in range(values.shape[1])
        ]
    )


def gee_exchangeable(
    *, X: np.ndarray, y: np.ndarray, cluster: np.ndarray, tol: float = 1e-8, max_iter: int = 50
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Logistic GEE with an exchangeable working correlation within clusters (codes 0..G-1):
    (beta, robust covariance, rho), or None if it fails. The working correlation's inverse has
    a closed form, so every step is per-cluster sums (no cluster-sized matrices)."""
    groups = int(cluster.max()) + 1
    size = np.bincount(cluster, minlength=groups).astype(float)
    beta = fit_logit(X=X, y=y)
    if beta is None:
        return None
    n, p = X.shape
    rho = 0.0

    def pieces(beta: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        mu = np.clip(_expit(X @ beta), 1e-12, 1 - 1e-12)
        a = np.sqrt(mu * (1 - mu))
        z = X * a[:, None]  # A^(1/2) X
        e = (y - mu) / a  # Pearson residuals
        c = rho / (1 + (size - 1) * rho)  # per cluster
        zs, es = _cluster_sums(z, cluster, groups), _cluster_sums(e, cluster, groups)
        bread = (z.T @ z - (zs * c[:, None]).T @ zs) / (1 - rho)
        u = (_cluster_sums(z * e[:, None], cluster, groups) - zs * (c * es)[:, None]) / (1 - rho)
        return bread, u, e

    for _ in range(max_iter):
        rho_before = rho
        bread, u, e = pieces(beta, rho)
        try:
            step = np.linalg.solve(bread, u.sum(axis=0))
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return None
        # Moment estimate of rho (as statsmodels' Exchangeable): mean product of residual pairs.
        _, _, e = pieces(beta, rho)
        es = _cluster_sums(e, cluster, groups)
        es2 = _cluster_sums(e * e, cluster, groups)
        phi = float(np.sum(e * e)) / (n - p)
        pairs = float(np.sum(size * (size - 1)) / 2)
        rho = float(np.sum((es**2 - es2) / 2) / (pairs * phi)) if pairs > 0 else 0.0
        rho, previous = min(max(rho, 0.0), 0.99), rho_before
        if np.max(np.abs(step)) < tol and abs(rho - previous) < tol:
            break
    bread, u, _ = pieces(beta, rho)
    try:
        inv = np.linalg.inv(bread)
    except np.linalg.LinAlgError:
        return None
    correction = groups / (groups - 1) if groups > 1 else 1.0
    return beta, correction * inv @ (u.T @ u) @ inv, rho


def cluster_robust(
    *, X: np.ndarray, y: np.ndarray, cluster: np.ndarray, small_sample: str = "auto"
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Logistic regression with (beta, CR1 cluster-robust covariance, model-based covariance)."""
    beta = fit_logit(X=X, y=y)
    if beta is None:
        return None
    groups = int(cluster.max()) + 1
    n, k = X.shape
    p = _expit(X @ beta)
    try:
        inv = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
    except np.linalg.LinAlgError:
        return None
    if small_sample == "auto":
        # CR2's adjustment shrinks like 1/leaders; past CR2_UP_TO leaders it changes nothing
        # visible and costs a k x k eigen-decomposition per leader, so CR1 is used.
        small_sample = "CR2" if groups <= CR2_UP_TO else "CR1"
    if not np.all(np.isfinite(inv)):
        return None
    if small_sample == "CR2":
        try:
            scores = cr2_scores(X=X, y=y, p=p, cluster=cluster, inv=inv, groups=groups)
            correction = 1.0
        except np.linalg.LinAlgError:
            # A nearly separated fit can leave the eigen-decomposition without an answer; CR1
            # needs none (a few leaders' answers all alike, as a survey of a small trust gives).
            small_sample = "CR1"
    if small_sample != "CR2":
        scores = _cluster_sums(X * (y - p)[:, None], cluster, groups)
        correction = groups / (groups - 1) * (n - 1) / (n - k) if groups > 1 else 1.0
    return beta, correction * inv @ (scores.T @ scores) @ inv, inv


def cr2_scores(
    *,
    X: np.ndarray,
    y: np.ndarray,
    p: np.ndarray,
    cluster: np.ndarray,
    inv: np.ndarray,
    groups: int,
) -> np.ndarray:
    """Each cluster's score with the bias-reduced adjustment (Bell-McCaffrey CR2, for a GLM on
    the working scale): Z_g' (I - H_gg)^(-1/2) e_g, with Z = W^(1/2) X, e the Pearson residuals
    and H_gg = Z_g B Z_g' (B = inv, the model covariance). H_gg has rank at most k (columns), so
    with B^(1/2) Z_g' Z_g B^(1/2) = U diag(l) U' the score is
    Z_g'e_g + B^(-1/2) U diag((1 - l)^(-1/2) - 1) U' B^(1/2) Z_g'e_g: k x k work per cluster,
    never a cluster-sized matrix (a leader of 300 costs what a leader of 3 does)."""
    p = np.clip(p, 1e-12, 1 - 1e-12)  # a fitted 0 or 1 would give 0/0 residuals
    w = np.sqrt(p * (1 - p))
    z = X * w[:, None]
    e = (y - p) / w
    k = X.shape[1]
    gram = np.stack(
        [_cluster_sums(z * z[:, [j]], cluster, groups).reshape(groups, k) for j in range(k)],
        axis=2,
    )  # groups x k x k: Z_g' Z_g
    ze = _cluster_sums(z * e[:, None], cluster, groups).reshape(groups, k)  # Z_g' e_g
    vals, vecs = np.linalg.eigh(inv)
    half = (vecs * np.sqrt(vals)) @ vecs.T  # B^(1/2)
    half_inv = (vecs / np.sqrt(vals)) @ vecs.T  # B^(-1/2)
    lev, u = np.linalg.eigh(half @ gram @ half)  # per cluster
    factor = 1 / np.sqrt(np.clip(1 - lev, 1e-12, None)) - 1
    inner = np.einsum("gji,gj->gi", u, ze @ half) * factor  # U' B^(1/2) Z'e, scaled
    out: np.ndarray = ze + np.einsum("gij,gj->gi", u, inner) @ half_inv
    return out


def clustered_per_point(
    *,
    index: np.ndarray,
    outcome: np.ndarray,
    cluster: np.ndarray,
    covariates: Mapping[str, np.ndarray | None] | None = None,
    min_n: int = 1,
    method: str = "cluster_robust",
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Odds ratio of outcome per index point with errors clustered by `cluster` (any labels:
    the leader each response rated). outcome per response: 1, 0 or -1 (missing); index NaN = no
    index. `covariates` maps a name ("profession", "age band", "sex") to per-response labels,
    None where the organisation does not hold it. min_n is the cycle's threshold k: fewer
    responses give null figures with a note, and smaller adjustment categories are merged."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    index = np.asarray(index, dtype=float)
    outcome = np.asarray(outcome)
    used = ~np.isnan(index) & (outcome >= 0)
    n = int(used.sum())
    given = {name: values for name, values in (covariates or {}).items() if values is not None}
    result: dict[str, Any] = {
        "n": n,
        "leaders": None,
        "odds_ratio_per_point": None,
        "ci95": None,
        "pct_change_odds_per_point": None,
        "p_value": None,
        "errors": METHOD_WORDS[method],
        "covariates": [],
        "unadjusted_for": [name for name in DEMOGRAPHIC if name not in given],
        "adjustment": adjustment_statement(covariates=[]),
    }
    y = (outcome[used] == 1).astype(float)
    if n < max(min_n, 2) or y.min() == y.max():
        result["note"] = "too few responses, or no variation in the outcome"
        return result
    x = index[used]
    if np.ptp(x) == 0:
        result["note"] = "no variation in the ratings of leaders"
        return result
    _, codes = np.unique(np.asarray(cluster)[used], return_inverse=True)
    groups = int(codes.max()) + 1
    result["leaders"] = groups
    if groups < 2:
        result["note"] = "errors cannot be clustered: every response rated one leader"
        return result
    X, names = design(x=x, covariates={k: np.asarray(v)[used] for k, v in given.items()}, k=min_n)
    result["covariates"] = names
    result["adjustment"] = adjustment_statement(covariates=names)
    if method == "cluster_robust":
        fit = cluster_robust(X=X, y=y, cluster=codes)
        extra: dict[str, Any] = {}
        if fit is not None:
            beta, cov, plain = fit
            extra["ci95_unclustered"] = _interval(beta[1], float(plain[1, 1]), None, confidence)
    else:
        gee = gee_exchangeable(X=X, y=y, cluster=codes)
        fit = None if gee is None else (gee[0], gee[1], gee[1])
        extra = {} if gee is None else {"working_correlation": gee[2]}
    if fit is None:
        result["note"] = "the model could not be fitted: the design is singular or did not converge"
        return result
    beta, cov, _ = fit
    se = float(np.sqrt(cov[1, 1]))
    if not np.isfinite(se) or se > 1e3 or se == 0:
        result["note"] = (
            "the model could not be estimated (the outcome is separated by the ratings)"
        )
        return result
    odds_ratio = float(np.exp(beta[1]))
    result.update(
        odds_ratio_per_point=odds_ratio,
        ci95=_interval(beta[1], se**2, groups - 1, confidence),
        pct_change_odds_per_point=(odds_ratio - 1.0) * 100.0,
        p_value=float(2 * stats.t.sf(abs(beta[1] / se), groups - 1)),
        **extra,
    )
    return result


def _interval(beta: float, var: float, df: int | None, confidence: float) -> list[float]:
    """exp of the Wald interval: t on df degrees of freedom, normal when df is None."""
    q = (
        stats.norm.ppf(0.5 + confidence / 2)
        if df is None
        else stats.t.ppf(0.5 + confidence / 2, df)
    )
    half = float(q * np.sqrt(var))
    return [float(np.exp(beta - half)), float(np.exp(beta + half))]


def clustered_associate_report(
    *,
    table: ResponseTable,
    k: int,
    cycle: str | None = None,
    scores: CycleScores | None = None,
    demographics: Mapping[str, np.ndarray | None] | None = None,
) -> dict[str, Any]:
    """The `associate` output (leaderindex_report.associate_report) with the burnout and
    satisfaction models replaced by the ones clustered by leader, adjusted for profession and for
    whatever of `demographics` ("age band", "sex": per response of the cycle, None where not
    held) is given. The leader each response rated is read from the table: call it on the
    answers as given (at close), never on coarsened ones, whose pooled answers lost theirs."""
    cycles = cycle_names(table=table)
    name = cycle if cycle is not None else (cycles[-1] if cycles else None)
    if name in cycles and (scores is None or scores.cycle != name or scores.k != k):
        scores = score_cycle(table=table, cycle=name, k=k, with_items=False)  # scored once
    report = associate_report(table=table, k=k, cycle=cycle, scores=scores)
    assert scores is not None  # associate_report refuses a cycle that is not in the table
    covariates: dict[str, np.ndarray | None] = {"profession": scores.table.profession}
    covariates.update({key: (demographics or {}).get(key) for key in DEMOGRAPHIC})
    flags = {
        outcome: outcome_flags(
            answers=getattr(scores.table, outcome),
            cutoff=getattr(table.instrument, outcome).cutoff,
        )
        for outcome in OUTCOMES
    }
    report.update(
        (
            outcome,
            clustered_per_point(
                index=scores.index,
                outcome=flag,
                cluster=scores.table.leader,
                covariates=covariates,
                min_n=k,
            ),
        )
        for outcome, flag in flags.items()
    )
    return report
