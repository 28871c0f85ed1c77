"""Exposure for count-based metrics in the web app: the figures file's optional `exposure` column
is checked row by row, stored with the figure, passed to the rate model exactly as `evaluate`
takes it, named in the report's annex, and part of the fingerprint only when given."""

import hashlib
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from clinlead.analytics.did_report import evaluate
from clinlead.analytics.json_safe import finite
from clinlead.analytics.periods import parse_period
from clinlead.evaluation import services
from clinlead.evaluation.analysis import ANALYSIS_VERSION, current_fingerprints, design, fingerprint
from clinlead.evaluation.models import Metric, MetricResult, Observation
from tests.evaluation.conftest import COMPARATORS, STARTS, csv_bytes, participants

INFECTIONS = "hospital_acquired_infection_rate"
HEADER = ("organisation", "period", "metric", "value", "exposure")


def counts(*, seed=3, months=24, ratio=0.8):
    """Infections per trust-month: Poisson around bed days x the trust's rate x the month's,
    times `ratio` from each pilot's start; bed days differ fourfold between trusts and each
    trust's grow or shrink at its own pace (a constant one would vanish into its own effect)."""
    rng = np.random.default_rng(seed)
    first = parse_period(text="2023-01")
    month = rng.normal(0, 0.1, months)
    rows = []
    for organisation in [*STARTS, *COMPARATORS]:
        size, level = rng.uniform(5_000, 20_000), rng.normal(np.log(4e-3), 0.2)
        growth = rng.uniform(-0.03, 0.03)
        start = parse_period(text=STARTS[organisation]) if organisation in STARTS else None
        for t in range(months):
            period = first.shifted(steps=t)
            effect = ratio if start and period.ordinal >= start.ordinal else 1.0
            bed_days = float(round(size * np.exp(growth * t)))
            mean = bed_days * np.exp(level + month[t]) * effect
            rows.append(
                {
                    "organisation": organisation,
                    "period": period.label,
                    "metric": INFECTIONS,
                    "value": int(rng.poisson(mean)),
                    "exposure": bed_days,
                }
            )
    return rows


@pytest.fixture
def rate_evaluation(small_world):
    """Pilot One's evaluation of hospital-acquired infections (count-based) and staff
    satisfaction (not), with few assignments so the rate interval takes a test's time."""
    evaluation = services.create_evaluation(
        actor=small_world["tess"],
        organisation=small_world["organisation"],
        name="Infections",
        metrics=list(Metric.objects.filter(name__in=[INFECTIONS, "staff_satisfaction_pct"])),
        participants=participants(small_world["organisation"]),
    )
    evaluation.permutations = 49
    evaluation.save(update_fields=["permutations"])
    return evaluation


def load(evaluation, user, rows, name="infections.csv"):
    return services.import_observations(
        actor=user, evaluation=evaluation, content=csv_bytes(rows, HEADER), filename=name
    )


def test_a_file_with_exposure_is_stored_and_a_changed_exposure_is_an_update(
    rate_evaluation, small_world
):
    rows = counts()
    summary = load(rate_evaluation, small_world["tess"], rows)
    assert summary.created == len(rows)
    stored = {
        (name, period): exposure
        for name, period, exposure in Observation.objects.filter(
            participant__evaluation=rate_evaluation
        ).values_list("participant__name", "period", "exposure")
    }
    assert stored == {(r["organisation"], r["period"]): r["exposure"] for r in rows}

    rows[0] = dict(rows[0], exposure=rows[0]["exposure"] + 1)
    again = load(rate_evaluation, small_world["tess"], rows)
    assert (again.created, again.updated, again.unchanged) == (0, 1, len(rows) - 1)
    first = Observation.objects.get(
        participant__name=rows[0]["organisation"], period=rows[0]["period"]
    )
    assert first.exposure == rows[0]["exposure"]


def test_a_blank_exposure_is_allowed(rate_evaluation, small_world):
    rows = [dict(r, exposure="") for r in counts()[:5]]
    rows.append(
        {
            "organisation": "Pilot One",
            "period": "2023-01",
            "metric": "staff_satisfaction_pct",
            "value": 61.5,
            "exposure": "",
        }
    )
    assert load(rate_evaluation, small_world["tess"], rows).created == 6
    assert not Observation.objects.filter(exposure__isnull=False).exists()


def test_a_bad_exposure_is_named_by_row_column_and_reason_and_nothing_is_written(
    rate_evaluation, small_world
):
    rows = counts()[:10]
    rows[1] = dict(rows[1], exposure=0)
    rows[3] = dict(rows[3], exposure=-120)
    rows[5] = dict(rows[5], exposure="lots")
    rows[7] = dict(rows[7], metric="staff_satisfaction_pct", value=61.5)  # not count-based
    rows[8] = dict(rows[8], value=-2)  # with an exposure the value is a count
    with pytest.raises(services.ObservationFileError) as error:
        load(rate_evaluation, small_world["tess"], rows)
    # Row 1 is the header.
    found = [(p.row, p.column, p.value) for p in error.value.problems]
    assert found == [
        (3, "exposure", "0"),
        (5, "exposure", "-120"),
        (7, "exposure", "lots"),
        (9, "exposure", str(rows[7]["exposure"])),
        (10, "value", "-2"),
    ]
    reasons = [p.reason for p in error.value.problems]
    assert "above zero" in reasons[0] and "above zero" in reasons[1]
    assert "not a number" in reasons[2]
    assert "'staff_satisfaction_pct' is not a count per exposure" in reasons[3]
    assert "count" in reasons[4]
    assert not Observation.objects.filter(participant__evaluation=rate_evaluation).exists()


def test_the_analysis_with_exposure_equals_evaluate_with_the_same_exposure(
    rate_evaluation, small_world
):
    rows = counts()
    load(rate_evaluation, small_world["tess"], rows)
    stored = MetricResult.objects.get(evaluation=rate_evaluation, metric__name=INFECTIONS)
    assert stored.status == MetricResult.Status.ESTIMATED

    data = pd.DataFrame(rows)[["organisation", "period", "value", "exposure"]]
    pilots = dict(sorted(STARTS.items()))  # as the evaluation lists them
    direct = finite(
        evaluate(
            data=data,
            pilots=pilots,
            comparators=sorted(COMPARATORS),
            metric=INFECTIONS,
            leads=rate_evaluation.leads,
            lags=rate_evaluation.lags,
            permutations=rate_evaluation.permutations,
            seed=0,
            rate=True,
        )
    )
    assert stored.result["rate_model"]["exposure"] is True
    assert stored.result["rate_model"] == direct["rate_model"]
    assert stored.result["estimate"] == direct["estimate"]
    assert any("the figures are counts" in c for c in stored.result["caveats"])
    without = evaluate(
        data=data.drop(columns="exposure"),
        pilots=STARTS,
        comparators=sorted(COMPARATORS),
        metric=INFECTIONS,
        leads=6,
        lags=12,
        permutations=0,
        seed=0,
        rate=True,
    )
    assert without["rate_model"]["rate_ratio"] != pytest.approx(
        direct["rate_model"]["rate_ratio"], abs=1e-6
    )


def test_exposure_on_only_some_figures_is_left_out_and_said(rate_evaluation, small_world):
    rows = counts()
    rows[0] = dict(rows[0], exposure="")
    load(rate_evaluation, small_world["tess"], rows)
    stored = MetricResult.objects.get(evaluation=rate_evaluation, metric__name=INFECTIONS)
    assert stored.result["rate_model"]["exposure"] is False
    assert any(f"1 of {len(rows)} figures have no exposure" in c for c in stored.result["caveats"])


def test_changing_only_exposure_changes_the_fingerprint_and_recomputes(
    rate_evaluation, small_world
):
    rows = counts()
    load(rate_evaluation, small_world["tess"], rows)
    metric = Metric.objects.get(name=INFECTIONS)
    before = current_fingerprints(evaluation=rate_evaluation)[metric.pk]
    assert MetricResult.objects.get(evaluation=rate_evaluation, metric=metric).fingerprint == before

    rows[-1] = dict(rows[-1], exposure=rows[-1]["exposure"] * 2)
    load(rate_evaluation, small_world["tess"], rows)
    after = current_fingerprints(evaluation=rate_evaluation)[metric.pk]
    assert after != before
    assert MetricResult.objects.get(evaluation=rate_evaluation, metric=metric).fingerprint == after


def test_figures_without_exposure_keep_the_fingerprint_they_had_before_exposure(rate_evaluation):
    """The demo's precomputed results are keyed by fingerprint: no exposure, no change."""
    plan = design(evaluation=rate_evaluation)
    frame = pd.DataFrame(
        {"organisation": ["A", "B"], "period": ["2024-01", "2024-01"], "value": [1.0, 2.0]}
    )
    data = sorted(
        zip(frame["organisation"], frame["period"], frame["value"].round(12), strict=True)
    )
    earlier = hashlib.sha256(
        json.dumps(
            {"version": ANALYSIS_VERSION, "design": plan, "data": data}, sort_keys=True, default=str
        ).encode()
    ).hexdigest()  # the old code's
    assert fingerprint(plan=plan, frame=frame) == earlier
    assert fingerprint(plan=plan, frame=frame.assign(exposure=np.nan)) == earlier
    assert fingerprint(plan=plan, frame=frame.assign(exposure=[10.0, 20.0])) != earlier


def test_the_annex_says_the_rate_is_per_the_exposure(rate_evaluation, small_world, client):
    load(rate_evaluation, small_world["tess"], counts())
    client.force_login(small_world["tess"])
    page = client.get(rate_evaluation.get_absolute_url()).content.decode()
    assert "with exposure: counts per occupied bed days" in page


def test_the_import_template_offers_the_optional_exposure(rate_evaluation, small_world, client):
    client.force_login(small_world["tess"])
    response = client.get(reverse("evaluation:import_template", kwargs={"pk": rate_evaluation.pk}))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert next(book["Figures"].iter_rows(values_only=True)) == HEADER
    hints = {row[0]: row[3] for row in book["Metrics"].iter_rows(min_row=2, values_only=True)}
    assert hints[INFECTIONS].startswith("occupied bed days")
    assert hints["staff_satisfaction_pct"].startswith("none")


def test_the_evaluate_command_reads_the_exposure_column(tmp_path):
    path = tmp_path / "infections.csv"
    path.write_bytes(csv_bytes(counts(), HEADER))
    pilots = [a for org, start in STARTS.items() for a in ("--pilot", f"{org}:{start}")]
    out = io.StringIO()
    call_command(
        "evaluate",
        str(path),
        "--metric",
        INFECTIONS,
        *pilots,
        "--json",
        "--permutations",
        "40",
        stdout=out,
    )
    assert json.loads(out.getvalue())["rate_model"]["exposure"] is True
