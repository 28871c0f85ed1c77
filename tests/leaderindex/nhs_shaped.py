"""An NHS-shaped survey cycle for coverage tests: a trust of divisions, departments and teams.

- team leaders are rated by their team's members, who sit in the team;
- department heads are rated by their team leaders (sitting in their teams) and by a few staff
  sitting in the department itself;
- division directors are rated by their department heads (sitting in the departments) and a few
  division staff;
- about one team leader in ten also manages people in a sibling team (a report that spans two
  teams);
- about 3 % of answers are skipped, and 2 % of respondents answer fewer than 10 items (no index).
"""

import numpy as np

from clinlead.analytics.instrument import default_instrument

HEADER = list(default_instrument().csv_header)


def nhs_rows(*, seed=7, trust="Trust", divisions=4, cycle="2024"):
    """Rows as lists in the analyst CSV's column order."""
    rng = np.random.default_rng(seed)
    rows = []
    next_id = [0]

    def leader_id():
        next_id[0] += 1
        return f"S{next_id[0]:05d}"

    def respond(leader, unit, n, quality):
        for _ in range(n):
            items = np.clip(np.round(3.4 + quality + rng.normal(0, 0.9, 12)), 1, 5).astype(int)
            answers = [int(v) for v in items]
            for j in range(12):
                if rng.random() < 0.03:
                    answers[j] = ""
            if rng.random() < 0.02:
                for j in rng.choice(12, size=int(rng.integers(3, 12)), replace=False):
                    answers[j] = ""
            burnout = "" if rng.random() < 0.03 else int(rng.integers(1, 6))
            satisfaction = "" if rng.random() < 0.03 else int(rng.integers(1, 6))
            rows.append([cycle, leader, unit, rng.choice(["Nurse", "Doctor", "AHP", "Admin"]), *answers,
                         burnout, satisfaction])

    for d in range(divisions):
        division = f"{trust}/Division {d}"
        director = leader_id()
        for p in range(int(rng.integers(3, 6))):
            department = f"{division}/Department {p}"
            head = leader_id()
            respond(director, department, 1, rng.normal(0, 0.4))  # the head rates the director
            teams = [f"{department}/Team {t}" for t in range(int(rng.integers(3, 7)))]
            for t, team in enumerate(teams):
                lead = leader_id()
                quality = rng.normal(0, 0.4)
                respond(head, team, 1, rng.normal(0, 0.4))  # the team lead rates the head
                size = int(rng.integers(2, 16))
                if rng.random() < 0.1 and len(teams) > 1:  # spans two teams
                    other = teams[(t + 1) % len(teams)]
                    split = int(rng.integers(1, size))
                    respond(lead, team, split, quality)
                    respond(lead, other, size - split, quality)
                else:
                    respond(lead, team, size, quality)
            respond(head, department, int(rng.integers(0, 5)), rng.normal(0, 0.4))
        respond(director, division, int(rng.integers(0, 4)), rng.normal(0, 0.4))
    return rows


def write_nhs_csv(path, **kwargs):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(nhs_rows(**kwargs))
    return path


def index_contributors(rows):
    """{(unit, leader_id): respondents with an index (10 or more of 12 items)} from the rows."""
    out = {}
    for r in rows:
        answered = sum(1 for v in r[4:16] if v != "")
        key = (r[2], r[1])
        out[key] = out.get(key, 0) + (answered >= 10)
    return out


def coverage(*, report, cells, k):
    """Coverage of a score report against contributors per cell, at threshold k.

    A published figure is taken to cover what its `covers` lists, or (for a report without it)
    all of the leader's cells / all cells under the unit.
    """
    by_leader, by_unit = {}, {}
    for (unit, leader), n in cells.items():
        by_leader[leader] = by_leader.get(leader, 0) + n
        parts = unit.split("/")
        for i in range(1, len(parts) + 1):
            path = "/".join(parts[:i])
            by_unit[path] = by_unit.get(path, 0) + n
    leaders = {e["leader_id"]: e for e in report["leaders"]}
    eligible = [lid for lid, n in by_leader.items() if n >= k]
    full = [lid for lid in eligible if leaders[lid]["published"]
            and ("covers" not in leaders[lid] or leaders[lid]["n"] == by_leader[lid])]
    units = {e["unit"]: e for e in report["units"]}
    big = [u for u, n in by_unit.items() if n >= 2 * k]
    shown = [u for u in big if units[u]["published"]]
    covered = sum(units[u]["n"] if "covers" in units[u] else by_unit[u] for u in shown)
    return {
        "leaders_eligible": len(eligible),
        "leaders_published_whole": len(full) / len(eligible),
        "units_eligible": len(big),
        "units_published": len(shown) / len(big),
        "unit_contributors_covered": covered / sum(by_unit[u] for u in big),
        "units_each_covering_90": sum(
            1 for u in shown if ("covers" not in units[u]) or units[u]["n"] >= 0.9 * by_unit[u]) / len(big),
    }
