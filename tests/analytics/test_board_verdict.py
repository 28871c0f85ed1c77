"""The board's verdict paragraph reads easily (Flesch reading ease at least 50) and names no
statistical term, whatever the results."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinlead.analytics.board_verdict import Finding, board_verdict, short_label
from clinlead.analytics.metric_catalogue import METRICS

STATISTICAL_TERMS = [
    "confidence interval", "interval", "p-value", "p =", "p-values", "cr1", "cluster", "difference-in-differences",
    "difference in differences", "pretrend", "pre-trend", "pretrend_p_f", "period(s)", "period", "randomisation",
    "significant", "estimate", "estimator", "imputation", "regression", "fixed effects", "standard error",
    "95%", "null", "hypothesis", "statistic", "parallel trends", "coefficient", "variance",
]


def syllables(word):
    """Vowel groups, less a silent final e; at least one (a number reads as one word)."""
    word = word.lower()
    groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(groups, 1)


def flesch_reading_ease(text):
    sentences = max(len(re.findall(r"[.!?]+(\s|$)", text)), 1)
    words = re.findall(r"[A-Za-z0-9'.,-]*[A-Za-z0-9]", text)
    total = sum(syllables(w) for w in words)
    return 206.835 - 1.015 * len(words) / sentences - 84.6 * total / len(words)


def named_terms(text):
    lowered = text.lower()
    return [term for term in STATISTICAL_TERMS if re.search(rf"(?<![a-z]){re.escape(term)}(?![a-z])", lowered)]


DEMO = [
    Finding(label=METRICS["hsmr"].label, unit="index points", change=-4.25, verdict="better"),
    Finding(label="Hospital-acquired infections", unit="per 10,000 bed days", change=-0.32),
    Finding(label="Operating margin", unit="percentage points", change=0.64),
    Finding(label="Positive patient experience", unit="percentage points", change=1.21, verdict="better"),
    Finding(label="Sickness absence", unit="percentage points", change=-0.34, verdict="better"),
    Finding(label="Staff burnout", unit="percentage points", change=-1.98, verdict="better"),
    Finding(label="Staff satisfaction", unit="percentage points", change=2.15, verdict="better"),
    Finding(label="Staff turnover", unit="percentage points", change=-0.61, verdict="better"),
    Finding(label="Mean leader index", unit="index points", change=None),
]


def test_the_syllable_counter_and_the_formula_agree_with_hand_counts():
    assert [syllables(w) for w in ("the", "trust", "burnout", "people", "hospital", "7")] == [1, 1, 2, 2, 3, 1]
    assert flesch_reading_ease("The cat sat on the mat.") > 100
    assert flesch_reading_ease("Organisational heterogeneity necessitates methodological considerations.") < 0


def test_the_demo_verdict_is_plain_english_without_statistical_terms():
    text = board_verdict(pilots=3, comparators=8, starts=["July 2024", "October 2024"], findings=DEMO)
    assert text.startswith("Three pilot trusts took up the model from July 2024 and October 2024.")
    assert "staff burnout fell by about 2 points" in text
    assert "HSMR fell by about 4.2 points" in text
    assert "We are fairly sure these gaps are not chance." in text
    assert "We have no result yet for mean leader index." in text
    assert flesch_reading_ease(text) >= 50, (flesch_reading_ease(text), text)
    assert named_terms(text) == []


def test_the_terms_check_catches_jargon():
    assert named_terms("The 95% confidence interval excludes zero (pretrend_p_f 0.2, 6 period(s)).")


def test_a_verdict_rests_on_the_interval_and_unclear_findings_say_so():
    text = board_verdict(pilots=3, comparators=8, starts=["July 2024"],
                         findings=[Finding(label="Staff burnout", unit="percentage points", change=-1.0)])
    assert "fairly sure" not in text
    assert "For staff burnout we can't say: the gap may just be chance." in text
    few = board_verdict(pilots=1, comparators=2, starts=["July 2024"], findings=[
        Finding(label="Staff burnout", unit="percentage points", change=-1.0, interval=False)])
    assert "there are too few trusts to tell" in few and "One pilot trust took" in few


def test_worse_and_drifting_findings_are_named():
    text = board_verdict(pilots=3, comparators=8, starts=["July 2024"], findings=[
        Finding(label="Staff turnover", unit="percentage points", change=1.5, verdict="worse", drifting=True)])
    assert "Things got worse in one way or more: staff turnover rose by about 1.5 points" in text
    assert "But for staff turnover the pilots were on a different path before they began" in text


def test_a_finding_unclear_because_the_pilots_were_already_changing_says_so_in_plain_words():
    text = board_verdict(pilots=3, comparators=60, starts=["July 2024"], findings=[
        Finding(label="Staff burnout", unit="percentage points", change=-2.0, already_changing=True),
        Finding(label="Staff turnover", unit="percentage points", change=0.3)])
    assert ("For staff burnout we can't say either: the pilots were already changing before they "
            "started, so the gap may have come anyway.") in text
    assert "For staff turnover we can't say: the gap may just be chance." in text
    assert "fairly sure" not in text
    assert named_terms(text) == [] and flesch_reading_ease(text) >= 50, text


def test_short_labels_use_the_abbreviation_or_lower_case():
    assert short_label("Hospital standardised mortality ratio (HSMR)") == "HSMR"
    assert short_label("Staff burnout") == "staff burnout"
    assert short_label("NHS staff survey") == "NHS staff survey"


catalogue = sorted(METRICS.values(), key=lambda m: m.name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pilots=st.integers(1, 30), comparators=st.integers(1, 60),
    findings=st.lists(st.builds(
        Finding,
        label=st.sampled_from([m.label for m in catalogue] + ["Mean leader index"]),
        unit=st.sampled_from([m.unit for m in catalogue]),
        change=st.one_of(st.none(), st.floats(-50, 50).filter(lambda x: abs(x) > 1e-6)),
        verdict=st.sampled_from(["better", "worse", "unclear"]),
        interval=st.booleans(), drifting=st.booleans(), already_changing=st.booleans()),
        min_size=1, max_size=9),
)
def test_any_verdict_is_readable_and_free_of_jargon(pilots, comparators, findings):
    text = board_verdict(pilots=pilots, comparators=comparators, starts=["July 2024", "October 2025"],
                         findings=findings)
    assert named_terms(text) == []
    assert flesch_reading_ease(text) >= 50, text
