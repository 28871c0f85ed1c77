"""Evaluation fixtures: a small world of two Clinlead trusts with a talent admin and an executive
(no demo needed), simulated figures with a known effect, and helpers to write them as files."""

import csv
import io

import numpy as np
import pytest
from openpyxl import Workbook

from clinlead.accounts.models import Role
from clinlead.analytics.periods import parse_period
from clinlead.evaluation import services
from clinlead.evaluation.catalogue import ensure_catalogue
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
