import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from clinlead.analytics.did_power import (
    PartialledWald,
    comparators_needed,
    did_variance_factor,
    minimum_detectable_effect,
    randomisation_p,
    start_assignments,
)


def quadratic_form(m, r, correlation_matrix):
    weights = np.concatenate([np.full(m, -1 / m), np.full(r, 1 / r)])
    return weights @ correlation_matrix @ weights


def panel_design(n_pilots, n_comparators, before, after):
    """Balanced panel, one common start: rows are organisation-major."""
    g, t = n_pilots + n_comparators, before + after
    organisation, period = np.repeat(np.arange(g), t), np.tile(np.arange(t), g)
    treated = ((organisation < n_pilots) & (period >= before)).astype(float)
    effects = np.column_stack(
        [np.ones(g * t), np.eye(g)[organisation][:, 1:], np.eye(t)[period][:, 1:]]
    )
    return organisation, period, treated, effects


def test_exchangeable_factor_is_frison_and_pococks_closed_form():
    m, r, rho = 5, 7, 0.6
    matrix = (1 - rho) * np.eye(m + r) + rho
    factor = did_variance_factor(
        periods_before=m, periods_after=r, serial_correlation=rho, correlation="exchangeable"
    )
    assert factor == pytest.approx((1 - rho) * (1 / m + 1 / r))
    assert factor == pytest.approx(quadratic_form(m, r, matrix))


def test_ar1_factor_is_the_quadratic_form_and_reduces_to_independence_at_zero():
    m, r, rho = 6, 4, 0.5
    lags = np.abs(np.subtract.outer(np.arange(m + r), np.arange(m + r)))
    factor = did_variance_factor(periods_before=m, periods_after=r, serial_correlation=rho)
    assert factor == pytest.approx(quadratic_form(m, r, rho**lags))
    independent = did_variance_factor(periods_before=m, periods_after=r, serial_correlation=0)
    assert independent == pytest.approx(1 / m + 1 / r)


def test_mde_is_blooms_multiplier_times_the_did_standard_error():
    result = minimum_detectable_effect(
        n_pilots=3,
        n_comparators=8,
        periods_before=12,
        periods_after=12,
        sd=2.0,
        serial_correlation=0.4,
        correlation="exchangeable",
    )
    se = 2.0 * math.sqrt(0.6 * (1 / 12 + 1 / 12) * (1 / 3 + 1 / 8))
    multiplier = stats.t.ppf(0.975, 9) + stats.t.ppf(0.8, 9)
    assert result.df == 9
    assert result.se == pytest.approx(se)
    assert result.mde == pytest.approx(multiplier * se)
    assert result.mde_in_sd == pytest.approx(result.mde / 2.0)
    # With many organisations the multiplier tends to the familiar 1.96 + 0.84.
    many = minimum_detectable_effect(
        n_pilots=500,
        n_comparators=500,
        periods_before=1,
        periods_after=1,
        sd=1,
        serial_correlation=0,
    )
    assert many.multiplier == pytest.approx(2.8016, abs=0.01)
    assert any("not a cause" in text or "association" in text for text in result.assumptions)


def test_more_comparators_lower_the_mde_and_the_inverse_finds_the_fewest_needed():
    design = {
        "n_pilots": 3,
        "periods_before": 12,
        "periods_after": 12,
        "sd": 3.0,
        "serial_correlation": 0.5,
    }
    mdes = [minimum_detectable_effect(n_comparators=c, **design).mde for c in (2, 5, 10, 40)]
    assert mdes == sorted(mdes, reverse=True)
    target = minimum_detectable_effect(n_comparators=10, **design).mde
    needed = comparators_needed(target_effect=-target, **design)  # sign does not matter
    assert needed.n_comparators == 10
    assert needed.design.mde <= target
    assert minimum_detectable_effect(n_comparators=9, **design).mde > target


def test_a_target_no_number_of_comparators_can_reach_is_explained():
    needed = comparators_needed(
        target_effect=0.1,
        n_pilots=2,
        periods_before=6,
        periods_after=6,
        sd=3.0,
        serial_correlation=0.5,
        max_comparators=200,
    )
    assert needed.n_comparators is None
    assert "add pilots or periods instead" in needed.reason


@pytest.mark.parametrize(
    "bad",
    [
        {"n_pilots": 0},
        {"n_pilots": 1, "n_comparators": 1},
        {"sd": 0},
        {"serial_correlation": 1.0},
        {"serial_correlation": -0.2, "correlation": "exchangeable"},
        {"correlation": "spherical"},
        {"periods_before": 0},
        {"power": 1.0},
    ],
)
def test_impossible_designs_are_refused(bad):
    design = {
        "n_pilots": 3,
        "n_comparators": 8,
        "periods_before": 6,
        "periods_after": 6,
        "sd": 1.0,
        "serial_correlation": 0.3,
    }
    with pytest.raises(ValueError):
        minimum_detectable_effect(**(design | bad))


def cluster_t_statistics(y, treated, effects, organisation):
    """CR1 cluster-robust t of the treatment for every column of y at once (FWL)."""
    basis = np.linalg.qr(effects)[0]
    z = treated - basis @ (basis.T @ treated)
    y = y - basis @ (basis.T @ y)
    beta = (z @ y) / (z @ z)
    residuals = y - np.outer(z, beta)
    membership = np.eye(organisation.max() + 1)[organisation].T
    scores = membership @ (z[:, None] * residuals)
    g, n, k = membership.shape[0], len(z), effects.shape[1] + 1
    variance = g / (g - 1) * (n - 1) / (n - k) * (scores**2).sum(axis=0) / (z @ z) ** 2
    return beta, beta / np.sqrt(variance)


@pytest.mark.parametrize("correlation", ["ar1", "exchangeable"])
def test_simulated_power_at_the_computed_mde_is_close_to_the_target(correlation):
    n_pilots, n_comparators, before, after, rho = 6, 12, 8, 8, 0.5
    result = minimum_detectable_effect(
        n_pilots=n_pilots,
        n_comparators=n_comparators,
        periods_before=before,
        periods_after=after,
        sd=1.0,
        serial_correlation=rho,
        correlation=correlation,
    )
    organisation, period, treated, effects = panel_design(n_pilots, n_comparators, before, after)
    g, t, reps = n_pilots + n_comparators, before + after, 2000
    lags = np.abs(np.subtract.outer(np.arange(t), np.arange(t)))
    matrix = rho**lags if correlation == "ar1" else (1 - rho) * np.eye(t) + rho
    rng = np.random.default_rng(20250101)
    noise = rng.standard_normal((reps, g, t)) @ np.linalg.cholesky(matrix).T
    y = (
        noise.reshape(reps, g * t).T
        + result.mde * treated[:, None]
        + rng.normal(0, 2, (g, reps))[organisation]  # organisation levels cancel
        + rng.normal(0, 1, (t, reps))[period]  # so do shocks shared by everyone
    )
    estimates, t_values = cluster_t_statistics(y, treated, effects, organisation)

    # The helper is the analysis' own test: check it on one replicate against statsmodels.
    fit = sm.OLS(y[:, 0], np.column_stack([treated, effects])).fit(
        cov_type="cluster", cov_kwds={"groups": organisation}, use_t=True
    )
    assert t_values[0] == pytest.approx(fit.tvalues[0], rel=1e-8)

    assert estimates.std() == pytest.approx(result.se, rel=0.05)
    power = np.mean(np.abs(t_values) > stats.t.ppf(0.975, g - 1))
    assert power == pytest.approx(0.8, abs=0.04)


def test_partialled_wald_equals_the_statsmodels_cluster_and_classical_wald_f():
    organisation, _, treated, effects = panel_design(3, 8, 6, 6)
    rng = np.random.default_rng(5)
    treatment = np.column_stack([treated, treated * rng.integers(0, 2, len(treated))])
    y = rng.normal(size=len(treated)) + rng.normal(size=11)[organisation]
    wald = PartialledWald(fixed_effects=effects, groups=organisation)
    design = np.column_stack([treatment, effects])
    for covariance, fit in [
        ("cluster", {"cov_type": "cluster", "cov_kwds": {"groups": organisation}}),
        ("classical", {}),
    ]:
        result = sm.OLS(y, design).fit(**fit)
        expected = result.wald_test(np.eye(design.shape[1])[:2], use_f=True, scalar=True)
        statistic = wald.f(y=y, treatment=treatment, columns=[0, 1], covariance=covariance)
        assert statistic == pytest.approx(expected.statistic, rel=1e-8)
    assert wald.coefficients(y=y, treatment=treatment) == pytest.approx(result.params[:2])


def test_every_distinct_assignment_of_start_dates_is_enumerated_once():
    organisations = [f"T{i}" for i in range(7)]
    total, exact, assignments = start_assignments(
        organisations=organisations, starts=[5, 5, 8], permutations=1000, seed=0
    )
    seen = {tuple(sorted(a.items())) for a in assignments}
    assert (total, exact) == (7 * 6 * 5 // 2, True)  # 7!/(2! 1! 4!) = 105
    assert len(seen) == 105
    assert all(sorted(a.values()) == [5, 5, 8] for a in map(dict, seen))


def test_too_many_assignments_are_sampled_reproducibly():
    organisations = [f"T{i}" for i in range(30)]
    draw = [
        list(
            start_assignments(
                organisations=organisations, starts=[1, 1, 1, 1, 1], permutations=50, seed=9
            )[2]
        )
        for _ in range(2)
    ]
    assert len(draw[0]) == 50 and draw[0] == draw[1]


def test_randomisation_p_counts_the_observed_assignment():
    assert randomisation_p(observed=3.0, statistics=[1, 2, 3, 4], exact=True) == (0.5, 4)
    # A random draw leaves the observed one out, so it is added: (1 + 1) / (1 + 3).
    assert randomisation_p(observed=3.5, statistics=[1, 2, 4], exact=False) == (0.5, 4)
