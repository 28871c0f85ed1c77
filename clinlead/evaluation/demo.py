"""Demo evaluation: "Leadership model pilot" — the three demo trusts against eight others.

The figures are made up by `clinlead.analytics.evaluation_demo` (seeded; trends parallel by
construction, a modest effect building up after each pilot's start). The generator's three
fictional pilots are given the demo trusts' names; the eight comparison trusts are fictional
and do not use Clinlead. The leader index comes from the demo trusts' published cycles.

The analysis takes seconds, so its results are precomputed in `demo_results.json`, keyed by
the fingerprint of the design and data they came from; a result whose fingerprint does not
match is computed afresh. Its two charts (a fifth of a second each) are shipped beside it, under
`charts.drawing_key`; a chart whose key does not match is drawn. After changing the generator,
the analysis or the charts, rewrite the file:
`python3 -c "from clinlead.evaluation.demo import write_precomputed_results as w; w()"`.
"""

import csv
import io
import json
from pathlib import Path

import pandas as pd

from clinlead.analytics.evaluation_demo import PILOT_NAMES, generate_demo_series
from clinlead.analytics.metric_series import metric_series_from_records
from clinlead.evaluation import charts, preregistration
from clinlead.evaluation.analysis import analyse_frame, design
from clinlead.evaluation.catalogue import builtin_metrics, ensure_catalogue
from clinlead.evaluation.models import (
    LEADER_INDEX,
    Evaluation,
    EvaluationOrganisation,
    Metric,
    MetricResult,
)
from clinlead.evaluation.services import Participant, create_evaluation, import_observations
from clinlead.org import demo_data as D

DEMO_NAME = "Leadership model pilot"
QUESTION = (
    "Three trusts adopted the leadership model: dyads, the leadership pipeline, staff choosing their "
    "leaders, rotation and the leader index. Did quality of care, patients' experience, the operating "
    "margin and staff wellbeing change there, compared with trusts that did not adopt it?"
)
SEED, FIRST_MONTH, MONTHS, COMPARATORS = 2025, "2023-01", 36, 8
PILOT_TRUSTS = dict(zip(PILOT_NAMES, ("northgate", "riverside", "st-aidans"), strict=True))
RESULTS_FILE = Path(__file__).with_name("demo_results.json")


def demo_series():
    """(rows, pilots {name: start}, comparator names, metric names) with the trusts' names."""
    series = generate_demo_series(seed=SEED, first_month=FIRST_MONTH, months=MONTHS, n_comparators=COMPARATORS)
    names = {fictional: _trust_name(slug) for fictional, slug in PILOT_TRUSTS.items()}
    rows = [row | {"organisation": names.get(row["organisation"], row["organisation"])} for row in series.rows]
    pilots = {names[name]: start for name, start in series.pilots.items()}
    return rows, pilots, list(series.comparators), list(series.effects)


def _trust_name(slug):
    return next(name for s, name, _ in D.TRUSTS if s == slug)


def add_demo_data(*, world, generator):
    ensure_catalogue()
    rows, pilots, comparators, metric_names = demo_series()
    by_name = {_trust_name(slug): world.organisations[slug] for slug in PILOT_TRUSTS.values()}
    participants = [Participant(name=name, role="pilot", start=start, organisation=by_name[name])
                    for name, start in pilots.items()]
    participants += [Participant(name=name, role="comparator") for name in comparators]
    metrics = list(Metric.objects.filter(name__in=[*metric_names, LEADER_INDEX]))
    evaluation = create_evaluation(actor=None, organisation=world.organisations["northgate"], name=DEMO_NAME,
                                   question=QUESTION, metrics=metrics, participants=participants)
    _preregister(evaluation)
    # The figures arrive as an uploaded file would, through the same checks; results are drawn
    # there, so the first view of the report only reads.
    import_observations(actor=None, evaluation=evaluation, content=_as_csv(rows), filename="demo.csv",
                        precomputed=_precomputed(), drawn=_drawn())
    return evaluation


def _as_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["organisation", "period", "metric", "value"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _preregister(evaluation):
    """The demo's primary outcome (HSMR), named and locked before any figure, as it should be."""
    preregistration.register_primary_outcome(
        actor=None, evaluation=evaluation, metric=Metric.objects.get(name="hsmr"),
        rationale="Mortality is what the board asked the model to improve; the rest are secondary.")
    preregistration.lock_primary_outcome(actor=None, evaluation=evaluation)


def _precomputed():
    """{fingerprint: result} shipped in `demo_results.json`; a metric whose design or data no
    longer matches its fingerprint is simply computed."""
    if not RESULTS_FILE.exists():
        return {}
    stored = json.loads(RESULTS_FILE.read_text(encoding="utf-8"))
    return {entry["fingerprint"]: entry["result"] for entry in stored.values()}


def _drawn():
    """{drawing key: (trend SVG, event SVG)} shipped in `demo_results.json`; a chart whose code,
    result or data changed since has another key, so it is drawn afresh."""
    if not RESULTS_FILE.exists():
        return {}
    stored = json.loads(RESULTS_FILE.read_text(encoding="utf-8"))
    return {entry["charts"]["key"]: (entry["charts"]["trend_svg"], entry["charts"]["event_svg"])
            for entry in stored.values() if "charts" in entry}


def precompute_results() -> dict:
    """{metric: {"fingerprint", "result", "charts"}} for the demo design and data, without a
    database; "charts" holds the two charts drawn from it and their `charts.drawing_key`."""
    rows, pilots, comparators, metric_names = demo_series()
    evaluation = Evaluation(leads=6, lags=12, permutations=499)
    participants = [EvaluationOrganisation(name=name, role="pilot", start=start) for name, start in pilots.items()]
    participants += [EvaluationOrganisation(name=name, role="comparator") for name in comparators]
    plan = design(evaluation=evaluation, participants=participants)
    observations = metric_series_from_records(records=rows, source="demo").observations
    labels = {info.name: info for info in builtin_metrics()}
    out = {}
    for name in metric_names:
        chosen = [o for o in observations if o.metric == name]
        frame = pd.DataFrame({
            "organisation": [o.organisation for o in chosen], "period": [o.period.label for o in chosen],
            "granularity": [o.period.granularity for o in chosen], "ordinal": [o.period.ordinal for o in chosen],
            "value": [o.value for o in chosen]})
        metric = Metric(name=name, label=labels[name].label, unit=labels[name].unit)
        analysis = analyse_frame(frame=frame, participants=participants, metric=metric, plan=plan)
        if analysis.status == MetricResult.Status.ESTIMATED:
            # Drawn from the result as the demo reads it back from the file.
            record = MetricResult(metric=metric, result=json.loads(json.dumps(analysis.result)),
                                  trends=analysis.trends, fingerprint=analysis.fingerprint)
            trend, event = charts.drawn(record, starts=list(pilots.values()))
            out[name] = {"fingerprint": analysis.fingerprint, "result": analysis.result, "charts": {
                "key": charts.drawing_key(record, starts=list(pilots.values())),
                "trend_svg": trend, "event_svg": event}}
    return out


def write_precomputed_results(path=RESULTS_FILE):
    path.write_text(json.dumps(precompute_results(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
