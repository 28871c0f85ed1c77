"""NHS-shaped survey files for the auditor, and the analyst command run on them.

A trust has divisions, departments and teams. Team members rate their team lead; team leads sit
in their department and rate its head, with staff who sit directly in the department; heads of
department sit in their division and rate its director. Some team leads cross: their reports span
two teams, or a team and the department itself. Some people skip items (or everything); some
staff on the HR list never answer (leavers, the absent), so they are in no file.
"""

from __future__ import annotations

import csv
import io
import json
import random
import tempfile
from pathlib import Path

from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.anonymity_audit.published import ITEMS, Respondent

TRUST = "Trust A"
HEADER = ["cycle", "leader_id", "unit", "profession", *ITEMS, "burnout", "satisfaction"]


def respondent(rid, unit, leader, *, rng, skip=0.0, blank=False, cycle="2025", quality=3.6):
    if blank:
        answers = (None,) * len(ITEMS)
    else:
        answers = tuple(
            None if rng.random() < skip else min(5, max(1, round(rng.gauss(quality, 0.9))))
            for _ in ITEMS
        )
    burnout = None if rng.random() < skip else rng.randint(1, 5)
    satisfaction = None if rng.random() < skip else rng.randint(1, 5)
    return Respondent(
        id=rid,
        unit=unit,
        leader=leader,
        answers=answers,
        burnout=burnout,
        satisfaction=satisfaction,
        cycle=cycle,
    )


@st.composite
def nhs_surveys(draw):
    """A list of Respondents of one cycle, shaped like an NHS trust."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    skip = draw(st.sampled_from([0.0, 0.04, 0.15, 0.35]))
    answering = draw(st.sampled_from([1.0, 0.8, 0.6]))  # the rest are leavers or did not answer
    people = []

    def staff(unit, leader, how_many):
        for _ in range(how_many):
            if rng.random() <= answering:
                people.append(
                    respondent(
                        len(people), unit, leader, rng=rng, skip=skip, blank=rng.random() < skip / 4
                    )
                )

    size = st.integers(0, 13)
    for d in range(draw(st.integers(1, 3))):
        division = f"{TRUST}/Division {d}"
        director = f"D{d}"
        staff(division, director, draw(st.integers(0, 4)))
        departments = [f"{division}/Department {e}" for e in range(draw(st.integers(1, 3)))]
        for e, department in enumerate(departments):
            head = f"H{d}.{e}"
            staff(division, director, 1)  # the head of department rates the director
            staff(department, head, draw(st.integers(0, 8)))
            teams = [f"{department}/Team {t}" for t in range(draw(st.integers(0, 3)))]
            for t, team in enumerate(teams):
                lead = f"T{d}.{e}.{t}"
                staff(department, head, 1)  # the team lead sits in the department
                staff(team, lead, draw(size))
                crossing = draw(st.sampled_from(["none", "none", "other team", "department"]))
                if crossing == "other team" and len(teams) > 1:
                    staff(teams[(t + 1) % len(teams)], lead, draw(st.integers(1, 6)))
                elif crossing == "department":
                    staff(department, lead, draw(st.integers(1, 6)))
    return people


def write_csv(path, respondents, profession="Nurse"):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for r in respondents:
            out.writerow(
                [
                    r.cycle or "2025",
                    r.leader,
                    r.unit,
                    profession,
                    *["" if a is None else a for a in r.answers],
                    "" if r.burnout is None else r.burnout,
                    "" if r.satisfaction is None else r.satisfaction,
                ]
            )
    return path


def score(path, k, *, covers=True):
    """`clinlead leaderindex score FILE --min-n K --json [--covers]`, run in-process, as JSON."""
    out = io.StringIO()
    args = ["leaderindex", "score", str(path), "--min-n", str(k), "--json"]
    if covers:
        args.append("--covers")
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def check_nhs_files(k, cases, check):
    """Run `check(respondents, report)` on `cases` generated NHS-shaped files (the same ones
    every run), each scored by the analyst command at threshold k with its covers."""

    @settings(
        max_examples=cases,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(nhs_surveys())
    def run(respondents):
        if not respondents:
            return
        with tempfile.TemporaryDirectory() as folder:
            report = score(write_csv(Path(folder) / "survey.csv", respondents), k)
        check(respondents, report)

    run()
