"""The add-and-subtract attack on published figures, as an analyst holding every export would
run it: every combination of published figures with coefficients -1, 0 or +1, kept when it adds
up to a real group of people (each cell counted once or not at all) of 1..k-1 contributors."""

import itertools


def isolating_combinations(figures, contributors, *, k):
    """figures: {name: cells it covers}; contributors: {cell: count}. Returns [(used, count)]."""
    names = sorted(figures, key=str)
    cells = sorted({c for f in figures.values() for c in f}, key=str)
    rows = [[1 if c in set(map(tuple, figures[name])) else 0 for c in cells] for name in names]
    found = []
    for coefs in itertools.product((-1, 0, 1), repeat=len(names)):
        net = [sum(c * row[i] for c, row in zip(coefs, rows, strict=True)) for i in range(len(cells))]
        if any(v not in (0, 1) for v in net):
            continue
        count = sum(contributors.get(cell, 0) for cell, v in zip(cells, net, strict=True) if v)
        if 0 < count < k:
            found.append(({n: c for n, c in zip(names, coefs, strict=True) if c}, count))
    return found


def figures_with_covers(report):
    """{name: cells} of every published leader and unit of a report made with covers."""
    return {e.get("leader_id") or e["unit"]: [tuple(c) for c in e["covers"]]
            for e in report["leaders"] + report["units"] if e["published"]}
