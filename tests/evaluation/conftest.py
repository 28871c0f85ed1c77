"""Evaluation fixtures: a small world of two Clinlead trusts with a talent admin and an executive
(no demo needed), simulated figures with a known effect, and helpers to write them as files."""

import copy
import csv
import hashlib
import io
import json

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from clinlead.accounts.models import Role
from clinlead.analytics.periods import parse_period
from clinlead.evaluation import analysis, charts, services
from clinlead.evaluation.catalogue import ensure_catalogue
from clinlead.evaluation.management.commands import evaluate as evaluate_command
from clinlead.evaluation.models import Metric
from tests.factories import OrganisationFactory, UserFactory

EFFECT = 2.0
STARTS = {"Pilot One": "2024-01", "Pilot Two": "2024-01", "Pilot Three": "2024-04"}
COMPARATORS = [f"Comparator {i}" for i in range(1, 9)]


def simulate(*, seed=7, effect=EFFECT, metric="staff_satisfaction_pct", months=24, starts=STARTS):
    """Organisation and period effects, AR(1) noise and `effect` from each pilot's start."""
    rng = np.random.default_rng(seed)
    first = parse_period(text="2023-01")
    periods = [first.shifted(steps=t) for t in range(months)]
    national = rng.normal(0, 1.5, months)
    rows = []
    for organisation in [*starts, *COMPARATORS]:
        level, noise = rng.normal(60, 5), 0.0
        start = parse_period(text=starts[organisation]) if organisation in starts else None
        for t, period in enumerate(periods):
            noise = 0.5 * noise + rng.normal(0, 0.4)
            treated = start and period.ordinal >= start.ordinal
            value = level + national[t] + noise + (effect if treated else 0)
            rows.append({"organisation": organisation, "period": period.label, "metric": metric,
                         "value": round(float(value), 6)})
    return rows


def csv_bytes(rows, header=("organisation", "period", "metric", "value")):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row[h] for h in header] if isinstance(row, dict) else row)
    return out.getvalue().encode()


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["organisation", "period", "metric", "value"])
    for row in rows:
        sheet.append([row["organisation"], row["period"], row["metric"], row["value"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def few_planning_simulations(settings):
    """The planning page simulates 200 evaluations (20 s of CPU) in production; a dozen checks
    the same code in a test's time."""
    settings.CLINLEAD_PLANNING_SIMULATIONS = 12


_ANALYSED = {}


def _key(name, kwargs):
    def plain(value):
        if isinstance(value, pd.DataFrame):
            rows = pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
            digest = hashlib.sha256(rows).hexdigest()
            return [list(value.columns), [str(t) for t in value.dtypes], digest]
        return value
    text = json.dumps({k: plain(v) for k, v in kwargs.items()}, sort_keys=True, default=repr)
    return name, hashlib.sha256(text.encode()).hexdigest()


def _once(name, function):
    def run(**kwargs):
        key = _key(name, kwargs)
        if key not in _ANALYSED:
            _ANALYSED[key] = function(**kwargs)
        return copy.deepcopy(_ANALYSED[key])  # callers add caveats to what they get
    return run


@pytest.fixture(autouse=True)
def each_analysis_once(monkeypatch):
    """The analytics core is seeded, so the same figures under the same design give the same
    result: many tests here import simulate()'s figures into the same design (18 runs of a
    second of CPU each, and their charts) or run `clinlead evaluate` on the same file, and each
    distinct analysis and chart is now made once per process. What is stored and shown from
    them is still done by every test; a test that refuses computing
    (test_results_are_computed_when_data_changes.py) patches over this."""
    for module in (analysis, evaluate_command):
        for name in ("evaluate", "robustness"):
            monkeypatch.setattr(module, name, _once(name, getattr(module, name)))
    for name in ("_trend", "_event"):
        monkeypatch.setattr(charts, name, _drawn_once(name, getattr(charts, name)))


def _drawn_once(name, draw):
    """A chart drawn once per metric and fingerprint, as the app's cache keeps it
    (charts._cached), which tests/conftest.py empties before every test."""
    def run(record, *args):
        if not record.fingerprint:  # nothing to tell one record's figures from another's
            return draw(record, *args)
        metric = record.metric
        key = (name, metric.name, metric.label, metric.unit, record.fingerprint, repr(args))
        if key not in _ANALYSED:
            _ANALYSED[key] = draw(record, *args)
        return _ANALYSED[key]
    return run


@pytest.fixture
def small_world(db):
    """Two Clinlead trusts; Tess is talent admin and Eve executive of the first; Olly is a
    talent admin of the second, which takes part in nothing yet."""
    ensure_catalogue()
    first = OrganisationFactory(name="Pilot One", slug="pilot-one")
    other = OrganisationFactory(name="Elsewhere Trust", slug="elsewhere")
    people = {
        username: UserFactory(username=username, roles=[(role, org)])
        for username, role, org in (
            ("tess", Role.TALENT_ADMIN, first),
            ("eve", Role.EXECUTIVE, first),
            ("olly", Role.TALENT_ADMIN, other),
        )
    }
    return {"organisation": first, "other": other, **people}


def participants(organisation=None, starts=STARTS):
    """The simulated design; "Pilot One" is the Clinlead organisation given, if any."""
    def clinlead_organisation(name):
        return organisation if organisation and name == organisation.name else None

    pilots = [services.Participant(name=name, role="pilot", start=start,
                                   organisation=clinlead_organisation(name))
              for name, start in starts.items()]
    return pilots + [services.Participant(name=name, role="comparator") for name in COMPARATORS]


@pytest.fixture
def evaluation(small_world):
    """An evaluation of Pilot One's, following staff satisfaction and turnover; no figures yet."""
    return services.create_evaluation(
        actor=small_world["tess"], organisation=small_world["organisation"], name="Simulated pilot",
        metrics=list(Metric.objects.filter(name__in=["staff_satisfaction_pct", "turnover_pct"])),
        participants=participants(small_world["organisation"]))
