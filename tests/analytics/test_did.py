import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from clinlead.analytics.did import (
    EvaluationInputError,
    estimate_did,
    estimate_event_study,
)
from clinlead.analytics.did_report import evaluate
from clinlead.analytics.evaluation_demo import generate_demo_series
from clinlead.analytics.metric_catalogue import HIGHER, get_metric
from clinlead.analytics.metric_series import metric_series_from_records
from clinlead.analytics.periods import parse_period

EFFECT = 2.0
PILOTS = {"P1": "2024-01", "P2": "2024-01", "P3": "2024-01"}


def simulate(*, seed=7, effect=EFFECT, pre_trend=0.0, starts=None, months=24):
    """3 pilots + 8 comparators, monthly from 2023-01: organisation and period effects,
    AR(1) noise, ``effect`` from each pilot's start and an optional pilot-only drift
    of ``pre_trend`` per month before it."""
    rng = np.random.default_rng(seed)
    starts = starts or PILOTS
    first = parse_period(text="2023-01")
    periods = [first.shifted(steps=t) for t in range(months)]
    national = rng.normal(0, 1.5, months)
    rows = []
    for organisation in [*starts, *(f"C{i}" for i in range(1, 9))]:
        level, noise = rng.normal(50, 5), 0.0
        start = parse_period(text=starts[organisation]) if organisation in starts else None
        for t, period in enumerate(periods):
            noise = 0.5 * noise + rng.normal(0, 0.3)
            value = level + national[t] + noise
            if start is not None:
                since = period.ordinal - start.ordinal
                value += effect if since >= 0 else pre_trend * (since + 1)
            rows.append({"organisation": organisation, "period": period.label, "value": value})
    return pd.DataFrame(rows)


def by_hand(data, starts, **fit):
    """The model written out with the statsmodels formula API."""
    data = data.copy()
    start = data["organisation"].map(starts)
    data["treated_post"] = (start.notna() & (data["period"] >= start)).astype(int)
    model = smf.ols("value ~ treated_post + C(organisation) + C(period)", data)
    return model.fit(cov_type="cluster", cov_kwds={"groups": data["organisation"]}, **fit)


@pytest.fixture(scope="module")
def data():
    return simulate()


def test_the_estimate_recovers_a_known_effect_within_its_ci(data):
    result = estimate_did(data=data, pilots=PILOTS)
    low, high = result.ci95
    assert low < EFFECT < high
    assert abs(result.estimate - EFFECT) < 0.5
    assert (result.n, result.n_pilots, result.n_comparators, result.n_periods) == (264, 3, 8, 24)
    assert result.p_value < 0.01


def test_estimate_se_and_ci_equal_the_statsmodels_formula_fit(data):
    result = estimate_did(data=data, pilots=PILOTS)
    default = by_hand(data, PILOTS)
    with_t = by_hand(data, PILOTS, use_t=True)
    assert result.estimate == pytest.approx(default.params["treated_post"], abs=1e-10)
    assert result.se == pytest.approx(default.bse["treated_post"], abs=1e-10)
    # Documented choice: t on G-1 = 10 df, not statsmodels' default normal.
    assert list(result.ci95) == pytest.approx(
        list(with_t.conf_int().loc["treated_post"]), abs=1e-10
    )
    assert result.p_value == pytest.approx(with_t.pvalues["treated_post"], abs=1e-10)
    normal_low, normal_high = default.conf_int().loc["treated_post"]
    assert result.ci95[0] < normal_low and result.ci95[1] > normal_high
    assert result.df == 10


def test_staggered_starts_and_missing_rows_still_match_the_formula_fit():
    starts = {"P1": "2023-10", "P2": "2024-01", "P3": "2024-04"}
    data = simulate(starts=starts, seed=3).drop(index=[5, 40, 41, 200]).reset_index(drop=True)
    result = estimate_did(data=data, pilots=starts)
    expected = by_hand(data, starts, use_t=True)
    assert result.estimate == pytest.approx(expected.params["treated_post"], abs=1e-10)
    assert result.se == pytest.approx(expected.bse["treated_post"], abs=1e-10)
    assert any(
        "started at different times (2023-10, 2024-01, 2024-04)" in c for c in result.caveats
    )
    assert any("unbalanced: 4 of 264" in c for c in result.caveats)


def test_results_say_what_must_hold_and_how_many_clusters_there_were(data):
    result = estimate_did(data=data, pilots=PILOTS, metric=None)
    text = " ".join(result.assumptions)
    for words in ("Parallel trends", "No anticipation", "No spillover", "not randomly assigned"):
        assert words in text
    caveats = " ".join(result.caveats)
    assert "it does not prove the pilot caused it" in caveats
    assert "11 clusters (3 pilot, 8 comparison)" in caveats
    assert "too small" in caveats
    assert "G/(G-1) x (N-1)/(N-K)" in result.small_sample_correction


def test_explicit_comparators_leave_other_organisations_out(data):
    result = estimate_did(data=data, pilots=PILOTS, comparators=["C1", "C2", "C3"])
    assert (result.n_comparators, result.n) == (3, 6 * 24)
    assert result.excluded == ["C4", "C5", "C6", "C7", "C8"]


def test_event_study_leads_are_near_zero_and_lags_near_the_effect_with_parallel_trends(data):
    events = estimate_event_study(data=data, pilots=PILOTS, leads=6, lags=6)
    leads = [p for p in events.points if p["relative_period"] <= -2]
    lags = [p for p in events.points if p["relative_period"] >= 0]
    assert [p["relative_period"] for p in events.points] == list(range(-6, 7))
    # Half the effect is a generous bound: the leads' SEs here are about 0.2.
    assert all(abs(p["estimate"]) < EFFECT / 2 for p in leads)
    assert np.mean([p["estimate"] for p in lags]) == pytest.approx(EFFECT, abs=0.5)
    reference = next(p for p in events.points if p["relative_period"] == -1)
    assert reference == {
        "relative_period": -1,
        "label": "-1",
        "estimate": 0.0,
        "se": 0.0,
        "ci95": [0.0, 0.0],
        "reference": True,
    }
    # Relative periods beyond the window are binned into its ends.
    assert (events.points[0]["label"], events.points[-1]["label"]) == (
        "-6 or earlier",
        "+6 or later",
    )
    assert events.pretrend_p > 0.2


def test_the_pretrend_test_rejects_a_built_in_differential_pre_trend():
    drifting = simulate(pre_trend=0.4)
    events = estimate_event_study(data=drifting, pilots=PILOTS, leads=6, lags=6)
    # 3 pilots among 11 organisations: 165 ways to choose them, the real one most extreme.
    assert events.pretrend_assignments == 165
    assert events.pretrend_p == pytest.approx(1 / 165)
    assert events.pretrend_p_f < 0.01
    result = evaluate(data=drifting, pilots=PILOTS, leads=6, lags=6)
    # The pre-trend caveat is there, and the verdict rule withholds "better/worse" beside it.
    assert any("already drifting away" in caveat for caveat in result["caveats"])
    assert any("already moving apart" in caveat and '"unclear"' in caveat for caveat in result["caveats"])


def test_pretrend_is_none_with_a_reason_when_there_is_one_period_before_the_start(data):
    late = {"P1": "2023-02", "P2": "2023-02", "P3": "2023-02"}
    events = estimate_event_study(data=data, pilots=late)
    assert events.pretrend_p is None
    assert "too few periods before the start" in events.pretrend_reason
    assert events.leads == 1


def test_the_pretrend_statistic_is_the_cluster_robust_wald_test_of_the_leads(data):
    events = estimate_event_study(data=data, pilots=PILOTS, leads=3, lags=3)
    frame = data.copy()
    start = frame["organisation"].map(PILOTS)
    relative = pd.Series(np.nan, index=frame.index)
    pilot = start.notna()
    relative[pilot] = [
        parse_period(text=p).ordinal - parse_period(text=s).ordinal
        for p, s in zip(frame.loc[pilot, "period"], start[pilot], strict=True)
    ]
    terms = []
    for k in (-3, -2, 0, 1, 2, 3):
        name = f"rel_{k + 10}"
        binned = relative.clip(-3, 3)
        frame[name] = (binned == k).astype(float)
        terms.append(name)
    fit = smf.ols(f"value ~ {' + '.join(terms)} + C(organisation) + C(period)", frame).fit(
        cov_type="cluster", cov_kwds={"groups": frame["organisation"]}, use_t=True
    )
    wald = fit.wald_test("rel_7 = 0, rel_8 = 0", use_f=True, scalar=True)
    assert events.pretrend_f == pytest.approx(wald.statistic, rel=1e-8)
    assert events.pretrend_p_f == pytest.approx(wald.pvalue, rel=1e-6)
    estimates = {p["relative_period"]: p["estimate"] for p in events.points}
    assert estimates[2] == pytest.approx(fit.params["rel_12"], abs=1e-10)


def test_quarterly_and_dated_series_work_with_their_own_arithmetic(data):
    quarterly = data.copy()
    quarterly["period"] = [f"{p[:4]}-Q{(int(p[5:]) - 1) // 3 + 1}" for p in quarterly["period"]]
    quarterly = quarterly.groupby(["organisation", "period"], as_index=False)["value"].mean()
    result = estimate_did(data=quarterly, pilots={p: "2024-Q1" for p in PILOTS})
    assert (result.granularity, result.n_periods) == ("quarter", 8)
    assert result.ci95[0] < EFFECT < result.ci95[1]

    dated = data.copy()
    dated["period"] = dated["period"] + "-15"
    # The start falls between observed dates: 2024-01-15 is the first treated one.
    result = estimate_did(data=dated, pilots={p: "2024-01-02" for p in PILOTS})
    monthly = estimate_did(data=data, pilots=PILOTS)
    assert result.granularity == "date"
    assert result.estimate == pytest.approx(monthly.estimate, abs=1e-10)


@pytest.mark.parametrize(
    ("pilots", "comparators", "says"),
    [
        ({"Nowhere": "2024-01"}, None, "pilot organisation 'Nowhere' is not in the data"),
        ({"P1": "2024-Q1"}, None, "is a quarter, but the data's periods are months"),
        ({"P1": "2024-13"}, None, "start for pilot 'P1'"),
        ({"P1": "2023-01"}, None, "no values before its start 2023-01"),
        ({"P1": "2025-06"}, None, "no values at or after its start 2025-06"),
        ({"P1": "2024-01"}, ["P1", "C1"], "both pilot and comparator: P1"),
        ({"P1": "2024-01"}, ["C99"], "comparator organisation(s) not in the data: C99"),
        ({}, None, "no pilot organisations given"),
    ],
)
def test_designs_that_cannot_be_analysed_are_refused_with_a_reason(data, pilots, comparators, says):
    with pytest.raises(EvaluationInputError) as caught:
        estimate_did(data=data, pilots=pilots, comparators=comparators)
    assert says in str(caught.value)


def test_data_with_only_pilots_or_duplicates_is_refused(data):
    pilots_only = data[data["organisation"].isin(PILOTS)]
    with pytest.raises(EvaluationInputError, match="no comparison organisations"):
        estimate_did(data=pilots_only, pilots=PILOTS)
    doubled = pd.concat([data, data.head(1)])
    with pytest.raises(EvaluationInputError, match="more than one value for period '2023-01'"):
        estimate_did(data=doubled, pilots=PILOTS)


def test_evaluate_gives_the_five_summary_keys_first_as_plain_json(data):
    result = evaluate(data=data.assign(metric="hsmr"), pilots=PILOTS, metric="hsmr")
    assert list(result)[:5] == ["metric", "estimate", "ci95", "n", "pretrend_p"]
    assert result["metric"] == "hsmr"
    decoded = json.loads(json.dumps(result, allow_nan=False))
    assert decoded["event_study"][0]["relative_period"] == -6
    assert 0 <= decoded["p_value_randomisation"] <= 1
    assert decoded["randomisation_assignments"] == 165


def test_the_demo_series_is_valid_and_shows_its_built_in_improvements():
    demo = generate_demo_series(seed=2025)
    series = metric_series_from_records(records=demo.rows)  # validates every row
    assert len(series.organisations()) == 11 and len(demo.pilots) == 3
    frame = series.to_frame()
    for metric in ("hsmr", "staff_satisfaction_pct", "patient_experience_positive_pct"):
        info = get_metric(name=metric)
        # The demo's effects are improvements, in the catalogue's direction of good.
        assert (demo.effects[metric] > 0) == (info.direction == HIGHER)
        result = estimate_did(data=frame, pilots=demo.pilots, metric=metric, permutations=0)
        assert np.sign(result.estimate) == np.sign(demo.effects[metric])
    assert generate_demo_series(seed=2025).rows == demo.rows  # seeded
