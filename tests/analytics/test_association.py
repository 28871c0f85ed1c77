"""Association of leader scores with burnout and satisfaction: on data simulated with a known
odds ratio per index point, the estimate recovers it and equals a direct statsmodels fit."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from clinlead.analytics.association import logistic_per_point, pearson_with_ci
from clinlead.analytics.leaderindex_read import read_responses
from clinlead.analytics.leaderindex_report import associate_report, score_report

TRUE_OR = {"burnout": 0.93, "satisfaction": 1.11}
PROFESSIONS = ["Nurse", "Doctor", "AHP", "Admin"]


def simulate(path, n=20_000, seed=4):
    """Responses whose outcomes follow a logistic model in the index with known odds ratios."""
    rng = np.random.default_rng(seed)
    leaders = rng.integers(0, 1500, n)
    quality = rng.normal(0, 1, 1500)
    items = np.clip(np.round(3.2 + quality[leaders, None] + rng.normal(0, 1, (n, 12))), 1, 5)
    items[rng.random(items.shape) < 0.03] = np.nan
    index = np.nanmean(items, axis=1) * 12
    prof = rng.integers(0, len(PROFESSIONS), n)
    frame = pd.DataFrame(
        {
            "cycle": "2024",
            "leader_id": [f"L{i:04d}" for i in leaders],
            "unit": [f"Trust A/Div {i % 7}/Team {i % 60}" for i in leaders],
            "profession": np.array(PROFESSIONS)[prof],
        }
    )
    for j in range(12):
        frame[f"q{j + 1}"] = pd.array(items[:, j], dtype="Int64")
    shift = np.array([0.0, 0.4, -0.2, 0.3])[prof]
    for name, base, cut in (("burnout", -0.8, 3), ("satisfaction", 0.3, 4)):
        p = 1 / (1 + np.exp(-(base + np.log(TRUE_OR[name]) * (index - 40) + shift)))
        yes = rng.random(n) < p
        answer = np.where(yes, rng.integers(cut, 6, n), rng.integers(1, cut, n)).astype(float)
        answer[rng.random(n) < 0.01] = np.nan
        frame[name] = pd.array(answer, dtype="Int64")
    frame.to_csv(path, index=False)
    return frame


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    path = tmp_path_factory.mktemp("assoc") / "responses.csv"
    frame = simulate(path)
    table = read_responses(path=path)
    return frame, table, associate_report(table=table, k=5)


def direct_fit(frame, outcome, cutoff):
    items = frame[[f"q{j}" for j in range(1, 13)]].astype(float)
    index = items.mean(axis=1) * 12
    index[items.notna().sum(axis=1) < 10] = np.nan
    used = index.notna() & frame[outcome].notna()
    y = (frame.loc[used, outcome] >= cutoff).astype(float).to_numpy()
    dummies = pd.get_dummies(frame.loc[used, "profession"], drop_first=True, dtype=float)
    X = sm.add_constant(pd.concat([index[used].rename("index"), dummies], axis=1))
    return sm.Logit(y, X).fit(disp=0), int(used.sum())


@pytest.mark.parametrize("outcome, cutoff", [("burnout", 3), ("satisfaction", 4)])
def test_the_known_odds_ratio_per_point_is_recovered_within_its_interval(
    simulated, outcome, cutoff
):
    _, _, report = simulated
    result = report[outcome]
    low, high = result["ci95"]
    assert low < TRUE_OR[outcome] < high
    assert low < result["odds_ratio_per_point"] < high
    assert result["pct_change_odds_per_point"] == pytest.approx(
        (result["odds_ratio_per_point"] - 1) * 100
    )
    assert result["covariates"] == ["profession"]


@pytest.mark.parametrize("outcome, cutoff", [("burnout", 3), ("satisfaction", 4)])
def test_the_estimate_equals_a_direct_statsmodels_logit_fit(simulated, outcome, cutoff):
    frame, _, report = simulated
    fit, n = direct_fit(frame, outcome, cutoff)
    result = report[outcome]
    assert result["n"] == n
    assert result["odds_ratio_per_point"] == pytest.approx(np.exp(fit.params["index"]), abs=1e-8)
    low, high = np.exp(fit.conf_int().loc["index"])
    assert result["ci95"] == pytest.approx([low, high], abs=1e-8)


def test_with_one_profession_there_is_no_adjustment():
    rng = np.random.default_rng(2)
    index = rng.uniform(12, 60, 3000)
    outcome = (rng.random(3000) < 1 / (1 + np.exp(-(index - 36) * 0.05))).astype(int)
    result = logistic_per_point(index=index, outcome=outcome, profession=np.zeros(3000))
    fit = sm.Logit(outcome, sm.add_constant(index)).fit(disp=0)
    assert result["covariates"] == []
    assert result["odds_ratio_per_point"] == pytest.approx(np.exp(fit.params[1]), abs=1e-8)


def test_no_variation_in_the_outcome_gives_null_figures_not_an_error():
    result = logistic_per_point(index=np.arange(20.0, 60.0), outcome=np.ones(40, dtype=int))
    assert result["n"] == 40 and result["odds_ratio_per_point"] is None and "note" in result


def test_every_leader_rated_alike_gives_null_figures_not_an_odds_ratio():
    outcome = np.array([1, 0] * 20)
    result = logistic_per_point(index=np.full(40, 48.0), outcome=outcome)
    assert result["odds_ratio_per_point"] is None and result["ci95"] is None
    assert result["note"] == "no variation in the ratings of leaders"


def test_an_outcome_separated_by_the_ratings_gives_no_odds_ratio():
    # Everyone rating their leader 40 or more is satisfied, everyone below is not.
    index = np.arange(20.0, 60.0)
    result = logistic_per_point(index=index, outcome=(index >= 40).astype(int))
    assert result["odds_ratio_per_point"] is None and "note" in result


def test_pearson_r_has_a_fisher_z_interval_and_scipys_p_value():
    rng = np.random.default_rng(4)
    x = rng.normal(size=50)
    y = x * 0.5 + rng.normal(size=50)
    out = pearson_with_ci(x=x, y=y)
    r, p = stats.pearsonr(x, y)
    z, half = np.arctanh(r), 1.959963984540054 / np.sqrt(47)
    assert out["n"] == 50 and out["r"] == pytest.approx(r) and out["p_value"] == pytest.approx(p)
    assert out["ci95"] == pytest.approx([np.tanh(z - half), np.tanh(z + half)])


def test_the_leader_correlation_uses_published_leaders_only(simulated):
    frame, table, report = simulated
    scores = score_report(table=table, k=5)
    published = {e["leader_id"]: e for e in scores["leaders"] if e["published"]}
    assert 0 < len(published) < frame["leader_id"].nunique()  # some are hidden
    # Figures speak for the respondents whose index counts (10 or more items answered).
    counted = frame[[f"q{j}" for j in range(1, 13)]].notna().sum(axis=1) >= 10
    rates = (
        frame[counted].dropna(subset=["burnout"])
        .assign(out=lambda f: f["burnout"] >= 3)
        .groupby("leader_id")["out"]
        .mean()
    )
    ids = sorted(published)
    x = np.array([published[i]["index"] for i in ids], dtype=float)
    r, _ = stats.pearsonr(x, rates.loc[ids].to_numpy())
    corr = report["unit_correlation"]["leaders"]["burnout"]
    assert corr["n"] == len(ids)
    assert corr["r"] == pytest.approx(r, abs=1e-4)  # the report's indices are rounded
    assert corr["r"] < 0  # better leaders, less burnout, as simulated


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=300))
def test_profession_codes_rank_the_professions_present_as_sorting_them_would(values):
    from clinlead.analytics.association import profession_groups

    array = np.array(values, dtype=np.int32)
    codes, groups, adjusted = profession_groups(profession=array, n=len(values))
    _, expected = np.unique(array, return_inverse=True)
    assert codes.tolist() == expected.tolist()
    assert groups == len(set(values)) and adjusted == (["profession"] if groups >= 2 else [])
