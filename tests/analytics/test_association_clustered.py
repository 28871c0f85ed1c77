"""The odds ratio per index point with errors clustered by leader: equal to statsmodels' fits, an
interval that allows for respondents of one leader answering alike, and no figure or adjustment
category driven by fewer than k people."""

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.association_clustered import (
    cluster_robust,
    clustered_per_point,
    gee_exchangeable,
    merged_levels,
)


def clustered_cycle(seed=1, leaders=60):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(3, 30, leaders)
    cluster = np.repeat(np.arange(leaders), sizes)
    x = 40 + rng.normal(0, 4, leaders)[cluster] + rng.normal(0, 6, len(cluster))
    team = rng.normal(0, 0.7, leaders)[cluster]
    y = (rng.random(len(cluster)) < 1 / (1 + np.exp(-(-0.5 - 0.07 * (x - 40) + team)))).astype(float)
    return x, y, cluster


def test_the_cluster_robust_fit_is_statsmodels_logit_with_cluster_errors():
    x, y, cluster = clustered_cycle()
    X = sm.add_constant(x)
    beta, cov, _ = cluster_robust(X=X, y=y, cluster=cluster, small_sample="CR1")
    direct = sm.Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": cluster})
    assert beta == pytest.approx(direct.params, rel=1e-8)
    assert np.sqrt(np.diag(cov)) == pytest.approx(direct.bse, rel=1e-8)


def test_gee_is_statsmodels_gee_with_an_exchangeable_correlation():
    x, y, cluster = clustered_cycle(seed=2)
    X = sm.add_constant(x)
    beta, cov, rho = gee_exchangeable(X=X, y=y, cluster=cluster)
    direct = sm.GEE(
        y, X, groups=cluster, family=sm.families.Binomial(), cov_struct=sm.cov_struct.Exchangeable()
    ).fit()
    assert beta == pytest.approx(direct.params, rel=1e-3)
    groups = len(np.unique(cluster))
    assert np.sqrt(np.diag(cov) * (groups - 1) / groups) == pytest.approx(direct.bse, rel=1e-2)
    assert rho == pytest.approx(direct.model.cov_struct.dep_params, abs=2e-3)


def test_the_published_interval_is_wider_than_the_one_that_ignores_the_leaders():
    x, y, cluster = clustered_cycle(seed=3)
    result = clustered_per_point(index=x, outcome=y.astype(int), cluster=cluster, min_n=5)
    low, high = np.log(result["ci95"])
    plain_low, plain_high = np.log(result["ci95_unclustered"])
    assert high - low > plain_high - plain_low
    assert result["leaders"] == 60 and "clustered by leader" in result["errors"]


def test_fewer_than_k_responses_publish_nothing():
    x, y, cluster = clustered_cycle(seed=4, leaders=2)
    result = clustered_per_point(
        index=x[:4], outcome=y[:4].astype(int), cluster=cluster[:4], min_n=5
    )
    assert result["odds_ratio_per_point"] is None and result["ci95"] is None


def test_without_age_band_and_sex_the_model_says_it_is_unadjusted_for_them():
    x, y, cluster = clustered_cycle(seed=5)
    result = clustered_per_point(index=x, outcome=y.astype(int), cluster=cluster, min_n=5)
    assert result["unadjusted_for"] == ["age band", "sex"]
    rng = np.random.default_rng(5)
    adjusted = clustered_per_point(
        index=x,
        outcome=y.astype(int),
        cluster=cluster,
        min_n=5,
        covariates={
            "age band": rng.choice(["<30", "30-49", "50+"], len(x)),
            "sex": rng.choice(["F", "M"], len(x)),
        },
    )
    assert adjusted["unadjusted_for"] == [] and adjusted["covariates"] == ["age band", "sex"]
    assert adjusted["odds_ratio_per_point"] == pytest.approx(result["odds_ratio_per_point"], rel=0.02)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=80), st.integers(3, 10))
def test_every_adjustment_category_holds_at_least_k_people_or_everyone(values, k):
    codes = merged_levels(values=np.array(values), k=k)
    counts = np.bincount(codes)
    assert counts.min() >= k or len(counts) == 1
    assert counts[0] == counts.max(), "the reference is the largest category"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=80), st.integers(3, 10))
def test_merging_never_splits_a_category(values, k):
    codes = merged_levels(values=np.array(values), k=k)
    for value in set(values):
        assert len(set(codes[np.array(values) == value].tolist())) == 1


def test_the_cr2_scores_are_the_bias_reduced_ones_computed_cluster_by_cluster():
    from clinlead.analytics.association_clustered import cr2_scores, fit_logit

    x, y, cluster = clustered_cycle(seed=6, leaders=25)
    X = np.column_stack([np.ones_like(x), x, (np.arange(len(x)) % 3 == 0).astype(float)])
    beta = fit_logit(X=X, y=y)
    p = 1 / (1 + np.exp(-X @ beta))
    w = np.sqrt(p * (1 - p))
    z, e = X * w[:, None], (y - p) / w
    inv = np.linalg.inv(z.T @ z)
    expected = []
    for g in range(25):
        zg, eg = z[cluster == g], e[cluster == g]
        vals, vecs = np.linalg.eigh(np.eye(len(eg)) - zg @ inv @ zg.T)
        expected.append(zg.T @ (vecs / np.sqrt(vals)) @ vecs.T @ eg)
    got = cr2_scores(X=X, y=y, p=p, cluster=cluster, inv=inv, groups=25)
    assert got == pytest.approx(np.array(expected), rel=1e-7, abs=1e-10)


def test_a_fit_the_cr2_decomposition_cannot_take_falls_back_to_cr1_instead_of_failing(monkeypatch):
    """Hypothesis found a small trust whose few leaders' alike answers left numpy's eigen-
    decomposition without an answer at close ("Eigenvalues did not converge")."""
    x, y, cluster = clustered_cycle()
    X = sm.add_constant(x)

    def no_answer(*args, **kwargs):
        raise np.linalg.LinAlgError("Eigenvalues did not converge")

    monkeypatch.setattr(np.linalg, "eigh", no_answer)
    beta, cov, _ = cluster_robust(X=X, y=y, cluster=cluster, small_sample="CR2")
    cr1 = sm.Logit(y, X).fit(disp=0, cov_type="cluster", cov_kwds={"groups": cluster})
    assert np.sqrt(np.diag(cov)) == pytest.approx(cr1.bse, rel=1e-8)
