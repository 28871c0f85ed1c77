"""Leaks across statistics: a report's index, question counts, behaviour scores and wellbeing
rates solved together (cross_statistic.py), on NHS-shaped files from the analyst command and on
the red-team cases of issue 11."""

import random

import pytest

from tests.anonymity_audit.cross_statistic import isolated, published_method
from tests.anonymity_audit.nhs_world import check_nhs_files, respondent, score, write_csv
from tests.anonymity_audit.published import BEHAVIOURS, ITEMS, Respondent

CASES_PER_K = 20
WARD = "Trust A/Medicine/Ward 7"


@pytest.mark.parametrize("k", [5, 10])
def test_no_combination_of_statistics_depends_on_fewer_than_k_peoples_answers(k):
    def no_isolation(respondents, report):
        found = isolated(report, respondents, k)
        assert not found, "\n".join(why for _, why in found[:5])

    check_nhs_files(k, CASES_PER_K, no_isolation)


def _team(rng, n, leader="L", unit=WARD, start=0):
    return [respondent(start + i, unit, leader, rng=rng) for i in range(n)]


def _with_answers(r, **changes):
    answers = list(r.answers)
    for item, value in changes.items():
        answers[ITEMS.index(item)] = value
    return Respondent(r.id, r.unit, r.leader, tuple(answers), r.burnout, r.satisfaction, r.cycle)


def _totals(entry):
    return {
        item: sum(int(v) * int(c) for v, c in counts.items())
        for item, counts in (entry["items"] or {}).items()
        if counts is not None
    }


def test_a_reports_index_minus_its_question_counts_does_not_give_a_lone_skippers_total(tmp_path):
    """Leak (issue 11, across statistics): 8 staff rate L; one skipped q7. With every question's
    distribution shown, n x index - sum of the question totals = (1/11) x the skipper's total
    when a skipped question is imputed from the person's own answers."""
    rng = random.Random(11)
    people = _team(rng, 8)
    people = [_with_answers(r, **{q: 4 for q in ITEMS}) if r.id else r for r in people]
    people[0] = _with_answers(people[0], q7=None, q1=1, q2=1, q3=2)
    skipper_total = sum(a for a in people[0].answers if a is not None)
    report = score(write_csv(tmp_path / "skip.csv", people), 5, covers=False)
    entry = next(e for e in report["leaders"] if e["leader_id"] == "L")
    totals = _totals(entry)
    assert len(totals) >= 11, "the report should still show the questions that 8 answered"
    rest = entry["n"] * entry["index"] - sum(totals.values())
    # What the rest reveals under the instrument's imputation: the skipper's own mean.
    assert abs(rest - skipper_total / 11) > 0.05 or totals.get("q7") is None, (
        f"n x index - question totals = {rest:.3f} = the skipper's total {skipper_total} / 11"
    )
    assert not isolated(score(write_csv(tmp_path / "skip.csv", people), 5), people, 5)


def test_a_behaviour_score_minus_its_shown_questions_does_not_give_a_lone_answer(tmp_path):
    """Leak (across statistics): 6 staff rate L; five skipped q7 ("career conversation"), one
    answered it. q7 is hidden, q8 and q9 are shown, and "develop" pools q7-q9: develop x
    answers - q8 total - q9 total = the one person's q7 answer, unless their answer counts
    nowhere."""
    rng = random.Random(5)
    people = _team(rng, 6)
    people = [_with_answers(r, q7=None) if r.id else _with_answers(r, q7=1) for r in people]
    report = score(write_csv(tmp_path / "develop.csv", people), 5, covers=False)
    entry = next(e for e in report["leaders"] if e["leader_id"] == "L")
    develop = (entry["behaviours"] or {}).get("develop")
    totals = _totals(entry)
    assert (entry["items"] or {}).get("q7") is None
    if develop is not None and "q8" in totals and "q9" in totals:
        answers = 6 + 6 + 1
        lone = develop * answers - totals["q8"] - totals["q9"]
        assert abs(lone - 1) > 0.05, f"develop x 13 - q8 - q9 = {lone:.2f}: the lone q7 answer"
    assert not isolated(score(write_csv(tmp_path / "develop.csv", people), 5), people, 5)


def test_the_attack_finds_the_lone_skipper_when_the_index_imputes_from_own_answers(tmp_path):
    """The attacker itself: under the instrument's imputation the skipper is isolated (so a
    passing attack means something), and the published method is recognised."""
    rng = random.Random(11)
    people = _team(rng, 8)
    people[0] = _with_answers(people[0], q7=None)
    report = score(write_csv(tmp_path / "skip.csv", people), 5)
    method, complaints = published_method(report, people, 5, "2025")
    assert method is not None and not complaints
    # The same figures, with the index rewritten as the instrument defines it per person:
    entry = next(e for e in report["leaders"] if e["leader_id"] == "L")
    own = [sum(a for a in r.answers if a) * 12 / sum(1 for a in r.answers if a) for r in people]
    entry["index"] = sum(own) / len(own)
    for unit in report["units"]:
        if unit["index"] is not None:
            unit["index"] = entry["index"]
    found = isolated(report, people, 5)
    assert any(group == {people[0].id} for group, _ in found), found


def test_every_behaviour_is_attacked_with_its_own_questions():
    assert sorted(q for qs in BEHAVIOURS.values() for q in qs) == sorted(ITEMS)
