"""The attacker of a category table who knows who sits in which group (unit lists, pool lists
are public to them) and solves for the hidden counts.

Unknowns: how many people of each category sit in each *atom* (people who belong to exactly
the same named groups). Known: atom sizes, and every count the pages show. For every group and
every category, the attacker minimises and maximises the number of people of that category (and
not of it) under those constraints. A count that comes out the same both ways, and lies in
1..k-1, is pinned: a small group's categories are disclosed, though no page shows the number.
("Not c" is checked too, where it splits a group: 3 of Corporate's 14 are not women; a group
pinned to hold nobody of c is a zero cell, which the property allows.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog


@dataclass(frozen=True)
class Shown:
    """A count a page shows: people of `categories` among `members`."""

    id: object
    members: frozenset
    categories: frozenset
    n: int


def pinned_small_counts(*, category_of, groups, shown, k):
    """[(group, "c" or "not c", count)] for every count the shown figures pin to 1..k-1.

    category_of: person -> their (finest) category; groups: name -> set of people (every
    group the attacker can name: table rows and public lists).
    """
    people = list(category_of)
    categories = sorted(set(category_of.values()))
    named = {name: frozenset(m) & set(people) for name, m in groups.items()}
    atom_of = {p: frozenset(name for name, m in named.items() if p in m) for p in people}
    atoms = defaultdict(list)
    for p in people:
        atoms[atom_of[p]].append(p)
    atom_keys = list(atoms)
    column = {(a, c): i for i, (a, c) in enumerate((a, c) for a in atom_keys for c in categories)}
    size = len(column)

    rows, rhs = [], []
    for a in atom_keys:  # atom sizes are public
        row = np.zeros(size)
        for c in categories:
            row[column[(a, c)]] = 1
        rows.append(row)
        rhs.append(len(atoms[a]))
    for f in shown:
        row = np.zeros(size)
        for a in atom_keys:
            if set(atoms[a]) <= f.members:
                for c in f.categories & set(categories):
                    row[column[(a, c)]] = 1
            elif set(atoms[a]) & f.members:
                raise AssertionError(
                    f"figure {f.id} covers part of a group the attacker cannot name"
                )
        rows.append(row)
        rhs.append(f.n)
    a_eq, b_eq = np.array(rows), np.array(rhs, dtype=float)
    bounds = [(0, len(atoms[a])) for a, _ in column]

    targets = dict(named)
    for i, a in enumerate(atom_keys):
        if a:
            name = f"people in exactly the groups {sorted(map(str, a))}"
        else:
            name = f"people in no group #{i}"
        targets[name] = set(atoms[a])
    found = []
    for name, members in targets.items():
        for c in categories:
            for negate in (False, True):
                true = sum(1 for p in members if (category_of[p] == c) != negate)
                if not 0 < true < k:
                    continue  # only a small count can be a disclosure
                if negate and true == len(members):
                    continue  # "nobody here is c": a zero cell splits no one off
                objective = np.zeros(size)
                for a in atom_keys:
                    if set(atoms[a]) <= members:
                        for cc in categories:
                            if (cc == c) != negate:
                                objective[column[(a, cc)]] = 1
                # The truth is one solution, so the least lies at or below it and the most at or
                # above: a least below the truth already unpins the count, and the most need only
                # be solved for the rare count the least leaves at the truth (half the solves).
                low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
                assert low.status == 0, f"the shown figures contradict the truth ({name})"
                if low.fun < true - 1e-6:
                    continue
                high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
                assert high.status == 0, f"the shown figures contradict the truth ({name})"
                if abs(low.fun + high.fun) < 1e-6:
                    found.append((name, f"not {c}" if negate else c, true))
    return found
