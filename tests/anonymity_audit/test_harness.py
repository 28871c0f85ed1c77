"""The audit harness is fair: an output built the way issue 11 sketches (leaders with k or more
contributors published whole, the rest pooled up the unit tree) passes it, and an output that
publishes every unit subtree beside the leaders, as the product did, fails it.

The reference publisher below is a test of the tests, written from the issue's text; the
product's own rule is not imported or copied.
"""

from collections import defaultdict

from hypothesis import HealthCheck, given, settings

from tests.anonymity_audit.nhs_world import nhs_surveys
from tests.anonymity_audit.published import (
    ANSWERS,
    BEHAVIOURS,
    ITEMS,
    audit_output,
    contributions,
    failures,
    leaders_starved,
)

CASES = 60


def _ancestors(unit):
    parts = unit.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _common_unit(units):
    split = [u.split("/") for u in units]
    common = []
    for names in zip(*split, strict=False):
        if len(set(names)) > 1:
            break
        common.append(names[0])
    return "/".join(common)


def _figures(members, k, people_by_cell, index):
    cells = sorted(members)
    inside = [r for c in cells for r in people_by_cell[c]]
    values = [index[r.id] for r in inside if r.id in index]
    entry = {
        "n": len(values),
        "index": sum(values) / len(values),
        "covers": [list(c) for c in cells],
    }
    items = {}
    for item in ITEMS:
        given_ = list(contributions(inside, item).values())
        items[item] = (
            {v: sum(1 for a in given_ if str(a) == v) for v in ANSWERS}
            if len(given_) >= k
            else None
        )
    entry["behaviours"] = {}
    for name in BEHAVIOURS:
        scores = contributions(inside, name)
        total, count = sum(s for s, _ in scores.values()), sum(n for _, n in scores.values())
        entry["behaviours"][name] = total / count if len(scores) >= k else None
    return entry, items


def _behaviours_of_blocks(entry, blocks, people_by_cell, k):
    """A unit shows a behaviour only where every block in it has k who answered its items."""
    for name in BEHAVIOURS:
        for cells in blocks:
            if len(contributions([r for c in cells for r in people_by_cell[c]], name)) < k:
                entry["behaviours"][name] = None


def reference_publication(respondents, k):
    """Leader blocks and pooled blocks, as issue 11 describes them."""
    index = contributions(respondents, "index")
    people_by_cell = defaultdict(list)
    for r in respondents:
        people_by_cell[r.cell].append(r)
    by_leader = defaultdict(set)
    for cell in people_by_cell:
        by_leader[cell[1]].add(cell)
    count = {cell: sum(1 for r in rs if r.id in index) for cell, rs in people_by_cell.items()}
    blocks = []  # (home unit, cells)
    leaders = []
    for leader, cells in sorted(by_leader.items()):
        if sum(count[c] for c in cells) >= k:
            blocks.append((_common_unit([c[0] for c in cells]), cells))
            entry, items = _figures(cells, k, people_by_cell, index)
            leaders.append({"leader_id": leader, **entry, "items": items})
    in_block = {c for _, cells in blocks for c in cells}
    # Pool the remaining cells upwards, deepest units first, until a pool reaches k.
    waiting = defaultdict(set)
    for cell in people_by_cell:
        if cell not in in_block:
            waiting[cell[0]].add(cell)
    for unit in sorted(
        {a for c in people_by_cell for a in _ancestors(c[0])}, key=lambda u: -u.count("/")
    ):
        pool = waiting.pop(unit, set())
        if sum(count[c] for c in pool) >= k:
            blocks.append((unit, pool))
        elif "/" in unit:
            waiting[unit.rpartition("/")[0]] |= pool
    units = []
    for unit in sorted({a for c in people_by_cell for a in _ancestors(c[0])}):
        cells, inside = set(), []
        for home, block in blocks:
            if home == unit or home.startswith(unit + "/"):
                cells |= block
                inside.append(block)
        if sum(count[c] for c in cells) >= k:
            entry, _ = _figures(cells, k, people_by_cell, index)
            _behaviours_of_blocks(entry, inside, people_by_cell, k)
            units.append({"unit": unit, **entry})
    return {"leaders": leaders, "units": units}


def subtree_publication(respondents, k):
    """Every leader and every unit subtree with k or more responses, covering all their cells."""
    index = contributions(respondents, "index")
    people_by_cell = defaultdict(list)
    for r in respondents:
        people_by_cell[r.cell].append(r)
    out = {"leaders": [], "units": []}
    leaders = {c[1] for c in people_by_cell}
    for leader in sorted(leaders):
        cells = {c for c in people_by_cell if c[1] == leader}
        if sum(len(people_by_cell[c]) for c in cells) >= k and any(
            r.id in index for c in cells for r in people_by_cell[c]
        ):
            entry, items = _figures(cells, 1, people_by_cell, index)
            out["leaders"].append({"leader_id": leader, **entry, "items": items})
    for unit in sorted({a for c in people_by_cell for a in _ancestors(c[0])}):
        cells = {c for c in people_by_cell if c[0] == unit or c[0].startswith(unit + "/")}
        if sum(len(people_by_cell[c]) for c in cells) >= k and any(
            r.id in index for c in cells for r in people_by_cell[c]
        ):
            entry, _ = _figures(cells, 1, people_by_cell, index)
            out["units"].append({"unit": unit, **entry})
    return out


@settings(
    max_examples=CASES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(nhs_surveys())
def test_leader_blocks_pooled_up_the_tree_pass_the_audit_at_k_5_and_10(respondents):
    for k in (5, 10):
        report = reference_publication(respondents, k)
        assert not failures(audit_output(report, respondents, k))
        assert not leaders_starved(report, respondents, k)


def test_publishing_every_unit_subtree_beside_the_leaders_fails_the_audit():
    from hypothesis import find

    found = find(
        nhs_surveys(),
        lambda rs: bool(failures(audit_output(subtree_publication(rs, 5), rs, 5))),
        settings=settings(
            max_examples=200, database=None, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
    assert found


def test_a_publication_that_hides_a_leader_with_k_contributors_is_starving_them():
    import random

    from tests.anonymity_audit.nhs_world import respondent

    rng = random.Random(1)
    people = [respondent(i, "Trust A/Surgery", "L", rng=rng) for i in range(6)]
    report = reference_publication(people, 5)
    assert not leaders_starved(report, people, 5)
    report["leaders"] = []
    assert leaders_starved(report, people, 5) == [
        "leader L has 6 index contributors (k=5) but no published index"
    ]


def test_a_figure_that_counts_someone_whose_index_does_not_count_is_caught():
    """Every figure of a report speaks for those whose index counts (docs/anonymity.md): six
    rate L, one of them answered only q1-q3, too few for an index. A report whose q1 counts or
    include score take in that person's answers claims more than its contributors hold."""
    import random

    from tests.anonymity_audit.nhs_world import respondent
    from tests.anonymity_audit.published import Respondent

    rng = random.Random(4)
    people = [respondent(i, "Trust A/Surgery", "L", rng=rng) for i in range(5)]
    people.append(Respondent(5, "Trust A/Surgery", "L", answers=(1, 1, 1) + (None,) * 9))
    honest = reference_publication(people, 5)
    assert not failures(audit_output(honest, people, 5))

    padded = reference_publication(people, 5)
    leader = padded["leaders"][0]
    leader["items"]["q1"] = {v: sum(1 for r in people if str(r.answers[0]) == v) for v in ANSWERS}
    answers = [a for r in people for a in r.answers[:2] if a is not None]
    leader["behaviours"]["include"] = sum(answers) / len(answers)
    found = failures(audit_output(padded, people, 5))
    assert "[q1] figure" in found and "[include] figure" in found, found
