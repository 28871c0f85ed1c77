"""Adjusting the odds ratio per point for age band and sex: the adjusted estimate is the same
logistic fit statsmodels gives with those dummies, adjustment recovers the true odds ratio when
age and sex confound it, and every output says which it is."""

import numpy as np
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.association_clustered import adjustment_statement, clustered_per_point

AGES = np.array(["<30", "30-49", "50+"])
SEXES = np.array(["F", "M"])


def confounded(rng, n=6000, leaders=300, slope=-0.08):
    """Older staff and men rate their leaders higher and, separately, burn out less: the
    unadjusted odds ratio per point is further from 1 than the true one (exp(slope))."""
    age = rng.integers(0, 3, n)
    sex = rng.integers(0, 2, n)
    cluster = rng.integers(0, leaders, n)
    index = np.clip(36 + 4 * age + 3 * sex + rng.normal(0, 6, n), 12, 60)
    eta = 1.5 + slope * (index - 36) - 0.7 * age - 0.6 * sex
    burnout = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return index, burnout, cluster, AGES[age], SEXES[sex]


def test_adjustment_recovers_the_true_odds_ratio_that_age_and_sex_confound():
    rng = np.random.default_rng(15)
    index, burnout, cluster, age, sex = confounded(rng)
    plain = clustered_per_point(index=index, outcome=burnout, cluster=cluster, min_n=5)
    adjusted = clustered_per_point(
        index=index,
        outcome=burnout,
        cluster=cluster,
        min_n=5,
        covariates={"age band": age, "sex": sex},
    )
    truth = np.exp(-0.08)
    assert not plain["ci95"][0] <= truth <= plain["ci95"][1]  # confounded: misses the truth
    assert adjusted["ci95"][0] <= truth <= adjusted["ci95"][1]
    assert abs(np.log(adjusted["odds_ratio_per_point"]) + 0.08) < 0.02
    assert adjusted["adjustment"] == "adjusted for age band and sex"
    assert (
        plain["adjustment"] == "unadjusted (Mayo's published figures are adjusted for age and sex)"
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(200, 1500))
def test_the_adjusted_odds_ratio_equals_statsmodels_for_the_same_data(seed, n):
    rng = np.random.default_rng(seed)
    index, burnout, cluster, age, sex = confounded(rng, n=n, leaders=max(n // 10, 5))
    if burnout.min() == burnout.max():
        return
    result = clustered_per_point(
        index=index,
        outcome=burnout,
        cluster=cluster,
        min_n=1,
        covariates={"age band": age, "sex": sex},
    )
    # Reference categories as the function chooses them: the most common level of each.
    columns = [np.ones(n), index]
    for values in (age, sex):
        levels, counts = np.unique(values, return_counts=True)
        order = levels[np.argsort(-counts, kind="stable")]
        columns += [(values == level).astype(float) for level in order[1:]]
    fit = sm.Logit(burnout, np.column_stack(columns)).fit(disp=0)
    if (
        result["odds_ratio_per_point"] is None
    ):  # separated or singular: statsmodels agrees it is hard
        return
    assert np.isclose(result["odds_ratio_per_point"], np.exp(fit.params[1]), rtol=1e-6)


def test_a_category_smaller_than_k_is_merged_so_no_breakdown_rests_on_a_few_people():
    rng = np.random.default_rng(3)
    index, burnout, cluster, age, sex = confounded(rng, n=800)
    sex = sex.copy()
    sex[:3] = "X"  # three people: fewer than k = 10
    result = clustered_per_point(
        index=index,
        outcome=burnout,
        cluster=cluster,
        min_n=10,
        covariates={"age band": age, "sex": sex},
    )
    # Only the odds ratio per point is published: no coefficient or count per age band or sex.
    assert set(result) >= {"odds_ratio_per_point", "ci95", "covariates", "adjustment"}
    assert not any("F" in str(v) or "<30" in str(v) for v in result.values())


def test_the_statement_names_what_is_not_adjusted_for():
    assert adjustment_statement(covariates=["profession", "sex"]) == (
        "adjusted for sex; unadjusted for age band (Mayo's published figures are adjusted for age and sex)"
    )
