"""The attacker who combines statistics: index totals, question totals, behaviour totals and
wellbeing counts of every published figure, solved together by linear algebra.

Parts (auditor.py) protect each statistic on its own. A person's answers can still be isolated
*across* statistics when the same answer enters two figures with different weights: the index
of someone who skipped a question is the mean of their own answers x 12, so a report's
n x index minus its question totals leaves (1/11) x that one person's total.

The attacker here knows everything but the answers: who sits in which cell, who answered which
question, and every published figure exactly (totals = n x mean, unrounded). Each published
number is then a linear form in the unknown answers (one unknown per answered question, and per
answered wellbeing question). A set S of people is *isolated* when some combination of published
numbers depends on the answers of S alone; that is a fact of linear algebra:

    dim(rowspace(M) & span(columns of S)) > 0  <=>  the orthonormal row basis Q of M, restricted to
    S's columns, has a singular value of 1.

The attack tries every single person and, within every figure, the sets of 1..k-1 people who
skipped (any question, or one question) or answered one question.

How the index is turned into a linear form is read from what is published, not from the
product's code. Two methods are known (docs/anonymity.md restates the second):

- "instrument": each person's index as INSTRUMENT.md defines it (their answers x 12 / answered);
- "counted": within each part of the index's figures, a question counts only where at least k of
  the part's index contributors answered it; a person's published index is the sum of their
  counted answers, every other question at the cycle's mean of counted answers to it.

The method whose values reproduce every published index (within rounding) is the one attacked;
if neither does, that is reported as an inconsistency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from tests.anonymity_audit.published import BEHAVIOURS, ITEMS, covers_of, entries, response_index

SCALE_MID = 3.0
TOLERANCE = 0.01  # published means are rounded; more than this is another method


@dataclass
class Method:
    """How answers enter published figures, per respondent of one cycle.

    counted[rid]: the questions (0..11) whose answer counts; item_means[j]: the value a question
    that does not count is given in an index (None: the index imputes from the person's own
    answers, as the instrument does)."""

    name: str
    counted: dict
    item_means: list | None

    def index_value(self, r) -> float | None:
        if response_index(r.answers) is None:
            return None
        if self.item_means is None:
            return response_index(r.answers)
        if r.id not in self.counted:
            return None  # in no figure of the index: nothing published counts them
        mine = self.counted[r.id]
        return sum(
            r.answers[j] if j in mine else self.item_means[j] for j in range(len(ITEMS))
        )

    def index_form(self, r, n_counted) -> dict:
        """The person's published index as {unknown: weight}, plus a constant (key None)."""
        given = [j for j, a in enumerate(r.answers) if a is not None]
        if self.item_means is None:
            return {(r.id, j): len(ITEMS) / len(given) for j in given}
        form = {(r.id, j): 1.0 for j in self.counted[r.id]}
        for j in range(len(ITEMS)):
            if j not in self.counted[r.id]:
                # the cycle's mean of counted answers: sum of those unknowns / how many
                if n_counted[j]:
                    form.setdefault(("mean", j), 0.0)
                    form[("mean", j)] += 1.0
        return form


def _index_figures(report, cycle):
    out = []
    for fid, entry in entries(report):
        if fid[0] == cycle and entry.get("index") is not None:
            out.append((fid, covers_of(entry), entry))
    return out


def index_parts(report, people, cycle):
    """rid -> the set of index figures covering them (their part), for index contributors."""
    covering = defaultdict(set)
    for fid, covers, _ in _index_figures(report, cycle):
        for cell in covers:
            covering[cell].add(fid)
    return {
        r.id: frozenset(covering[r.cell])
        for r in people
        if response_index(r.answers) is not None and covering.get(r.cell)
    }


def methods(report, people, k, cycle):
    """Both known methods for one cycle's published figures."""
    part = index_parts(report, people, cycle)
    everything = {
        r.id: {j for j, a in enumerate(r.answers) if a is not None} for r in people if r.id in part
    }
    answered = defaultdict(lambda: [0] * len(ITEMS))
    for r in people:
        if r.id in part:
            for j in everything[r.id]:
                answered[part[r.id]][j] += 1
    counted = {
        rid: {j for j in js if answered[part[rid]][j] >= k} for rid, js in everything.items()
    }
    totals, counts = [0] * len(ITEMS), [0] * len(ITEMS)
    for r in people:
        for j in counted.get(r.id, ()):
            totals[j] += r.answers[j]
            counts[j] += 1
    means = [t / c if c else SCALE_MID for t, c in zip(totals, counts, strict=True)]
    return [Method("instrument", everything, None), Method("counted", counted, means)]


def published_method(report, people, k, cycle):
    """(the method reproducing every published index of the cycle, or None; complaints)."""
    by_cell = defaultdict(list)
    for r in people:
        by_cell[r.cell].append(r)
    figures = _index_figures(report, cycle)
    for method in methods(report, people, k, cycle):
        good = True
        for _, covers, entry in figures:
            values = [
                v
                for cell in covers
                for r in by_cell.get(cell, ())
                if (v := method.index_value(r)) is not None
            ]
            if not values or abs(sum(values) / len(values) - entry["index"]) > TOLERANCE:
                good = False
                break
        if good:
            return method, []
    return None, [f"cycle {cycle}: no known method reproduces the published indices"]


def linear_forms(report, people, method, cycle):
    """Every published number of the cycle as a linear form over the unknown answers: a list of
    (figure id, statistic, {unknown: weight}); unknowns are (rid, question 0..11) and
    (rid, "burnout" | "satisfaction")."""
    contributors = [r for r in people if r.id in method.counted]
    by_cell = defaultdict(list)
    for r in contributors:
        by_cell[r.cell].append(r)
    n_counted = [0] * len(ITEMS)
    for r in contributors:
        for j in method.counted[r.id]:
            n_counted[j] += 1
    mean_form = [
        {(r.id, j): 1.0 / n_counted[j] for r in contributors if j in method.counted[r.id]}
        if n_counted[j]
        else {}
        for j in range(len(ITEMS))
    ]
    forms = []
    if method.item_means is not None:  # the cycle's item means: worst case, known exactly
        forms += [(("cycle", cycle), ITEMS[j], mean_form[j]) for j in range(len(ITEMS))]
    for fid, entry in entries(report):
        if fid[0] != cycle or entry.get("index") is None:
            continue
        inside = [r for cell in covers_of(entry) for r in by_cell.get(cell, ())]
        total: dict = defaultdict(float)
        for r in inside:
            for key, w in method.index_form(r, n_counted).items():
                if key[0] == "mean":
                    for var, m in mean_form[key[1]].items():
                        total[var] += w * m
                else:
                    total[key] += w
        forms.append((fid, "index", dict(total)))
        for j, item in enumerate(ITEMS):
            if (entry.get("items") or {}).get(item) is not None:
                forms.append(
                    (fid, item, {(r.id, j): 1.0 for r in inside if j in method.counted[r.id]})
                )
        for name, questions in BEHAVIOURS.items():
            if (entry.get("behaviours") or {}).get(name) is not None:
                js = [ITEMS.index(q) for q in questions]
                forms.append(
                    (
                        fid,
                        name,
                        {(r.id, j): 1.0 for r in inside for j in js if j in method.counted[r.id]},
                    )
                )
        for name in ("burnout", "satisfaction"):
            if entry.get(name) is not None:
                forms.append(
                    (fid, name, {(r.id, name): 1.0 for r in inside if getattr(r, name) is not None})
                )
    return forms


def candidate_sets(report, people, method, cycle, k):
    """Sets of 1..k-1 people an attacker would try to isolate."""
    contributors = {r.id: r for r in people if r.id in method.counted}
    sets = {frozenset([rid]) for rid in contributors}
    by_cell = defaultdict(list)
    for r in contributors.values():
        by_cell[r.cell].append(r)
    for fid, entry in entries(report):
        if fid[0] != cycle or entry.get("index") is None:
            continue
        inside = [r for cell in covers_of(entry) for r in by_cell.get(cell, ())]
        groups = [[r.id for r in inside if None in r.answers]]
        for j in range(len(ITEMS)):
            groups.append([r.id for r in inside if r.answers[j] is None])
            groups.append([r.id for r in inside if r.answers[j] is not None])
        for name in ("burnout", "satisfaction"):
            groups.append([r.id for r in inside if getattr(r, name) is None])
        sets.update(frozenset(g) for g in groups if 0 < len(g) < k)
    return sets


def isolated(report, people, k, cycle=None):
    """The cross-statistic attack on one cycle: [(set of respondent ids, why)] for every tried
    set of 1..k-1 people some combination of published numbers depends on alone, plus
    complaints when no known method reproduces the published indices."""
    cycles = sorted({fid[0] for fid, _ in entries(report)}) if cycle is None else [cycle]
    found = []
    for c in cycles:
        mine = [r for r in people if c and r.cycle == c] or list(people)
        method, complaints = published_method(report, mine, k, c)
        found += [(frozenset(), text) for text in complaints]
        if method is None:
            continue
        forms = linear_forms(report, mine, method, c)
        columns: dict = {}
        for _, _, form in forms:
            for var in form:
                columns.setdefault(var, len(columns))
        if not columns:
            continue
        matrix = np.zeros((len(forms), len(columns)))
        for row, (_, _, form) in enumerate(forms):
            for var, w in form.items():
                matrix[row, columns[var]] = w
        _, sv, vt = np.linalg.svd(matrix, full_matrices=False)
        basis = vt[sv > sv.max() * 1e-9]  # orthonormal rows spanning what is published
        of_person = defaultdict(list)
        for var, col in columns.items():
            of_person[var[0]].append(col)
        for group in candidate_sets(report, mine, method, c, k):
            cols = [col for rid in group for col in of_person.get(rid, ())]
            if not cols:
                continue
            if np.linalg.svd(basis[:, cols], compute_uv=False).max(initial=0) > 1 - 1e-7:
                found.append(
                    (
                        group,
                        f"cycle {c}: published figures ({method.name} method) combine to a "
                        f"number that depends on the answers of {len(group)} person(s) alone",
                    )
                )
    return found
