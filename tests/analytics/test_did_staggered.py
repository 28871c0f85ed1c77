"""The evaluation's headline: imputation estimate, randomisation interval and verdict."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics import bacon
from clinlead.analytics.did import estimate_did
from clinlead.analytics.did_inference import invert, p_at
from clinlead.analytics.did_report import evaluate
from clinlead.analytics.imputation import Layout, fit_effects, poisson_imputation
from clinlead.analytics.periods import parse_period

FIRST = parse_period(text="2022-01")


def panel(
    *,
    starts,
    comparators=8,
    months=36,
    effect=lambda organisation, since: 0.0,
    noise=0.5,
    seed=1,
    multiplicative=False,
):
    """Organisation level + national shock + AR(1) noise (or exp of them), and an effect by
    periods since each pilot's start (index into ``starts``: month offset)."""
    rng = np.random.default_rng(seed)
    names = [f"P{i}" for i in range(len(starts))] + [f"C{i}" for i in range(comparators)]
    national = rng.normal(0, 1, months)
    rows, truth = [], []
    for index, name in enumerate(names):
        level, ar = rng.normal(10, 2), 0.0
        for t in range(months):
            ar = 0.5 * ar + rng.normal(0, noise)
            base = level + national[t] + ar
            tau = 0.0
            if index < len(starts) and t >= starts[index]:
                tau = effect(index, t - starts[index])
                truth.append(tau)
            value = np.exp(base / 10) * (1 + tau) if multiplicative else base + tau
            rows.append(
                {"organisation": name, "period": FIRST.shifted(steps=t).label, "value": value}
            )
    pilots = {f"P{i}": FIRST.shifted(steps=s).label for i, s in enumerate(starts)}
    return pd.DataFrame(rows), pilots, float(np.mean(truth)) if truth else 0.0


def test_with_a_common_start_the_headline_equals_two_way_fixed_effects():
    data, pilots, _ = panel(starts=[12, 12, 12], effect=lambda o, s: 1.0 + 0.1 * s)
    result = evaluate(data=data, pilots=pilots, permutations=50)
    twfe = estimate_did(data=data, pilots=pilots, permutations=0)
    assert result["estimate"] == pytest.approx(twfe.estimate, abs=1e-6)
    assert result["conventional"]["estimate"] == pytest.approx(twfe.estimate, abs=1e-12)
    assert result["conventional"]["ci95"] == pytest.approx(list(twfe.ci95), abs=1e-12)


def test_on_a_hidden_staggered_panel_the_headline_is_within_5_percent_and_covered():
    """Acceptance (issue 15): 3 pilots starting months 6/18/30, effect growing 0.05 a month."""
    data, pilots, truth = panel(
        starts=[6, 18, 30], effect=lambda o, s: 0.05 * (s + 1), noise=0.05, seed=15
    )
    result = evaluate(data=data, pilots=pilots, permutations=199)
    assert truth == pytest.approx(0.6083, abs=1e-3)
    assert abs(result["estimate"] - truth) <= 0.05 * truth
    low, high = result["ci95"]
    assert low <= truth <= high
    assert result["ci95"] == result["ci95_randomisation"]
    assert result["verdict"] == "higher"
    # Two-way FE, the old headline, is far off on the same panel.
    assert abs(result["conventional"]["estimate"] - truth) > 0.2 * truth


def test_the_event_study_shows_no_false_lead_when_cohort_effects_differ():
    """Two-way FE showed a lead of +0.23 on such noise-free data; fitted on untreated figures
    only, the leads are exactly 0."""
    data, pilots, _ = panel(
        starts=[8, 8, 16, 16, 24, 24], noise=1e-9, effect=lambda o, s: (0.5, 1.0, 1.5)[o // 2]
    )
    result = evaluate(data=data, pilots=pilots, permutations=0)
    leads = [p for p in result["event_study"] if p["relative_period"] < -1]
    assert leads and all(abs(p["estimate"]) < 1e-6 for p in leads)
    lags = {
        p["relative_period"]: p["estimate"]
        for p in result["event_study"]
        if p["relative_period"] >= 0
    }
    assert lags[0] == pytest.approx(1.0, abs=1e-6)  # all three cohorts at their start
    assert result["estimate"] == pytest.approx(
        np.mean([1.5] * 2 * 12 + [1.0] * 2 * 20 + [0.5] * 2 * 28), abs=1e-6
    )


def test_the_bacon_decomposition_averages_back_to_two_way_fixed_effects():
    data, pilots, _ = panel(starts=[6, 6, 18, 30], effect=lambda o, s: 0.05 * (s + 1))
    result = evaluate(data=data, pilots=pilots, permutations=0)
    rows = result["bacon"]["comparisons"]
    assert sum(r["weight"] for r in rows) == pytest.approx(1.0)
    assert sum(r["weight"] * r["estimate"] for r in rows) == pytest.approx(
        result["conventional"]["estimate"], abs=1e-9
    )
    later = result["bacon"]["by_kind"][bacon.LATER_VS_EARLIER]
    assert later["weight"] > 0 and any(
        "of its weight is on such comparisons" in c for c in result["caveats"]
    )


def test_with_too_few_ways_to_choose_the_pilots_there_is_no_interval_and_no_verdict():
    data, pilots, _ = panel(starts=[12], comparators=3, effect=lambda o, s: 5.0)
    result = evaluate(data=data, pilots=pilots)
    assert result["ci95"] == [None, None] and result["verdict"] == "unclear"
    assert "only 4 ways" in result["randomisation_reason"]
    assert any("no verdict is given" in c for c in result["caveats"])


def test_a_rate_metric_gets_a_poisson_rate_ratio():
    data, pilots, _ = panel(
        starts=[12, 12, 20], effect=lambda o, s: 0.2, noise=0.0, multiplicative=True
    )
    result = evaluate(data=data, pilots=pilots, permutations=99, rate=True)
    assert result["rate_model"]["rate_ratio"] == pytest.approx(1.2, rel=1e-6)
    assert result["rate_model"]["p_value_randomisation"] <= 0.05


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 0.3))
def test_imputation_fits_equal_least_squares_with_dummies(seed, missing):
    rng = np.random.default_rng(seed)
    units, periods = np.repeat(np.arange(5), 6), np.tile(np.arange(6), 5)
    rows = rng.random(30) >= missing
    rows[np.arange(0, 30, 7)] = True  # every unit and period keeps a row
    rows[:6] = True
    values = rng.normal(size=(30, 2))
    layout = Layout.of(units=units, periods=periods)
    design = np.hstack([np.eye(5)[units], np.eye(6)[periods][:, 1:]])
    fitted = fit_effects(layout=layout, values=values, rows=rows)
    for column in range(2):
        ols = sm.OLS(values[rows, column], design[rows]).fit()
        assert fitted[:, column] == pytest.approx(design @ ols.params, abs=1e-8)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.booleans())
def test_the_inverted_interval_is_what_the_test_does_not_reject(seed, exact):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1, 60), rng.uniform(-0.3, 0.8, 60)
    observed = float(rng.normal(0, 2))
    if exact:
        a, b = np.append(a, observed), np.append(b, 1.0)
    found = invert(a=a, b=b, observed=observed, exact=exact)
    inside = np.array([found.low, found.high])
    assert (p_at(delta=inside, a=a, b=b, observed=observed, exact=exact) > 0.05).all()
    grid = np.linspace(found.low - 5, found.high + 5, 400)
    outside = grid[(grid < found.low - 1e-9) | (grid > found.high + 1e-9)]
    assert (p_at(delta=outside, a=a, b=b, observed=observed, exact=exact) <= 0.05).all()
    if found.verdict() != "unclear":
        assert found.p_value <= 0.05


def test_poisson_imputation_recovers_a_rate_ratio_and_refuses_negative_values():
    layout = Layout.of(units=np.repeat(np.arange(4), 5), periods=np.tile(np.arange(5), 4))
    mean = np.exp(np.repeat([1.0, 2.0, 0.5, 1.5], 5) + np.tile([0.0, 0.1, 0.3, 0.2, 0.4], 4))
    treated = (layout.units == 0) & (layout.periods >= 3)
    ratio, _ = poisson_imputation(
        layout=layout, values=mean * np.where(treated, 0.8, 1.0), treated=treated
    )
    assert ratio == pytest.approx(0.8, rel=1e-8)
    with pytest.raises(ValueError, match="zero or more"):
        poisson_imputation(layout=layout, values=-mean, treated=treated)


def test_power_by_simulation_finds_the_formulas_80_percent_effect_falls_short_for_the_verdict():
    """The formula plans for the CR1 t-test; the verdict's randomisation interval has less power."""
    from clinlead.analytics.did_power import minimum_detectable_effect
    from clinlead.analytics.power_simulation import simulated_power

    formula = minimum_detectable_effect(
        n_pilots=3,
        n_comparators=8,
        periods_before=12,
        periods_after=12,
        sd=1.0,
        serial_correlation=0.5,
    )
    simulated = simulated_power(
        effect=formula.mde,
        n_pilots=3,
        n_comparators=8,
        periods=24,
        start_offsets=[12],
        sd=1.0,
        simulations=60,
        permutations=39,
    )
    assert simulated.source == "AR(1)"
    assert 0.4 < simulated.power < 0.8
    none = simulated_power(
        effect=0.0001,
        n_pilots=3,
        n_comparators=8,
        periods=24,
        start_offsets=[12],
        sd=1.0,
        simulations=40,
        permutations=39,
    )
    assert none.power <= 0.15


def test_power_by_simulation_draws_the_organisations_own_history():
    from clinlead.analytics.power_simulation import simulated_power

    history, _, _ = panel(starts=[], comparators=14, months=30, noise=0.5, seed=3)
    big = simulated_power(
        effect=3.0,
        n_pilots=3,
        n_comparators=8,
        periods=24,
        start_offsets=[8, 16],
        history=history,
        simulations=30,
        permutations=39,
    )
    assert big.source == "history" and big.power >= 0.9
    with pytest.raises(ValueError, match="needs 20 organisations"):
        simulated_power(
            effect=1.0, n_pilots=4, n_comparators=16, periods=24, start_offsets=[8], history=history
        )
