"""The analyst's command, `clinlead leaderindex score FILE --min-n K --json --covers`, attacked
from outside: on NHS-shaped files every figure of every statistic must pass the auditor, and
every leader with k or more index contributors must get a report covering all of them."""

import random
from pathlib import Path

import pytest

from tests.anonymity_audit.nhs_world import check_nhs_files, respondent, score, write_csv
from tests.anonymity_audit.published import (
    ITEMS,
    audit_output,
    contributions,
    failures,
    leaders_starved,
    response_index,
)

# Files per threshold; each runs the command once (about 0.1 s).
CASES_PER_K = 30


@pytest.mark.parametrize("k", [5, 10])
def test_no_sum_or_difference_of_the_analyst_figures_shows_fewer_than_k_people(k):
    """Leak: a leader report, unit figure or item count, added to or subtracted from others,
    shows the answers of fewer than k staff. Starving: a leader with k answers gets no report."""

    def passes(respondents, report):
        problems = failures(audit_output(report, respondents, k))
        starved = leaders_starved(report, respondents, k)
        assert not problems and not starved, "\n".join([problems, *starved])

    check_nhs_files(k, CASES_PER_K, passes)


# --------------------------------------------------------------------------- red team
MEDICINE, CARDIOLOGY = "Trust A/Medicine", "Trust A/Medicine/Cardiology"
GASTRO, UROLOGY = "Trust A/Medicine/Gastroenterology", "Trust A/Surgery/Urology"


def crossing_leader_survey(folder):
    """Leader L is rated by 5 staff in Cardiology, 5 in Gastroenterology (both Medicine) and 1 in
    Urology (Surgery); M, N and P lead teams of 6 in those departments."""
    rng = random.Random(7)
    people = []
    for unit, leader, n in (
        (CARDIOLOGY, "L", 5),
        (GASTRO, "L", 5),
        (UROLOGY, "L", 1),
        (CARDIOLOGY, "M", 6),
        (GASTRO, "N", 6),
        (UROLOGY, "P", 6),
    ):
        people += [respondent(len(people) + i, unit, leader, rng=rng, skip=0.0) for i in range(n)]
    return people, write_csv(Path(folder) / "crossing.csv", people)


def shown(report):
    out = {}
    for e in report["leaders"]:
        if e.get("index") is not None:
            out[e["leader_id"]] = e
    for e in report["units"]:
        if e.get("index") is not None:
            out[e["unit"]] = e
    return out


def revealed(figures, combination):
    """What an attacker gets from sum(c * n * index) and sum(c * n) over shown figures, or None
    when a figure they need is not shown."""
    if any(name not in figures for name in combination):
        return None
    n = sum(c * figures[name]["n"] for name, c in combination.items())
    total = sum(c * figures[name]["n"] * figures[name]["index"] for name, c in combination.items())
    return n, total


def test_a_crossing_leaders_report_minus_the_division_shows_one_persons_index(tmp_path):
    """Leak (add and subtract across crossing groups): leader L + leaders M and N - the Medicine
    division = the one Urology nurse who rates L, to the decimal."""
    people, path = crossing_leader_survey(tmp_path)
    lone = next(r for r in people if r.unit == UROLOGY and r.leader == "L")
    report = score(path, 5, covers=False)
    got = revealed(shown(report), {"L": 1, "M": 1, "N": 1, MEDICINE: -1})
    leaked = got is not None and got[0] == 1 and abs(got[1] - response_index(lone.answers)) < 0.05
    assert not leaked, (
        f"L + M + N - Medicine = 1 response with index {got[1]:.2f}: the Urology nurse's own"
    )


def test_the_crossing_leader_survey_passes_the_auditor_and_l_keeps_a_whole_report(tmp_path):
    people, path = crossing_leader_survey(tmp_path)
    report = score(path, 5)
    problems = failures(audit_output(report, people, 5))
    starved = leaders_starved(report, people, 5)
    assert not problems and not starved, "\n".join([problems, *starved])


def test_a_leader_with_five_responses_four_of_them_blank_shows_nobodys_answers(tmp_path):
    """Leak (figures from fewer than k answers): 5 responses, 4 left every question blank, so
    the leader's index and every item count would be one person's answers."""
    rng = random.Random(3)
    people = [respondent(0, CARDIOLOGY, "L", rng=rng)]
    people += [respondent(i, CARDIOLOGY, "L", rng=rng, blank=True) for i in range(1, 5)]
    people += [respondent(i, CARDIOLOGY, "M", rng=rng) for i in range(5, 17)]
    report = score(write_csv(tmp_path / "blank.csv", people), 5, covers=False)
    entry = next((e for e in report["leaders"] if e["leader_id"] == "L"), {})
    assert entry.get("index") is None, (
        f"L's index {entry['index']} is one person's ({response_index(people[0].answers)})"
    )
    for item in ITEMS:
        counts = (entry.get("items") or {}).get(item)
        answered = sum(int((counts or {}).get(v) or 0) for v in "12345")
        assert counts is None or answered == 0 or answered >= 5, (
            f"L's {item} shows {counts}: the answer of {answered} person"
        )
    # The same file, read with its covers, passes the auditor for every statistic.
    report = score(write_csv(tmp_path / "blank.csv", people), 5)
    assert not failures(audit_output(report, people, 5))
    assert len(contributions(people, "index")) == 13
