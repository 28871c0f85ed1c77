"""Reading the figures a leader-index output publishes, and the ground truth, for the auditor.

The contract read here (`clinlead leaderindex score FILE --json --covers` and
`clinlead leaderindex published CYCLE --json --covers`):

    {"leaders": [{"leader_id", "n", "index", "items", "covers",
                  ["cycle"], ["burnout"], ["satisfaction"]}],
     "units":   [{"unit", "n", "index", "behaviours", "covers",
                  ["cycle"], ["burnout"], ["satisfaction"]}]}

- a figure is shown when its value is not null: `index`, `items[q]` (counts per answer value
  "1".."5"; other keys such as "missing" are not answer counts and are not audited),
  `burnout` / `satisfaction` ({"n", "rate"});
- `n` is the number of index contributors of the entry;
- `covers` is the list of [unit path, leader_id] cells whose respondents the figures include.

The instrument's rules are restated here from INSTRUMENT.md, not imported, so that the auditor
does not share a mistake with the product: index = sum of q1..q12, or the mean of the answered
items x 12 with 10 or 11 answered, none with fewer; behaviour score = mean item score over the
behaviour's items (every answer to them counts once); burned out = burnout 3..5; satisfied =
satisfaction 4..5.

Who contributes is restated from docs/anonymity.md ("Contribute"): every figure of a report
speaks for the same people, those whose index is computed. A respondent contributes to a
question's distribution, a behaviour score or a rate when their index is computed and they
answered that question (for a behaviour: at least one of its questions). Someone who answered
too few questions for an index is then in no figure; a figure that counts them anyway claims
more answers than its contributors hold, and the auditor says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tests.anonymity_audit.auditor import AuditResult, Figure, audit

ITEMS = [f"q{i}" for i in range(1, 13)]
ANSWERS = ["1", "2", "3", "4", "5"]
MIN_ANSWERED = 10
BEHAVIOURS = {
    "include": ["q1", "q2"],
    "inform": ["q3", "q4"],
    "inquire": ["q5", "q6"],
    "develop": ["q7", "q8", "q9"],
    "recognize": ["q10", "q11"],
    "overall": ["q12"],
}
BURNED_OUT_FROM = 3
SATISFIED_FROM = 4


@dataclass(frozen=True)
class Respondent:
    """One response as the ground truth knows it: where it sits and what it says."""

    id: object
    unit: str  # the unit path, as cells name it
    leader: str  # the leader's id, as cells name it
    answers: tuple  # 12 values, None = not answered
    burnout: int | None = None
    satisfaction: int | None = None
    cycle: str = ""

    @property
    def cell(self):
        return (self.unit, self.leader)


def response_index(answers):
    given = [a for a in answers if a is not None]
    if len(given) < MIN_ANSWERED:
        return None
    return sum(given) / len(given) * len(ITEMS)


def statistics():
    """Every statistic a leader-index output may publish."""
    return ["index", *ITEMS, *BEHAVIOURS, "burnout", "satisfaction"]


def contributions(respondents, statistic, method=None):
    """respondent id -> value, for those who contribute to the statistic: for the index, those
    whose index is computed; for anything else, those of them whose answer to it counts (with
    no `method`: every answer; see cross_statistic.Method for how the published index is read)."""
    out = {}
    for r in respondents:
        counts = method.counted.get(r.id, ()) if method is not None else None
        if statistic == "index":
            value = response_index(r.answers) if method is None else method.index_value(r)
        elif response_index(r.answers) is None:
            value = None  # their rating does not count, so nor does the rest of their answer
        elif statistic in ITEMS:
            j = ITEMS.index(statistic)
            value = r.answers[j] if counts is None or j in counts else None
        elif statistic in BEHAVIOURS:
            given = [
                r.answers[ITEMS.index(q)]
                for q in BEHAVIOURS[statistic]
                if counts is None or ITEMS.index(q) in counts
            ]
            given = [a for a in given if a is not None]
            value = (sum(given), len(given)) if given else None  # pooled: item scores and how many
        elif statistic == "burnout":
            value = None if r.burnout is None else int(r.burnout >= BURNED_OUT_FROM)
        elif statistic == "satisfaction":
            value = None if r.satisfaction is None else int(r.satisfaction >= SATISFIED_FROM)
        else:
            raise ValueError(statistic)
        if value is not None:
            out[r.id] = value
    return out


def entries(report):
    """(figure id, entry) for every leader and unit entry of the output."""
    for kind, key in (("leaders", "leader_id"), ("units", "unit")):
        for entry in report.get(kind) or []:
            yield (entry.get("cycle", ""), kind[:-1], entry[key]), entry


def covers_of(entry):
    if "covers" not in entry or entry["covers"] is None:
        raise AssertionError(
            f"entry {entry.get('leader_id') or entry.get('unit')} publishes figures but no covers"
        )
    return frozenset((unit, str(leader)) for unit, leader in entry["covers"])


def figures_of(report, statistic, cycle=None):
    """The published figures of one statistic, as the auditor takes them."""
    out = []
    for fid, entry in entries(report):
        if cycle is not None and fid[0] != cycle:
            continue
        if statistic == "index":
            if entry.get("index") is None:
                continue
            out.append(Figure(fid, covers_of(entry), n=entry["n"], mean=entry["index"]))
        elif statistic in ITEMS:
            dist = (entry.get("items") or {}).get(statistic)
            if dist is None:
                continue
            counts = {v: int(dist.get(v) or 0) for v in ANSWERS}
            out.append(Figure(fid, covers_of(entry), n=sum(counts.values()), counts=counts))
        elif statistic in BEHAVIOURS:
            score = (entry.get("behaviours") or {}).get(statistic)
            if score is None:
                continue
            out.append(
                Figure(fid, covers_of(entry), n=None, mean=score)
            )  # pooled mean: checked below
        else:
            rate = entry.get(statistic)
            if rate is None:
                continue
            out.append(Figure(fid, covers_of(entry), n=rate["n"], mean=rate["rate"]))
    return out


def audit_output(report, respondents, k, cycle=None) -> dict[str, AuditResult]:
    """Every statistic the output publishes, audited: statistic -> result. Answers count as the
    published indices show they do (cross_statistic.published_method, per cycle)."""
    from tests.anonymity_audit.cross_statistic import published_method

    cell_of = {r.id: r.cell for r in respondents}
    cycles = sorted({fid[0] for fid, _ in entries(report)}) if cycle is None else [cycle]
    by_cycle = []
    complaints = []
    for c in cycles:
        mine = [r for r in respondents if c and r.cycle == c] or list(respondents)
        method, problems = published_method(report, mine, k, c)
        by_cycle.append((mine, method))
        complaints += problems
    results = {}
    for statistic in statistics():
        figures = figures_of(report, statistic, cycle=cycle)
        if not figures:
            continue
        values = {}
        for mine, method in by_cycle:
            values.update(contributions(mine, statistic, method))
        if statistic in BEHAVIOURS:
            result = audit(
                figures=[Figure(f.id, f.covers, None) for f in figures],
                cell_of=cell_of,
                values=values,
                k=k,
            )
            result.inconsistencies += pooled_mean_errors(figures, cell_of, values)
        else:
            result = audit(figures=figures, cell_of=cell_of, values=values, k=k)
        if statistic == "index":
            result.inconsistencies += complaints
        results[statistic] = result
    return results


def pooled_mean_errors(figures, cell_of, values, tolerance=0.01):
    """A behaviour score is the mean item score over every contributor's answers to its items in
    the cells, pooled: each answer counts once, whoever gave it."""
    errors = []
    for f in figures:
        total = count = 0
        for person, (s, n) in values.items():
            if cell_of[person] in f.covers:
                total, count = total + s, count + n
        if not count or abs(total / count - f.mean) > tolerance:
            errors.append(
                f"figure {f.id}: claims score {f.mean}, "
                f"its cells' answers give {total / count if count else None}"
            )
    return errors


def failures(results: dict[str, AuditResult]) -> str:
    return "\n".join(
        f"[{name}] {line}"
        for name, result in results.items()
        if not result.ok
        for line in result.explain(limit=5).splitlines()
    )


def leaders_starved(report, respondents, k, cycle=None) -> list[str]:
    """The leader-first promise: every leader with at least k index contributors is published,
    covering all the cells of their contributors and no one else's."""
    contributors = contributions(respondents, "index")
    cells = defaultdict(set)
    for r in respondents:
        if r.id in contributors:
            cells[r.leader].add(r.cell)
    count = defaultdict(int)
    for r in respondents:
        count[r.leader] += r.id in contributors
    shown = {}
    for fid, entry in entries(report):
        if (
            fid[1] == "leader"
            and (cycle is None or fid[0] == cycle)
            and entry.get("index") is not None
        ):
            shown[str(fid[2])] = entry
    problems = []
    for leader, n in sorted(count.items()):
        if n < k:
            continue
        entry = shown.get(leader)
        if entry is None:
            problems.append(
                f"leader {leader} has {n} index contributors (k={k}) but no published index"
            )
            continue
        covers = covers_of(entry)
        if not cells[leader] <= covers:
            problems.append(
                f"leader {leader}: report leaves out cells {sorted(cells[leader] - covers)}"
            )
        foreign = {c for c in covers if c[1] != leader}
        if foreign:
            problems.append(
                f"leader {leader}: report covers other leaders' cells {sorted(foreign)}"
            )
    return problems
