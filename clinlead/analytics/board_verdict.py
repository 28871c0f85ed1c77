"""The board's verdict: one paragraph in plain English from an evaluation's headline results.

A board member reads this before anything else, so it names no statistical term (no
"confidence interval", "p-value", "difference-in-differences", "period"): "we are fairly sure
this is not chance" stands for a 95% randomisation interval that excludes no difference, the
only interval a verdict may come from. It describes what changed alongside the pilot, never
that the pilot brought the change about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["better", "worse", "unclear"]

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(frozen=True)
class Finding:
    """One metric's headline: `change` in `unit` (pilots against comparators), its verdict
    (from the randomisation interval), and whether the pilots were already drifting before."""

    label: str
    unit: str
    change: float | None  # None: no estimate
    verdict: Verdict = "unclear"
    interval: bool = True  # False: too few organisations for any interval
    drifting: bool = False
    already_changing: bool = False  # unclear because the pilots were already moving apart


def short_label(label: str) -> str:
    """The abbreviation a label ends with ("... ratio (HSMR)" -> "HSMR"), else the label in
    lower case unless it starts with one ("Staff burnout" -> "staff burnout")."""
    if match := re.search(r"\(([^)]+)\)\s*$", label):
        return match.group(1)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def count(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def _amount(change: float, unit: str) -> str:
    size = f"{abs(change):.1f}".removesuffix(".0")
    unit = "points" if unit.endswith("points") else unit
    return f"about {size} {unit}"


def _moved(finding: Finding) -> str:
    assert finding.change is not None
    way = "rose" if finding.change > 0 else "fell"
    return f"{short_label(finding.label)} {way} by {_amount(finding.change, finding.unit)}"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def board_verdict(
    *, pilots: int, comparators: int, starts: Sequence[str], findings: Sequence[Finding]
) -> str:
    """The paragraph: when the pilots started, what moved more than at the other trusts and
    how sure we are, what did not, and that this is not proof."""
    when = _join(list(dict.fromkeys(starts))) if starts else "their start"
    sentences = [
        f"{count(pilots).capitalize()} pilot trust{'s' if pilots != 1 else ''} took up the "
        f"model from {when}. We set them against {count(comparators)} trusts that did not."
    ]
    better = [f for f in findings if f.change is not None and f.verdict == "better"]
    worse = [f for f in findings if f.change is not None and f.verdict == "worse"]
    unclear = [f for f in findings if f.change is not None and f.verdict == "unclear"]
    missing = [f for f in findings if f.change is None]
    if better:
        sentences.append(
            f"Since then, at the pilots {_join([_moved(f) for f in better])} more than at "
            "the other trusts. These are changes for the better."
        )
    if worse:
        sentences.append(
            f"Things got worse in one way or more: {_join([_moved(f) for f in worse])} more "
            "than at the other trusts."
        )
    if better or worse:
        sentences.append("We are fairly sure these gaps are not chance.")
    if drifting := [f for f in better + worse if f.drifting]:
        names = _join([short_label(f.label) for f in drifting])
        sentences.append(
            f"But for {names} the pilots were on a different path before they began, "
            "so take care with it."
        )
    changing = [f for f in unclear if f.already_changing]
    unclear = [f for f in unclear if not f.already_changing]
    if unclear:
        no_interval = all(not f.interval for f in unclear)
        why = "there are too few trusts to tell" if no_interval else "the gap may just be chance"
        sentences.append(
            f"For {_join([short_label(f.label) for f in unclear])} we can't say: {why}."
        )
    if changing:
        sentences.append(
            f"For {_join([short_label(f.label) for f in changing])} we can't say"
            f"{' either' if unclear else ''}: the "
            "pilots were already changing before they started, so the gap may have come anyway."
        )
    if missing:
        sentences.append(
            f"We have no result yet for {_join([short_label(f.label) for f in missing])}."
        )
    sentences.append(
        "All of this shows what changed at the same time as the pilot. It is not proof "
        "that the pilot made the change."
    )
    return " ".join(sentences)
