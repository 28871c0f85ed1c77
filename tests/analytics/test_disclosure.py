"""The disclosure module on generated hierarchies: crossing leaders, empty cells, leavers
(answers from people whose unit is gone sit at the root), every threshold."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.disclosure import WITHHELD, eligible_unions, form_blocks
from tests.leaderindex.parts import small_parts


@st.composite
def cycles(draw):
    n_nodes = draw(st.integers(1, 12))
    parent = [-1]
    for v in range(1, n_nodes):
        # a second root now and then: two trusts in one file
        parent.append(draw(st.integers(-1, v - 1)) if draw(st.integers(0, 9)) == 0 else draw(st.integers(0, v - 1)))
    depth = []
    for v in range(n_nodes):
        depth.append(0 if parent[v] < 0 else depth[parent[v]] + 1)
    n_leaders = draw(st.integers(1, 8))
    cells = {}
    for leader in range(n_leaders):
        # a leader's respondents sit in one to three units anywhere: crossing the tree
        for unit in draw(st.lists(st.integers(0, n_nodes - 1), min_size=1, max_size=3, unique=True)):
            cells[(unit, leader)] = draw(st.integers(0, 9))
    k = draw(st.integers(3, 8))
    return np.array(parent), np.array(depth), n_leaders, cells, k


def _blocks(parent, depth, n_leaders, cells, k):
    keys = sorted(cells)
    return keys, form_blocks(
        cell_unit=np.array([u for u, _ in keys]), cell_leader=np.array([ldr for _, ldr in keys]),
        cell_contributors=np.array([cells[c] for c in keys]), n_leaders=n_leaders, parent=parent,
        depth=depth, k=k)


def _subtree(parent, node):
    """Nodes of node's subtree."""
    out = {node}
    changed = True
    while changed:
        changed = False
        for v, p in enumerate(parent):
            if p in out and v not in out:
                out.add(v)
                changed = True
    return out


@settings(max_examples=300, deadline=None)
@given(cycles())
def test_every_part_of_the_published_figures_holds_none_or_at_least_k(case):
    parent, depth, n_leaders, cells, k = case
    keys, blocks = _blocks(parent, depth, n_leaders, cells, k)
    block_cells = {}
    for cell, b in zip(keys, blocks.cell_block.tolist(), strict=True):
        if b != WITHHELD:
            block_cells.setdefault(b, []).append(cell)
    figures = {}
    for leader in range(n_leaders):
        if blocks.leader_block[leader] >= 0:
            figures[("leader", leader)] = block_cells[int(blocks.leader_block[leader])]
    for node in range(len(parent)):
        inside = _subtree(parent, node)
        covered = [c for b, cs in block_cells.items() if blocks.block_home[b] in inside for c in cs]
        if covered:
            figures[("unit", node)] = covered
    assert small_parts(figures=figures, contributors=cells, k=k) == []


@settings(max_examples=300, deadline=None)
@given(cycles())
def test_every_leader_with_k_contributors_is_a_block_of_all_its_cells_homed_above_them(case):
    parent, depth, n_leaders, cells, k = case
    keys, blocks = _blocks(parent, depth, n_leaders, cells, k)
    for leader in range(n_leaders):
        mine = [i for i, (_, ldr) in enumerate(keys) if ldr == leader]
        total = sum(cells[keys[i]] for i in mine)
        b = int(blocks.leader_block[leader])
        assert (b >= 0) == (total >= k)
        if b >= 0:
            assert all(blocks.cell_block[i] == b for i in mine)
            assert blocks.block_contributors[b] == total
    for b in range(blocks.n_blocks):
        members = [keys[i][0] for i in np.flatnonzero(blocks.cell_block == b)]
        assert blocks.block_contributors[b] >= k
        home = int(blocks.block_home[b])
        if home >= 0:
            assert set(members) <= _subtree(parent, home), "a block lies inside the unit it is homed at"
            # and no lower unit holds it all
            for child in np.flatnonzero(parent == home):
                assert not set(members) <= _subtree(parent, int(child))


@settings(max_examples=200, deadline=None)
@given(cycles())
def test_only_fewer_than_k_per_root_are_withheld(case):
    parent, depth, n_leaders, cells, k = case
    keys, blocks = _blocks(parent, depth, n_leaders, cells, k)
    withheld = {}
    for (unit, _), b in zip(keys, blocks.cell_block.tolist(), strict=True):
        if b == WITHHELD:
            root = unit
            while parent[root] >= 0:
                root = parent[root]
            withheld[root] = withheld.get(root, 0) + cells[(unit, _)]
    assert all(n < k for n in withheld.values())


@settings(max_examples=200, deadline=None)
@given(cycles(), st.data())
def test_a_statistic_is_shown_only_where_every_block_in_the_figure_reaches_k(case, data):
    parent, depth, n_leaders, cells, k = case
    _, blocks = _blocks(parent, depth, n_leaders, cells, k)
    own = np.array([data.draw(st.integers(0, int(n))) for n in blocks.block_contributors], dtype=np.int64)
    block_ok, unit_ok = eligible_unions(blocks=blocks, block_contributors=own, parent=parent, depth=depth, k=k)
    assert (block_ok == (own >= k)).all()
    for node in range(len(parent)):
        inside = _subtree(parent, node)
        homed = [b for b in range(blocks.n_blocks) if blocks.block_home[b] in inside]
        assert unit_ok[node] == (bool(homed) and all(own[b] >= k for b in homed))
