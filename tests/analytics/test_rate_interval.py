"""The Poisson rate model's 95 % interval: the randomisation test inverted, so it holds the
rate ratios the test does not reject and no others; it honours exposure; the evaluate command
prints it and keeps its JSON keys."""

import json
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from clinlead.analytics.did import prepare_panel
from clinlead.analytics.did_power import start_assignments
from clinlead.analytics.did_report import design_of, rate_model
from clinlead.analytics.evaluation_demo import generate_demo_series
from clinlead.analytics.imputation import poisson_imputation

STARTS = {"T00": "2021-07", "T01": "2021-10", "T02": "2022-01"}


def counts(*, ratio=0.85, seed=3, trusts=12, months=30):
    rng = np.random.default_rng(seed)
    exposure = rng.uniform(5_000, 20_000, trusts)
    level = np.log(4e-3) + rng.normal(0, 0.25, trusts)
    month = rng.normal(0, 0.08, months)
    rows = []
    for u in range(trusts):
        name = f"T{u:02d}"
        for t in range(months):
            period = f"{2021 + t // 12}-{t % 12 + 1:02d}"
            treated = name in STARTS and period >= STARTS[name]
            mean = (
                exposure[u]
                * np.exp(level[u] + month[t] + rng.normal(0, 0.05))
                * (ratio if treated else 1)
            )
            rows.append(
                {
                    "organisation": name,
                    "period": period,
                    "value": float(rng.poisson(mean)),
                    "exposure": float(exposure[u]),
                }
            )
    return pd.DataFrame(rows)


def _p_at(design, ratio, theta, permutations, seed):
    """The randomisation p-value for "the rate ratio is theta", by brute force: refit every
    assignment on the pilots' figures divided by theta."""
    treated = np.nan_to_num(design.relative, nan=-1) >= 0
    values = design.values.copy()
    values[treated] /= theta
    _, exact, assignments = start_assignments(
        organisations=design.organisations,
        starts=design.starts,
        permutations=permutations,
        seed=seed,
    )
    real = abs(np.log(ratio / theta))
    others = []
    for assignment in assignments:
        mask = np.nan_to_num(design.relative_for(assignment), nan=-1) >= 0
        other, _ = poisson_imputation(
            layout=design.layout, values=values, treated=mask, exposure=design.exposure
        )
        others.append(abs(np.log(other)))
    extreme = sum(o >= real * (1 - 1e-9) for o in others)
    return extreme / len(others) if exact else (1 + extreme) / (1 + len(others))


@pytest.fixture(scope="module")
def fitted():
    design = design_of(prepare_panel(data=counts(), pilots=STARTS))
    return design, rate_model(design=design, permutations=60, seed=2)


def test_the_rate_ratio_has_a_randomisation_interval_around_it(fitted):
    _, result = fitted
    low, high = result["ci95_rate_ratio"]
    assert low < result["rate_ratio"] < high
    assert result["ci95_percent_change"] == pytest.approx([100 * (low - 1), 100 * (high - 1)])
    assert result["randomisation_assignments"] == 61 and result["interval_reason"] is None
    assert high < 1  # a 15 % fall in 3 pilots over a year is found


def test_the_interval_holds_the_ratios_the_test_keeps_and_not_those_it_rejects(fitted):
    design, result = fitted
    low, high = result["ci95_rate_ratio"]
    ratio = result["rate_ratio"]
    for inside in (low * 1.003, high / 1.003):
        assert _p_at(design, ratio, inside, 60, 2) > 0.05
    for outside in (low / 1.02, high * 1.02):
        assert _p_at(design, ratio, outside, 60, 2) <= 0.05
    assert result["p_value_randomisation"] == pytest.approx(_p_at(design, ratio, 1.0, 60, 2))


def test_the_rate_is_per_unit_of_exposure_when_the_figures_give_it():
    data = counts(ratio=1.0)
    # Pilots double their bed days after the start and their counts with them: the rate is unchanged.
    after = data["organisation"].isin(STARTS) & (data["period"] >= "2022-01")
    data.loc[after, ["value", "exposure"]] *= 2
    with_exposure = rate_model(
        design=design_of(prepare_panel(data=data, pilots=STARTS)), permutations=0, seed=0
    )
    without = rate_model(
        design=design_of(prepare_panel(data=data.drop(columns="exposure"), pilots=STARTS)),
        permutations=0,
        seed=0,
    )
    assert with_exposure["exposure"] is True
    assert abs(with_exposure["rate_ratio"] - 1) < 0.1 < without["rate_ratio"] - 1


def test_evaluate_json_keeps_its_keys_and_adds_the_rate_interval(tmp_path):
    demo = generate_demo_series(seed=11, metrics=("hsmr",))
    frame = pd.DataFrame(demo.rows)
    path = tmp_path / "figures.csv"
    frame.to_csv(path, index=False)
    args = [a for org, start in demo.pilots.items() for a in ("--pilot", f"{org}:{start}")]
    out = StringIO()
    call_command(
        "evaluate",
        str(path),
        "--metric",
        "hsmr",
        *args,
        "--json",
        "--permutations",
        "40",
        stdout=out,
    )
    rate = json.loads(out.getvalue())["rate_model"]
    assert {
        "model",
        "rate_ratio",
        "percent_change",
        "additive_effect",
        "p_value_randomisation",
        "reason",
    } <= set(rate)
    low, high = rate["ci95_rate_ratio"]
    assert low < rate["rate_ratio"] < high
    text = StringIO()
    call_command(
        "evaluate", str(path), "--metric", "hsmr", *args, "--permutations", "40", stdout=text
    )
    assert (
        f"rate ratio {rate['rate_ratio']:.4g}, 95% interval {low:.4g} to {high:.4g}"
        in text.getvalue()
    )
