"""The erasure replaces a person's identity as whole words only: another person's staff number
or a longer name that contains it stays as it was."""

from clinlead.subjects.scrub import _swap, replacements

PATTERNS = replacements(
    names={"Ann Lee"},
    staff_number="T12",
    emails={"ann.lee@example.org"},
    pseudonym_name="Erased person ab",
    pseudonym_number="erased-ab",
)


def test_only_whole_words_are_replaced():
    assert _swap("T12 and T123; Ann Lee, Joann Lee", PATTERNS) == (
        "erased-ab and T123; Erased person ab, Joann Lee"
    )


def test_json_keys_and_values_are_replaced_and_e_mail_in_any_case():
    value = {"T12": ["Ann Lee (T12)", "ANN.LEE@example.org"], "n": 5}
    assert _swap(value, PATTERNS) == {
        "erased-ab": ["Erased person ab (erased-ab)", "erased@invalid"],
        "n": 5,
    }
