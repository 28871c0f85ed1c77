"""Storage minimisation at close (docs/secrecy.md, "Quasi-identifiers"): each answer keeps only
the cell its published figures need, never the respondent's own unit, leader or profession.

The disclosure rule (clinlead.analytics.disclosure, called here, not changed) puts every answer
in one *block*: a leader with at least k contributors is a block homed at the lowest unit holding
all of that leader's respondents; the other answers are pooled up the unit tree to the first
unit where k are together; what is left at the top is withheld (in no figure). A leader's figure
is its block and a unit's figure is the blocks homed in it or below, so an answer needs no more
than its block. At close each answer is stored as:

- an answer in a leader's block: (the block's home unit, that leader);
- a pooled answer: (the unit it was pooled at, no leader);
- a withheld answer: no unit, no leader, and no content. It is in no leader or unit figure, and
  fewer than k of them cannot be kept without singling their authors out; the empty row keeps
  the response count right.

Profession is not kept (stored as "not stated"). One published figure needs it: the
organisation's burnout and satisfaction association, adjusted for profession. That figure is
computed here, at close, from the answers as given, and kept with the cycle for publication
(`close_figures`), so no stored answer needs its profession.

Publication reads a stored answer with no leader as a leader of its own (`pooled_leader`): a
leader with one contributor never has a block, so the answer is pooled exactly where it was.
Re-running the rule on the stored rows gives the same blocks, homes and figures
(tests/surveys/test_quasi_identifiers.py checks it on the demo and on random trees).
"""

from collections import Counter

import numpy as np

from clinlead.analytics.association_clustered import clustered_associate_report
from clinlead.analytics.disclosure import WITHHELD
from clinlead.analytics.json_safe import finite
from clinlead.analytics.leaderindex_read import table_from_rows
from clinlead.analytics.leaderindex_report import cycle_report, score_cycle

NOT_STATED = ""


def pooled_leader(number: int) -> str:
    """The analyst-row leader of a stored answer that has no leader: one of its own."""
    return f"(pooled {number})"


def analyst_row(*, cycle_name, root, instrument, leader, unit_path, profession, answers, burnout, satisfaction):
    """One answer in the analyst table's shape (unit under the organisation's name)."""
    row = {"cycle": cycle_name, "leader_id": leader, "unit": f"{root}/{unit_path}" if unit_path else root,
           "profession": profession or NOT_STATED, "burnout": burnout or "", "satisfaction": satisfaction or ""}
    row.update({item: (a if a is not None else "") for item, a in zip(instrument.item_ids, answers, strict=True)})
    return row


def coarsen_sheets(*, sheets, instrument, k, unit_paths, root="organisation", cycle_name="cycle",
                   leader_labels=None):
    """The sheets (dicts with leader, unit, profession, answers, burnout, satisfaction; unit ids
    and leader ids as stored) as they are to be stored: new dicts, same order and length.
    Returns (coarsened sheets, the figures only the answers as given can make: `close_figures`).

    `unit_paths` maps every unit id to its path (`A/B`) in the organisation; `leader_labels`
    maps a leader's id to the label publication gives it (the staff number).
    """
    if not sheets:
        return [], {}
    labels = leader_labels or {}
    # A sheet without a leader (an answer pooled already) stands alone, as publication reads it.
    names = [labels.get(s["leader"], str(s["leader"])) if s["leader"] is not None else pooled_leader(n)
             for n, s in enumerate(sheets)]
    rows = [analyst_row(cycle_name=cycle_name, root=root, instrument=instrument, leader=name,
                        unit_path=unit_paths.get(s["unit"]), profession=s["profession"], answers=s["answers"],
                        burnout=s["burnout"], satisfaction=s["satisfaction"]) for name, s in zip(names, sheets, strict=True)]
    table = table_from_rows(rows=rows, instrument=instrument)
    scores = score_cycle(table=table, cycle=cycle_name, k=k)
    sub, tree, blocks = scores.table, scores.tree, scores.blocks
    leader_of_label = {name.strip(): s["leader"] for name, s in zip(names, sheets, strict=True)}
    node_of_path = {path: node for node, path in enumerate(tree.paths)}
    cell_of = {(u, ldr): c for c, (u, ldr) in enumerate(zip(scores.cell_unit.tolist(),
                                                           scores.cell_leader.tolist(), strict=True))}
    unit_of_path = {f"{root}/{path}": unit_id for unit_id, path in unit_paths.items()}
    coarse = []
    for i, sheet in enumerate(sheets):
        node = node_of_path[sub.units[int(sub.unit[i])]]
        block = int(blocks.cell_block[cell_of[(node, int(sub.leader[i]))]])
        if block == WITHHELD:
            coarse.append({**sheet, "unit": None, "leader": None, "profession": NOT_STATED,
                           "answers": [None] * len(sheet["answers"]), "burnout": None, "satisfaction": None})
            continue
        home = int(blocks.block_home[block])
        leader_code = int(blocks.block_leader[block])
        coarse.append({**sheet, "unit": unit_of_path.get(tree.paths[home]) if home >= 0 else None,
                       "leader": leader_of_label[sub.leaders[leader_code]] if leader_code >= 0 else None,
                       "profession": NOT_STATED})
    return coarse, close_figures(table, scores, k, cycle_name)


def close_figures(table, scores, k, cycle_name):
    """What only the answers as given can say about the published figures, kept at close for
    publication: which cells each figure covers, whether some of a unit's answers are counted
    higher up, and the association adjusted for profession. Cells and organisation-wide
    figures, never an answer."""
    report = cycle_report(scores=scores, ndigits=None, covers=True)
    # Clustered by the leader each answer rated, which a pooled answer no longer keeps once stored.
    # Age band and sex: the organisation's records hold neither for survey answers (no age at
    # all; gender only as special-category data, never joined to an answer), so "unadjusted".
    association = clustered_associate_report(table=table, k=k, cycle=cycle_name, scores=scores)
    return finite({
        "leaders": {e["leader_id"]: e["covers"] for e in report["leaders"] if e["n"] is not None},
        "units": {e["unit"]: [e["covers"], e["some_answers_counted_higher_up"]]
                  for e in report["units"] if e["n"] is not None},
        "association": {name: association[name] for name in ADJUSTED},
    })


# The association's figures that are adjusted for profession (the rest follow the blocks).
ADJUSTED = ("burnout", "satisfaction")


def with_association(figures, association):
    """The association from coarsened answers, with its profession-adjusted figures as the
    answers as given made them at close (`figures`: `close_figures`, empty when the answers
    kept their own cells)."""
    association.update((figures or {}).get("association", {}))
    return association


def with_finest_cells(cells, report):
    """A cycle report from coarsened answers, with each published figure's cover and "counted
    higher up" as the finest cells gave them at close (`cells`: `close_figures`; empty for a
    cycle closed before answers were coarsened, or loaded from a past cycle's file, whose answers
    keep their cells)."""
    if not cells:
        return report
    for entry in report["leaders"]:
        if entry["n"] is not None and entry["leader_id"] in cells["leaders"]:
            entry["covers"] = cells["leaders"][entry["leader_id"]]
    for entry in report["units"]:
        if entry["n"] is not None and entry["unit"] in cells["units"]:
            entry["covers"], entry["some_answers_counted_higher_up"] = cells["units"][entry["unit"]]
    return report


def holds_an_answer(sheet) -> bool:
    return any(a is not None for a in sheet["answers"]) or sheet["burnout"] is not None \
        or sheet["satisfaction"] is not None


def answers_alone_in_their_cell(rows, k) -> int:
    """How many stored answers (with any content) share their unit, leader and profession with
    fewer than k-1 others: the figure the quasi-identifier test holds at 0. (An empty, withheld
    row holds nothing to single out.)"""
    rows = [r for r in rows if holds_an_answer(r)]
    sizes = Counter((r["unit"], r["leader"], r["profession"] or NOT_STATED) for r in rows)
    return int(np.sum([n for n in sizes.values() if n < k]))


def published_leaders(coarse_sheets) -> set:
    """The leaders that keep a block of their own (the only ones whose comments can be shown)."""
    return {s["leader"] for s in coarse_sheets if s["leader"] is not None}
