"""The auditor itself, on hand-made cases and against brute force: it must flag every way of
adding and subtracting published figures down to fewer than k people."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.anonymity_audit.auditor import Figure, audit, isolated_by

BRUTE_FORCE_CASES = 400


def figure(fid, covers, cell_of, values, **claims):
    """A figure that tells the truth about the cells it covers."""
    inside = [values[p] for p, c in cell_of.items() if c in covers and p in values]
    mean = sum(inside) / len(inside) if inside else None
    return Figure(
        id=fid,
        covers=frozenset(covers),
        n=claims.pop("n", len(inside)),
        mean=claims.pop("mean", mean),
        **claims,
    )


def people(counts, value=40.0):
    """{cell: how many} -> (cell_of, values), everyone contributing with the same value."""
    cell_of, values = {}, {}
    for cell, n in counts.items():
        for i in range(n):
            cell_of[(cell, i)] = cell
            values[(cell, i)] = value + i
    return cell_of, values


def test_a_leader_minus_the_division_holding_most_of_their_team_gives_one_persons_index():
    # Leader L is rated by 5 in A, 5 in B and 1 in C; the division holds A and B only.
    cell_of, values = people({("A", "L"): 5, ("B", "L"): 5, ("C", "L"): 1})
    figures = [
        figure("leader L", {("A", "L"), ("B", "L"), ("C", "L")}, cell_of, values),
        figure("division", {("A", "L"), ("B", "L")}, cell_of, values),
    ]
    result = audit(figures=figures, cell_of=cell_of, values=values, k=5)
    assert [p.size for p in result.violations] == [1]
    assert result.violations[0].figures == {"leader L"}
    assert not result.inconsistencies


def test_groups_that_differ_by_k_or_more_pass():
    cell_of, values = people({("A", "L"): 5, ("B", "L"): 5, ("C", "L"): 5})
    figures = [
        figure("leader L", {("A", "L"), ("B", "L"), ("C", "L")}, cell_of, values),
        figure("division", {("A", "L"), ("B", "L")}, cell_of, values),
        figure("unit A", {("A", "L")}, cell_of, values),
    ]
    result = audit(figures=figures, cell_of=cell_of, values=values, k=5)
    assert result.ok, result.explain()
    assert sorted(p.size for p in result.parts) == [5, 5, 5]


def test_only_contributors_count_towards_k():
    # Five people answered the survey, but only one answered this item.
    cell_of = {f"p{i}": ("A", "L") for i in range(5)}
    values = {"p0": 4}
    result = audit(
        figures=[Figure("leader L q3", frozenset({("A", "L")}), n=1, counts={"4": 1})],
        cell_of=cell_of,
        values=values,
        k=5,
    )
    assert [p.size for p in result.violations] == [1]
    assert result.violations[0].respondents == 5


def test_a_part_with_respondents_but_no_contributors_is_no_leak():
    cell_of = {"p0": ("A", "L"), "p1": ("B", "M")}
    values = {}
    figures = [
        Figure("unit", frozenset({("A", "L"), ("B", "M")}), n=0),
        Figure("leader L", frozenset({("A", "L")}), n=0),
    ]
    assert audit(figures=figures, cell_of=cell_of, values=values, k=5).ok


def test_people_no_figure_covers_are_not_a_part():
    cell_of, values = people({("A", "L"): 5, ("B", "M"): 2})
    result = audit(
        figures=[figure("leader L", {("A", "L")}, cell_of, values)],
        cell_of=cell_of,
        values=values,
        k=5,
    )
    assert result.ok
    assert [p.size for p in result.parts] == [5]


def test_a_figure_that_claims_fewer_cells_than_it_counts_is_caught():
    # The product says the unit covers only A, but its n (and mean) include the one person in C.
    cell_of, values = people({("A", "L"): 5, ("C", "L"): 1})
    truthful = figure("unit", {("A", "L"), ("C", "L")}, cell_of, values)
    lying = Figure("unit", frozenset({("A", "L")}), n=truthful.n, mean=truthful.mean)
    result = audit(figures=[lying], cell_of=cell_of, values=values, k=5)
    assert result.inconsistencies and "claims n=" in result.inconsistencies[0]


def test_a_wrong_mean_or_wrong_counts_is_caught():
    cell_of = {f"p{i}": "A" for i in range(5)}
    values = {f"p{i}": v for i, v in enumerate([1, 2, 2, 5, 5])}
    assert audit(
        figures=[Figure("m", frozenset({"A"}), n=5, mean=3.0)], cell_of=cell_of, values=values, k=5
    ).ok
    wrong_mean = audit(
        figures=[Figure("m", frozenset({"A"}), n=5, mean=3.2)], cell_of=cell_of, values=values, k=5
    )
    assert wrong_mean.inconsistencies and "mean" in wrong_mean.inconsistencies[0]
    good = {"1": 1, "2": 2, "3": 0, "4": 0, "5": 2}
    assert audit(
        figures=[Figure("d", frozenset({"A"}), n=5, counts=good)],
        cell_of=cell_of,
        values=values,
        k=5,
    ).ok
    bad = {**good, "2": 1, "3": 1}
    wrong_counts = audit(
        figures=[Figure("d", frozenset({"A"}), n=5, counts=bad)],
        cell_of=cell_of,
        values=values,
        k=5,
    )
    assert wrong_counts.inconsistencies and "counts" in wrong_counts.inconsistencies[0]


def test_figure_ids_must_be_unique_and_contributors_must_sit_somewhere():
    with pytest.raises(ValueError, match="unique"):
        audit(
            figures=[Figure("x", frozenset(), 0), Figure("x", frozenset(), 0)],
            cell_of={},
            values={},
            k=5,
        )
    with pytest.raises(ValueError, match="no cell"):
        audit(figures=[], cell_of={}, values={"ghost": 1}, k=5)


def test_three_overlapping_groups_leave_a_small_part_no_single_difference_shows():
    # Two units and a leader crossing them: the leader's share outside both units is 2 people.
    cell_of, values = people(
        {("A", "L"): 6, ("B", "L"): 6, ("C", "L"): 2, ("A", "M"): 6, ("B", "N"): 6}
    )
    figures = [
        figure("leader L", {("A", "L"), ("B", "L"), ("C", "L")}, cell_of, values),
        figure("unit A", {("A", "L"), ("A", "M")}, cell_of, values),
        figure("unit B", {("B", "L"), ("B", "N")}, cell_of, values),
        figure("leader M", {("A", "M")}, cell_of, values),
        figure("leader N", {("B", "N")}, cell_of, values),
    ]
    result = audit(figures=figures, cell_of=cell_of, values=values, k=5)
    assert [p.size for p in result.violations] == [2]
    # leader L - unit A - unit B + leader M + leader N = the two people in C
    weights = isolated_by(
        coefficients={"leader L": 1, "unit A": -1, "unit B": -1, "leader M": 1, "leader N": 1},
        figures=figures,
        cell_of=cell_of,
        values=values,
    )
    assert set(weights) == {(("C", "L"), 0), (("C", "L"), 1)}


# --------------------------------------------------------------------------- brute force
@st.composite
def small_worlds(draw):
    n_cells = draw(st.integers(1, 5))
    cells = list(range(n_cells))
    n_people = draw(st.integers(0, 14))
    cell_of = {p: draw(st.sampled_from(cells)) for p in range(n_people)}
    values = {
        p: draw(st.integers(1, 5))
        for p in range(n_people)
        if draw(st.booleans()) or draw(st.booleans())
    }
    n_figures = draw(st.integers(1, 4))
    covers = [
        frozenset(draw(st.sets(st.sampled_from(cells), min_size=1))) for _ in range(n_figures)
    ]
    k = draw(st.integers(2, 5))
    return cell_of, values, covers, k


@settings(
    max_examples=BRUTE_FORCE_CASES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(small_worlds())
def test_every_combination_of_figures_that_isolates_fewer_than_k_contributors_is_flagged(world):
    cell_of, values, covers, k = world
    figures = [figure(f"f{i}", c, cell_of, values) for i, c in enumerate(covers)]
    result = audit(figures=figures, cell_of=cell_of, values=values, k=k)
    assert not result.inconsistencies, result.explain()
    leak = None
    for coefficients in itertools.product((-1, 0, 1), repeat=len(figures)):
        weights = isolated_by(
            coefficients={f.id: c for f, c in zip(figures, coefficients, strict=True)},
            figures=figures,
            cell_of=cell_of,
            values=values,
        )
        if 0 < len(weights) < k:
            leak = (coefficients, weights)
            break
    if leak is not None:
        assert result.violations, f"combination {leak[0]} isolates {leak[1]} but the auditor passed"
    # And a part the auditor flags really is smaller than k and really is a set the figures pin.
    for part in result.violations:
        assert 0 < part.size < k
        assert part.figures


@settings(max_examples=BRUTE_FORCE_CASES // 4, deadline=None)
@given(small_worlds(), st.integers(1, 3))
def test_a_figure_that_misstates_its_n_is_always_caught(world, error):
    cell_of, values, covers, k = world
    figures = [figure(f"f{i}", c, cell_of, values) for i, c in enumerate(covers)]
    figures[0] = Figure(
        figures[0].id, figures[0].covers, n=figures[0].n + error, mean=figures[0].mean
    )
    assert audit(figures=figures, cell_of=cell_of, values=values, k=k).inconsistencies
