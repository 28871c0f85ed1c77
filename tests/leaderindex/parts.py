"""A part-checker for tests: given the figures a cycle publishes (each as the set of cells whose
respondents it includes) and the contributors per cell, the parts holding 1..k-1 contributors.

Respondents covered by exactly the same set of figures form a part; no sum or difference of
figures can isolate less than a part, and a part of 1..k-1 people can be isolated.
"""

from collections import defaultdict


def small_parts(*, figures, contributors, k):
    """figures: {figure id: iterable of cells}; contributors: {cell: count}.

    Returns [(sorted figure ids, contributors)] for every part with 1..k-1 contributors.
    Cells in no figure are in no part (nothing published says anything about them).
    """
    covering = defaultdict(set)
    for fid, cells in figures.items():
        for cell in cells:
            covering[cell].add(fid)
    parts = defaultdict(int)
    for cell, fids in covering.items():
        parts[frozenset(fids)] += contributors.get(cell, 0)
    return sorted(((sorted(map(str, key)), n) for key, n in parts.items() if 0 < n < k), key=str)


def report_figures(report, *, item=None):
    """{figure id: cells} of a score/published report with covers; with `item`, only the figures
    showing that item's distribution."""
    figures = {}
    for e in report["leaders"]:
        if e["published"] and (item is None or (e["items"] or {}).get(item) is not None):
            figures[("leader", e["cycle"], e["leader_id"])] = [tuple(c) for c in e["covers"]]
    for e in report["units"]:
        if e["published"] and (item is None or (e.get("items") or {}).get(item) is not None):
            figures[("unit", e["cycle"], e["unit"])] = [tuple(c) for c in e["covers"]]
    return figures
