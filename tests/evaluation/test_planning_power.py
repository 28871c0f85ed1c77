"""The planning page gives the power of the test that gives the verdict, by simulation from the
organisation's own history when it has one, and no longer shows the formula's power as the
verdict's."""

import pandas as pd
import pytest
from django.urls import reverse

from clinlead.analytics.did_power import minimum_detectable_effect
from clinlead.analytics.power_simulation import simulated_power
from clinlead.evaluation import planning, services
from clinlead.evaluation.models import Metric
from tests.evaluation.conftest import csv_bytes, simulate

DESIGN = {
    "n_pilots": 2,
    "n_comparators": 5,
    "periods_before": 6,
    "periods_after": 6,
    "sd": 1.0,
    "serial_correlation": 0.4,
    "correlation": "ar1",
    "alpha": 0.05,
    "power": 0.8,
}


@pytest.fixture
def as_user(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def with_figures(evaluation, small_world):
    # 24 months; the first pilots start in 2024-01, so 12 months of history before any pilot.
    services.import_observations(
        actor=small_world["tess"],
        evaluation=evaluation,
        content=csv_bytes(simulate()),
        filename="figures.csv",
    )
    return evaluation


def _page(client, **extra):
    url = reverse("evaluation:plan", kwargs={"slug": "pilot-one"})
    return client.get(url, DESIGN | extra).content.decode()


def _verdict_power(content):
    return content[content.index('id="verdict-power"') : content.index('id="verdict-power-source"')]


def _percent(value):
    return f"{round(100 * value)}%"


def test_the_page_shows_the_simulated_power_from_the_organisations_own_history(
    with_figures, small_world, as_user
):
    metric = Metric.objects.get(name="staff_satisfaction_pct")
    content = _page(as_user(small_world["eve"]), metric=str(metric.pk), target_effect=2.0)
    history = planning.own_history(organisation=small_world["organisation"], metric=metric)
    # 11 organisations with every one of the 12 months before the first pilot's start.
    assert "from your own history: 11 trusts × 12 months" in content.replace(
        "Simulated from", "from"
    )
    expected = simulated_power(
        effect=2.0,
        n_pilots=2,
        n_comparators=5,
        periods=12,
        start_offsets=[6],
        history=history[["organisation", "period", "value"]],
        simulations=12,
        permutations=99,
        seed=planning.SEED,
    )
    assert f"by simulation: {_percent(expected.power)}</strong>" in content
    assert history["period"].max() < "2024-01"  # nothing from after a pilot started


def test_without_history_the_page_says_it_simulates_a_generic_panel(small_world, as_user):
    content = _page(as_user(small_world["eve"]))
    mde = minimum_detectable_effect(**DESIGN).mde
    expected = simulated_power(
        effect=mde,
        n_pilots=2,
        n_comparators=5,
        periods=12,
        start_offsets=[6],
        sd=1.0,
        serial_correlation=0.4,
        simulations=12,
        permutations=99,
        seed=planning.SEED,
    )
    assert "Simulated from a generic panel" in content
    assert f"by simulation: {_percent(expected.power)}</strong>" in content


def test_the_formulas_80_percent_is_not_shown_as_the_verdicts_power(small_world, as_user):
    content = _page(as_user(small_world["eve"]))
    assert "80% of the time" not in content
    assert "not for the randomisation test that gives the report's verdict" in content


def test_a_history_too_short_for_the_design_falls_back_and_says_why(
    with_figures, small_world, as_user
):
    metric = Metric.objects.get(name="staff_satisfaction_pct")
    content = _page(as_user(small_world["eve"]), metric=str(metric.pk), periods_before=12)
    assert (
        "generic panel" in content
        and "11 organisations with figures in all of 12 months" in content
    )


def test_the_simulation_is_kept_and_not_run_again_for_the_same_design(
    small_world, as_user, monkeypatch
):
    client = as_user(small_world["eve"])
    first = _page(client)
    calls = []
    monkeypatch.setattr(planning, "compute", lambda inputs: calls.append(inputs) or {})
    assert _verdict_power(_page(client)) == _verdict_power(first) and calls == []
    assert "by simulation:" in _verdict_power(first)


def test_own_history_is_empty_frame_without_figures(evaluation, small_world):
    metric = Metric.objects.get(name="staff_satisfaction_pct")
    assert planning.own_history(organisation=small_world["organisation"], metric=metric).empty
    assert isinstance(
        planning.own_history(organisation=small_world["organisation"], metric=metric), pd.DataFrame
    )
