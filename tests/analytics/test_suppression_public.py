"""Groups already public elsewhere (a unit's headcount) take part in the rule as published:
nothing shown may be subtracted from them down to fewer than k, and they are never hidden."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinlead.analytics.suppression import apply_suppression, nesting_subset
from tests.analytics.test_suppression import instances, oracle_violations


@st.composite
def laminar_with_public(draw):
    groups, counts, k = draw(instances(laminar=True))
    public = draw(st.sets(st.sampled_from(sorted(groups))))
    return groups, counts, k, public


@settings(max_examples=400, deadline=None)
@given(laminar_with_public())
def test_nothing_shown_can_be_subtracted_from_a_public_figure_down_to_fewer_than_k(instance):
    groups, counts, k, public = instance
    result = apply_suppression(groups=groups, atom_counts=counts, k=k, public=public)
    assert public <= result.published, "a public figure is never hidden"
    for g, family in oracle_violations(groups, counts, result.published, k):
        # Public minus public reveals nothing the pages did not already show.
        assert g in public and set(family) <= public, (g, family)


def test_a_public_headcount_of_12_with_9_women_shown_hides_the_9():
    groups = {"division": {"women", "men", "other"}, "women": {"women"}, "men": {"men"}, "other": {"other"}}
    counts = {"women": 9, "men": 2, "other": 1}
    plain = apply_suppression(groups=groups, atom_counts=counts, k=5)
    assert plain.published == {"division"}, "without the headcount, 12 shown alone is fine"
    shown = apply_suppression(groups=groups, atom_counts=counts, k=5, public={"division"})
    assert "women" not in shown.published, "12 (public) - 9 would give away the 3"


def test_a_small_public_headcount_stays_public_and_is_not_a_reason_to_hide_its_siblings():
    groups = {"trust": {"a", "b", "c"}, "a": {"a"}, "b": {"b"}, "c": {"c"}}
    counts = {"a": 50, "b": 47, "c": 3}
    without = apply_suppression(groups=groups, atom_counts=counts, k=5)
    assert "b" not in without.published  # 100 - 50 - 47 would give away the 3
    with_public = apply_suppression(groups=groups, atom_counts=counts, k=5, public={"trust", "a", "b", "c"})
    assert with_public.published == {"trust", "a", "b", "c"}


def test_two_public_groups_that_cross_each_other_are_refused():
    groups = {"x": {"a", "b"}, "y": {"b", "c"}}
    with pytest.raises(ValueError, match="must nest"):
        apply_suppression(groups=groups, atom_counts={"a": 5, "b": 5, "c": 5}, k=5, public={"x", "y"})


def test_an_ordinary_group_crossing_a_public_one_is_decided_safely():
    groups = {"x": {"a", "b"}, "y": {"b", "c"}, "b": {"b"}}
    result = apply_suppression(groups=groups, atom_counts={"a": 5, "b": 2, "c": 5}, k=5, public={"y"})
    assert "y" in result.published and "b" not in result.published


def test_public_totals_stay_in_the_tree_when_a_larger_crossing_group_is_present():
    # Divisions' headcounts are public; the organisation-wide "women" column crosses them.
    atoms = {("A", "w"): 30, ("A", "m"): 3, ("B", "w"): 20, ("B", "m"): 9}
    groups = {"org": set(atoms), "A": {a for a in atoms if a[0] == "A"}, "B": {a for a in atoms if a[0] == "B"},
              "women": {a for a in atoms if a[1] == "w"}, "men": {a for a in atoms if a[1] == "m"},
              **{f"{d}-{s}": {(d, s)} for d, s in atoms}}
    result = apply_suppression(groups=groups, atom_counts=atoms, k=5, public={"org", "A", "B"})
    assert {"org", "A", "B"} <= result.published
    assert "A-w" not in result.published, "A's 33 (public) - 30 would give away the 3 men"


def test_of_totals_that_cross_the_largest_are_taken_and_the_rest_left_ordinary():
    # Two pools share one candidate; the level holds both.
    atoms = {"shared": 1, "a_only": 5, "b_only": 6}
    groups = {"level": set(atoms), "pool A": {"shared", "a_only"}, "pool B": {"shared", "b_only"}}
    taken = nesting_subset(groups=groups, candidates=list(groups), atom_counts=atoms)
    assert taken == ["level", "pool B"], "pool B (7) is larger than pool A (6), which crosses it"
    apply_suppression(groups=groups, atom_counts=atoms, k=5, public=taken)  # accepted: they nest
    with pytest.raises(ValueError, match="must nest"):
        apply_suppression(groups=groups, atom_counts=atoms, k=5, public=list(groups))
