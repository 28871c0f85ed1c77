"""The planning page's power for the test that gives the verdict, by simulation (reads only,
plus the cache).

The formula (analytics.did_power) plans for a cluster-robust t-test the report does not use
for its verdict; with three pilots the randomisation interval reached only 55-75 % power at
the formula's "80 %" effect. So the page also runs the verdict's own procedure on simulated
panels (analytics.power_simulation.simulated_power): drawn from the organisation's own
history of the chosen metric — the figures its evaluations hold from before any pilot
started — when that history has enough organisations and periods for the design, otherwise
from a generic AR(1) panel with the spread and correlation given on the form.

200 simulated evaluations with 99 assignments each take several seconds (measured in the
benchmarks README), too slow for a request: the figure is worked out by a background task
and kept in the cache under a key of the design and the history's own fingerprint, so new
figures for the metric make a new key. With the development task backend the task runs at
once, so there the page shows the figure straight away.
"""

import hashlib
import json

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django_tasks import task

from clinlead.analytics.periods import parse_period
from clinlead.analytics.power_simulation import history_matrix, simulated_power
from clinlead.evaluation.models import Metric, Observation

KEPT_SECONDS = 60 * 60 * 24 * 7
LOCK_SECONDS = 600
SEED = 0


def simulations() -> int:
    return int(getattr(settings, "CLINLEAD_PLANNING_SIMULATIONS", 200))


def history_metrics(*, organisation) -> list:
    """The metrics the organisation's evaluations hold figures for, to plan from."""
    ids = Observation.objects.filter(participant__evaluation__organisation=organisation).values("metric_id")
    return list(Metric.objects.filter(pk__in=ids).order_by("label"))


def own_history(*, organisation, metric) -> pd.DataFrame:
    """organisation, period, value: each evaluation's figures for ``metric`` from before its
    first pilot started (no programme in them), in the metric's most common granularity; an
    organisation in several evaluations keeps its first figure for a period."""
    rows = list(Observation.objects.filter(
        participant__evaluation__organisation=organisation, metric=metric,
    ).values_list("participant__evaluation_id", "participant__name", "period", "granularity", "ordinal", "value"))
    frame = pd.DataFrame(rows, columns=["evaluation", "organisation", "period", "granularity", "ordinal", "value"])
    if frame.empty:
        return frame[["organisation", "period", "value"]]
    granularity = frame["granularity"].mode().iloc[0]
    frame = frame[frame["granularity"] == granularity]
    from clinlead.evaluation.models import EvaluationOrganisation

    first_start = {}
    for pilot in EvaluationOrganisation.objects.filter(evaluation_id__in=frame["evaluation"].unique(),
                                                       role=EvaluationOrganisation.Role.PILOT):
        ordinal = parse_period(text=pilot.start_in(granularity)).ordinal
        first_start[pilot.evaluation_id] = min(ordinal, first_start.get(pilot.evaluation_id, ordinal))
    before = frame["ordinal"] < frame["evaluation"].map(first_start).fillna(float("inf"))
    frame = frame[before].sort_values(["evaluation", "organisation", "ordinal"])
    frame = frame.drop_duplicates(["organisation", "period"])
    return frame[["organisation", "period", "value"]].reset_index(drop=True).assign(
        granularity=granularity)


def history_shape(history: pd.DataFrame) -> tuple[int, int]:
    """(organisations observed in every period kept, periods): what the simulation can draw."""
    if history.empty:
        return 0, 0
    matrix = history_matrix(history=history[["organisation", "period", "value"]])
    return int(matrix.shape[0]), int(matrix.shape[1]) if matrix.shape[0] else 0


def plan_power_inputs(*, design, target_effect, organisation, metric) -> dict:
    """What the simulation needs (JSON-able), with where its panels come from and why."""
    n_pilots, n_comparators = design.n_pilots, design.n_comparators
    periods = design.periods_before + design.periods_after
    inputs = {"effect": float(target_effect if target_effect is not None else design.mde),
              "n_pilots": n_pilots, "n_comparators": n_comparators, "periods": periods,
              "start_offsets": [design.periods_before], "sd": design.sd,
              "serial_correlation": design.serial_correlation, "simulations": simulations(),
              "permutations": 99, "seed": SEED, "history": None, "source": "generic", "why_generic": ""}
    if metric is None:
        inputs["why_generic"] = "no metric with figures was chosen"
        return inputs
    history = own_history(organisation=organisation, metric=metric)
    units, length = history_shape(history)
    unit = f"{history['granularity'].iloc[0]}s" if len(history) else "periods"
    inputs |= {"history_units": units, "history_periods": length, "history_unit": unit,
               "metric": metric.label}
    if units >= n_pilots + n_comparators and length >= periods:
        records = history[["organisation", "period", "value"]].to_dict(orient="records")
        inputs |= {"history": records, "source": "history"}
    else:
        inputs["why_generic"] = (
            f"your own history of {metric.label} has {units} organisations with figures in all of "
            f"{length} {unit} before any pilot; this design needs {n_pilots + n_comparators} "
            f"organisations over {periods}")
    return inputs


def _key(inputs: dict) -> str:
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
    return f"planning-power:{digest}"


def compute(inputs: dict) -> dict:
    """The simulation for these inputs (the task's work, and what a test compares with)."""
    history = pd.DataFrame(inputs["history"]) if inputs["history"] else None
    try:
        found = simulated_power(
            effect=inputs["effect"], n_pilots=inputs["n_pilots"], n_comparators=inputs["n_comparators"],
            periods=inputs["periods"], start_offsets=inputs["start_offsets"], history=history,
            sd=None if history is not None else inputs["sd"],
            serial_correlation=inputs["serial_correlation"], simulations=inputs["simulations"],
            permutations=inputs["permutations"], seed=inputs["seed"],
        ).to_dict()
    except ValueError as exc:
        return {"error": str(exc)}
    return found


@task()
def simulate_plan_power(*, key: str, inputs: dict):
    try:
        cache.set(key, compute(inputs), KEPT_SECONDS)
    finally:
        cache.delete(key + ":running")


def power_for_page(*, inputs: dict) -> dict | None:
    """The kept figure for these inputs, or None after queuing its simulation."""
    key = _key(inputs)
    found = cache.get(key)
    if found is None and cache.add(key + ":running", True, LOCK_SECONDS):
        simulate_plan_power.enqueue(key=key, inputs=inputs)
        found = cache.get(key)  # the development backend has just worked it out
    return found
