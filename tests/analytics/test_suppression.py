"""The suppression rule: no published group may leave fewer than k (but more than 0) responses
over when the published groups nested in it are subtracted; smallest groups are given up first."""

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.suppression import (
    DEFAULT_K,
    REASON_SUBTRACTION,
    REASON_TOO_FEW,
    apply_suppression,
    validate_k,
)

# ---------------------------------------------------------------- brute-force oracle


def _sets(groups, counts):
    # Nesting and disjointness are about responses, so empty cells do not count.
    return {g: frozenset(a for a in atoms if counts[a] > 0) for g, atoms in groups.items()}


def _violating_families(g, published, sets, counts, k):
    """Every family of pairwise-disjoint published groups inside g leaving 1..k-1 over."""
    size = {h: sum(counts[a] for a in s) for h, s in sets.items()}
    nested = sorted(h for h in published if h != g and sets[h] <= sets[g])
    for r in range(1, len(nested) + 1):
        for family in combinations(nested, r):
            if any(sets[p] & sets[q] for p, q in combinations(family, 2)):
                continue
            leftover = size[g] - sum(size[h] for h in family)
            if 0 < leftover < k:
                yield family


def oracle_violations(groups, counts, published, k):
    sets = _sets(groups, counts)
    return [
        (g, family)
        for g in sorted(published)
        for family in _violating_families(g, published, sets, counts, k)
    ]


def oracle_smallest_first(groups, counts, k):
    """The stated procedure, step by step: drop groups under k; then, while any published
    group has a violating family, take the smallest such group and suppress the smallest
    published group taking part in one of its violating families (ties by id)."""
    sets = _sets(groups, counts)
    size = {h: sum(counts[a] for a in s) for h, s in sets.items()}
    published = {g for g in groups if size[g] >= k}
    while True:
        offending = {}
        for g in published:
            members = {h for fam in _violating_families(g, published, sets, counts, k) for h in fam}
            if members:
                offending[g] = members
        if not offending:
            return published
        g = min(offending, key=lambda h: (size[h], h))
        published.discard(min(offending[g], key=lambda h: (size[h], h)))


def is_laminar(groups, counts):
    sets = list(_sets(groups, counts).values())
    return all(not (p & q) or p <= q or q <= p for p, q in combinations(sets, 2))


# ---------------------------------------------------------------- random instances


@st.composite
def instances(draw, laminar=False):
    n_atoms = draw(st.integers(1, 8))
    atoms = [f"a{i}" for i in range(n_atoms)]
    counts = {a: draw(st.integers(0, 7)) for a in atoms}
    n_groups = draw(st.integers(1, 7))
    groups = {}
    for i in range(n_groups):
        if laminar:
            # Intervals of a fixed atom order, kept only if nested in or apart from the others.
            lo = draw(st.integers(0, n_atoms - 1))
            hi = draw(st.integers(lo + 1, n_atoms))
            members = frozenset(atoms[lo:hi])
            if not is_laminar({**groups, "new": members}, counts):
                continue
        else:
            members = frozenset(draw(st.sets(st.sampled_from(atoms), min_size=1)))
        groups[f"g{i}"] = members
    k = draw(st.integers(3, 6))
    return groups, counts, k


@st.composite
def unit_and_leader_instances(draw):
    """The shape the analyst command builds: unit subtrees and leaders over (unit, leader)
    cells, where a leader may have staff in several units (crossing the unit tree)."""
    n_units = draw(st.integers(1, 5))
    parent = [-1] + [draw(st.integers(0, u - 1)) for u in range(1, n_units)]
    n_leaders = draw(st.integers(1, 4))
    cells = draw(
        st.sets(
            st.tuples(st.integers(0, n_units - 1), st.integers(0, n_leaders - 1)),
            min_size=1,
            max_size=8,
        )
    )
    counts = {cell: draw(st.integers(0, 7)) for cell in sorted(cells)}
    groups = {}
    for unit in range(n_units):
        below = {unit}
        for _ in range(n_units):
            below |= {u for u in range(n_units) if parent[u] in below}
        members = {cell for cell in cells if cell[0] in below}
        if members:
            groups[f"unit{unit}"] = members
    for leader in range(n_leaders):
        members = {cell for cell in cells if cell[1] == leader}
        if members:
            groups[f"leader{leader}"] = members
    return groups, counts, draw(st.integers(3, 6))


@settings(max_examples=400, deadline=None)
@given(st.one_of(instances(), unit_and_leader_instances()))
def test_no_published_group_can_be_subtracted_down_to_fewer_than_k(instance):
    groups, counts, k = instance
    result = apply_suppression(groups=groups, atom_counts=counts, k=k)
    assert oracle_violations(groups, counts, result.published, k) == []


@settings(max_examples=300, deadline=None)
@given(instances(laminar=True))
def test_on_nested_groups_exactly_the_smallest_first_procedure_is_published(instance):
    groups, counts, k = instance
    assert is_laminar(groups, counts)
    result = apply_suppression(groups=groups, atom_counts=counts, k=k)
    assert result.published == oracle_smallest_first(groups, counts, k)


@settings(max_examples=300, deadline=None)
@given(instances())
def test_random_families_that_happen_to_nest_also_match_the_procedure(instance):
    groups, counts, k = instance
    result = apply_suppression(groups=groups, atom_counts=counts, k=k)
    if is_laminar(groups, counts):
        assert result.published == oracle_smallest_first(groups, counts, k)
    # Every group is either published or carries a coarse reason.
    assert set(result.reasons) == set(groups) - result.published


# ---------------------------------------------------------------- the examples, by name


def test_a_leader_with_4_answers_is_not_published():
    result = apply_suppression(groups={"leader": {"cell"}}, atom_counts={"cell": 4})
    assert "leader" not in result.published
    assert result.reasons["leader"] == REASON_TOO_FEW


def test_a_leader_with_5_answers_is_published_at_the_default_threshold():
    assert DEFAULT_K == 5
    result = apply_suppression(groups={"leader": {"cell"}}, atom_counts={"cell": 5})
    assert result.published == {"leader"}


def test_department_of_10_with_one_published_team_of_7_suppresses_the_team():
    # Publishing both would give department - team = 3 by subtraction.
    result = apply_suppression(
        groups={"dept": {"team", "rest"}, "team": {"team"}},
        atom_counts={"team": 7, "rest": 3},
    )
    assert result.published == {"dept"}
    assert result.reasons["team"] == REASON_SUBTRACTION
    assert result.via["team"] == "dept"


def test_sibling_teams_of_6_and_3_in_a_department_of_9_leave_only_the_department():
    result = apply_suppression(
        groups={"dept": {"t6", "t3"}, "team6": {"t6"}, "team3": {"t3"}},
        atom_counts={"t6": 6, "t3": 3},
    )
    assert result.reasons["team3"] == REASON_TOO_FEW
    assert result.reasons["team6"] == REASON_SUBTRACTION  # dept - team6 = 3
    assert result.published == {"dept"}


def test_department_of_12_with_teams_of_6_and_6_is_published_whole():
    result = apply_suppression(
        groups={"dept": {"a", "b"}, "teamA": {"a"}, "teamB": {"b"}},
        atom_counts={"a": 6, "b": 6},
    )
    assert result.published == {"dept", "teamA", "teamB"}
    assert result.reasons == {}


def test_a_leftover_of_exactly_zero_is_fine():
    # The department is exactly its two teams, and a leader is exactly one team.
    result = apply_suppression(
        groups={"dept": {"a", "b"}, "teamA": {"a"}, "teamB": {"b"}, "leader": {"a"}},
        atom_counts={"a": 5, "b": 5},
    )
    assert result.published == {"dept", "teamA", "teamB", "leader"}


def test_the_threshold_can_be_raised_to_10_for_comments():
    result = apply_suppression(
        groups={"dept": {"a", "b"}, "team": {"a"}}, atom_counts={"a": 12, "b": 9}, k=10
    )
    assert result.reasons["team"] == REASON_SUBTRACTION  # 21 - 12 = 9 < 10
    assert result.published == {"dept"}


def test_a_leader_across_two_sub_teams_cannot_be_subtracted_out():
    # Leader L has 2 staff in team 1 and 4 in team 2; M (8) and N (6) lead the rest.
    # Department - team 1 - N leaves L's 4 in team 2; team 1 - M leaves L's 2.
    groups = {
        "dept": {"1L", "1M", "2L", "2N"},
        "team1": {"1L", "1M"},
        "team2": {"2L", "2N"},
        "L": {"1L", "2L"},
        "M": {"1M"},
        "N": {"2N"},
    }
    counts = {"1L": 2, "1M": 8, "2L": 4, "2N": 6}
    result = apply_suppression(groups=groups, atom_counts=counts)
    assert oracle_violations(groups, counts, result.published, 5) == []
    assert {"dept", "team1", "team2"} <= result.published
    assert not {"M", "N"} & result.published


def test_reasons_never_carry_counts():
    result = apply_suppression(
        groups={"dept": {"a", "b"}, "team": {"a"}, "tiny": {"b"}},
        atom_counts={"a": 7, "b": 3},
    )
    assert set(result.reasons.values()) <= {REASON_TOO_FEW, REASON_SUBTRACTION}
    assert not any(ch.isdigit() for reason in result.reasons.values() for ch in reason)


@pytest.mark.parametrize("k", [2, 51, 4.5, True])
def test_thresholds_outside_3_to_50_are_refused(k):
    with pytest.raises(ValueError):
        validate_k(k=k)
    with pytest.raises(ValueError):
        apply_suppression(groups={"g": {"a"}}, atom_counts={"a": 9}, k=k)


def test_an_atom_without_a_count_is_an_error():
    with pytest.raises(ValueError, match="no count"):
        apply_suppression(groups={"g": {"a", "b"}}, atom_counts={"a": 9})


def test_many_nested_groups_are_decided_quickly_and_consistently():
    # 2,000 leaders in 400 teams in 40 departments in 4 divisions: a 4-level tree.
    groups, counts = {}, {}
    for leader in range(2000):
        team, dept, div = leader // 5, leader // 50, leader // 500
        cell = (team, leader)
        counts[cell] = 3 + (leader * 7919) % 9
        for gid in (("leader", leader), ("team", team), ("dept", dept), ("div", div)):
            groups.setdefault(gid, set()).add(cell)
    first = apply_suppression(groups=groups, atom_counts=counts)
    again = apply_suppression(groups=dict(reversed(list(groups.items()))), atom_counts=counts)
    assert first == again
    assert ("div", 0) in first.published
    # Spot-check the rule on every team and its leaders.
    for team in range(400):
        tid = ("team", team)
        if tid not in first.published:
            continue
        members = [("leader", leader) for leader in range(team * 5, team * 5 + 5)]
        left = sum(counts[(team, lid[1])] for lid in members if lid not in first.published)
        assert left == 0 or left >= 5


def test_counts_may_be_given_as_a_list_for_integer_atoms():
    groups = {"dept": {0, 1}, "team": {0}}
    as_list = apply_suppression(groups=groups, atom_counts=[7, 3])
    as_dict = apply_suppression(groups=groups, atom_counts={0: 7, 1: 3})
    assert as_list == as_dict and as_list.published == {"dept"}
