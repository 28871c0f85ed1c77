"""An auditor of Clinlead's anonymity promise, written from the property alone.

The property (docs/anonymity.md, issue 11): take all figures of one statistic that the product
shows for a cycle (or a table). Respondents covered by exactly the same set of those figures
form a *part*. Every part holds 0 or at least k people who contribute to that statistic.

Why that suffices: any sum or difference of published figures weighs every member of a part
alike, so what it isolates is a union of whole parts: 0 or at least k contributors.

The auditor knows nothing of how the product decides what to publish. It takes

- the published figures of ONE statistic, each with the cells it says it covers and the n (and
  value) it claims, as read back from a page, export or command;
- the ground truth: which cell every respondent sits in, and the value of those who contribute
  (a respondent with no value does not contribute: an item not answered, an index not computed).

and returns the parts of 1..k-1 contributors, plus every figure whose claimed n or value is not
what its claimed cells hold, so a product cannot pass by misstating what a figure covers.

Plain Python on purpose: no Django, no numpy, no import from clinlead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

# A claimed mean is printed rounded; this much difference is rounding, more is a misstatement.
MEAN_TOLERANCE = 0.01


@dataclass(frozen=True)
class Figure:
    """One published figure of a statistic.

    covers: the cells (e.g. (unit, leader_id)) whose respondents the figure says it includes.
    n: the number of contributors it claims. mean: the mean it claims (a mean statistic), or
    counts: answer value -> count (a distribution, such as an item's answers).
    """

    id: Hashable
    covers: frozenset
    n: int | None  # None: the figure states no n (its parts are still audited)
    mean: float | None = None
    counts: Mapping | None = None


@dataclass(frozen=True)
class Part:
    """Respondents covered by exactly the figures `figures`; `contributors` are those of them
    who contribute to the statistic."""

    figures: frozenset
    contributors: frozenset
    respondents: int

    @property
    def size(self) -> int:
        return len(self.contributors)


@dataclass
class AuditResult:
    k: int
    parts: list[Part]
    violations: list[Part] = field(default_factory=list)
    inconsistencies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations and not self.inconsistencies

    def explain(self, limit: int = 10) -> str:
        lines = []
        for part in self.violations[:limit]:
            lines.append(
                f"part of {part.size} contributor(s) (fewer than k={self.k}), covered exactly by "
                f"{sorted(map(str, part.figures))}"
            )
        lines.extend(self.inconsistencies[:limit])
        more = len(self.violations) + len(self.inconsistencies) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more")
        return "\n".join(lines)


def audit(
    *,
    figures: Iterable[Figure],
    cell_of: Mapping[Hashable, Hashable],
    values: Mapping[Hashable, object],
    k: int,
    mean_tolerance: float = MEAN_TOLERANCE,
) -> AuditResult:
    """Parts and consistency of the published figures of one statistic.

    cell_of: respondent -> the cell they sit in (every respondent, contributing or not).
    values: contributor -> their value for this statistic (respondents absent do not contribute).
    """
    figures = list(figures)
    ids = [f.id for f in figures]
    if len(set(ids)) != len(ids):
        raise ValueError("figure ids must be unique")
    unknown = set(values) - set(cell_of)
    if unknown:
        raise ValueError(f"contributors with no cell: {sorted(map(str, unknown))[:5]}")
    covering: dict[Hashable, set] = {}
    for f in figures:
        for cell in f.covers:
            covering.setdefault(cell, set()).add(f.id)

    members: dict[frozenset, list] = {}
    for person, cell in cell_of.items():
        signature = frozenset(covering.get(cell, ()))
        if signature:  # someone no figure covers is in no sum of figures
            members.setdefault(signature, []).append(person)
    parts = [
        Part(
            figures=sig,
            contributors=frozenset(p for p in people if p in values),
            respondents=len(people),
        )
        for sig, people in members.items()
    ]
    parts.sort(key=lambda p: (p.size, sorted(map(str, p.figures))))
    result = AuditResult(k=k, parts=parts)
    result.violations = [p for p in parts if 0 < p.size < k]

    by_cell: dict[Hashable, list] = {}
    for person in values:
        by_cell.setdefault(cell_of[person], []).append(person)
    for f in figures:
        inside = [values[p] for cell in f.covers for p in by_cell.get(cell, ())]
        if f.n is None:
            continue
        if f.n != len(inside):
            result.inconsistencies.append(
                f"figure {f.id}: claims n={f.n}, but its cells hold {len(inside)} contributor(s)"
            )
            continue
        if f.mean is not None:
            true_mean = sum(inside) / len(inside) if inside else None
            if true_mean is None or abs(true_mean - f.mean) > mean_tolerance:
                result.inconsistencies.append(
                    f"figure {f.id}: claims mean {f.mean}, its cells' contributors give {true_mean}"
                )
        if f.counts is not None:
            claimed = {str(v): c for v, c in f.counts.items() if c}
            true = {str(v): c for v, c in Counter(inside).items()}
            if claimed != true:
                result.inconsistencies.append(
                    f"figure {f.id}: claims counts {claimed}, its cells' contributors give {true}"
                )
    return result


def isolated_by(
    *,
    coefficients: Mapping[Hashable, int],
    figures: Iterable[Figure],
    cell_of: Mapping,
    values: Mapping,
) -> dict:
    """The weight an attacker's combination sum(c_f * figure f) puts on each contributor
    (contributors with weight 0 left out): what `sum(c_f * n_f * mean_f)` reveals about."""
    weight: Counter = Counter()
    by_id = {f.id: f for f in figures}
    for fid, c in coefficients.items():
        if not c:
            continue
        covers = by_id[fid].covers
        for person in values:
            if cell_of[person] in covers:
                weight[person] += c
    return {p: w for p, w in weight.items() if w}
