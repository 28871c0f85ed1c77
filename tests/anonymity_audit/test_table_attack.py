"""The solving attacker of category tables, on hand-made tables."""

from tests.anonymity_audit.table_attack import Shown, pinned_small_counts


def division_table(corporate_women, corporate_men):
    category_of = {}
    divisions = (
        ("Medicine", 20, 8), ("Surgery", 15, 9), ("Corporate", corporate_women, corporate_men)
    )
    for division, women, men in divisions:
        for i in range(women + men):
            category_of[(division, i)] = "Woman" if i < women else "Man"
    names = ("Medicine", "Surgery", "Corporate")
    groups = {d: {p for p in category_of if p[0] == d} for d in names}
    return category_of, groups


def test_the_trust_total_minus_the_shown_divisions_pins_the_hidden_corporate_cell():
    category_of, groups = division_table(11, 3)
    everyone = frozenset(category_of)
    shown = [Shown("trust women", everyone, frozenset({"Woman"}), 46),
             Shown("medicine women", frozenset(groups["Medicine"]), frozenset({"Woman"}), 20),
             Shown("surgery women", frozenset(groups["Surgery"]), frozenset({"Woman"}), 15)]
    found = pinned_small_counts(category_of=category_of, groups=groups, shown=shown, k=5)
    assert ("Corporate", "Man", 3) in found and ("Corporate", "not Woman", 3) in found


def test_hiding_the_trust_total_too_leaves_nothing_pinned():
    category_of, groups = division_table(11, 3)
    shown = [Shown("medicine women", frozenset(groups["Medicine"]), frozenset({"Woman"}), 20),
             Shown("surgery women", frozenset(groups["Surgery"]), frozenset({"Woman"}), 15)]
    assert pinned_small_counts(category_of=category_of, groups=groups, shown=shown, k=5) == []


def test_a_large_hidden_cell_is_no_disclosure():
    category_of, groups = division_table(11, 6)
    everyone = frozenset(category_of)
    shown = [Shown("trust women", everyone, frozenset({"Woman"}), 46),
             Shown("medicine women", frozenset(groups["Medicine"]), frozenset({"Woman"}), 20),
             Shown("surgery women", frozenset(groups["Surgery"]), frozenset({"Woman"}), 15)]
    assert pinned_small_counts(category_of=category_of, groups=groups, shown=shown, k=5) == []
