import pytest

from clinlead.analytics.blt import BltError, parse_blt, read_blt, write_blt

GOOD = "\n".join(
    [
        "3 2",
        "4 1 2 0",
        "2 3 0",
        "1 2 3 1 0",
        "0",
        '"Ann SMITH"',
        '"Bob JONES ""Green"""',
        '"Cara LEE"',
        '"Ward 1"',
    ]
)


def blt_error(text):
    with pytest.raises(BltError) as caught:
        parse_blt(text=text)
    return caught.value


def test_a_well_formed_file_gives_candidates_seats_ballots_and_title():
    election = parse_blt(text=GOOD)
    assert election.candidates == ("Ann SMITH", 'Bob JONES "Green"', "Cara LEE")
    assert election.seats == 2
    assert election.ballots == (
        (4, ("Ann SMITH", 'Bob JONES "Green"')),
        (2, ("Cara LEE",)),
        (1, ('Bob JONES "Green"', "Cara LEE", "Ann SMITH")),
    )
    assert election.title == "Ward 1"
    assert election.withdrawn == ()


def test_a_doubled_double_quote_inside_a_quoted_name_is_one_double_quote():
    text = '2 1\n1 1 0\n0\n"Susan RAE ""Scottish Green Party"""\n"X"\n"T"\n'
    assert parse_blt(text=text).candidates[0] == 'Susan RAE "Scottish Green Party"'


def test_unquoted_names_as_in_the_2017_files_are_the_whole_line():
    text = "2 1\n3 2 1 0\n0\nRichard LAIRD (SNP)\nBet MCALLISTER (Lab)\nWard 14 - Inverness Central"
    election = parse_blt(text=text)
    assert election.candidates == ("Richard LAIRD (SNP)", "Bet MCALLISTER (Lab)")
    assert election.title == "Ward 14 - Inverness Central"
    assert election.ballots == ((3, ("Bet MCALLISTER (Lab)", "Richard LAIRD (SNP)")),)


def test_a_line_of_negative_numbers_before_the_ballots_withdraws_candidates():
    text = '3 1\n-2\n5 2 1 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    assert parse_blt(text=text).withdrawn == ("B",)


def test_written_ballots_read_back_the_same():
    candidates = ["Ann", 'Bob "the builder"', 'Quote "" pair', "Dee"]
    ballots = [(3, ("Dee", "Ann")), (1, ('Bob "the builder"',)), (7, tuple(candidates))]
    text = write_blt(
        candidates=candidates, seats=2, ballots=ballots, title='Post "A"', withdrawn=["Dee"]
    )
    election = parse_blt(text=text)
    assert election.candidates == tuple(candidates)
    assert election.seats == 2
    assert election.ballots == tuple(ballots)
    assert election.title == 'Post "A"'
    assert election.withdrawn == ("Dee",)


def test_writing_quotes_names_and_doubles_their_inner_quotes():
    text = write_blt(candidates=['Al "Big" Bo', "Cy"], seats=1, ballots=[(1, ("Cy",))], title="T")
    assert text.splitlines() == ["2 1", "1 2 0", "0", '"Al ""Big"" Bo"', '"Cy"', '"T"']


def test_writing_refuses_a_name_with_a_line_break():
    with pytest.raises(ValueError, match="line break"):
        write_blt(candidates=["A\nB", "C"], seats=1, ballots=[], title="T")


def test_a_file_that_is_not_utf8_is_reported_with_its_line(tmp_path):
    path = tmp_path / "bad.blt"
    path.write_bytes(b'2 1\n1 1 0\n0\n"Caf\xe9"\n"B"\n"T"\n')
    with pytest.raises(BltError) as caught:
        read_blt(path=path)
    assert (caught.value.line, caught.value.reason) == (4, "the file is not UTF-8 text")


def test_the_error_message_names_the_line_and_the_reason():
    lines = ["12 4"] + ["1 1 0"] * 5 + ["1 13 2 0", "0"]
    error = blt_error("\n".join(lines) + "\n")
    assert str(error) == "line 7: preference 13 is not a candidate (there are 12)"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "the file is empty"),
        ("3\n", 1, "the first line must hold two numbers: candidates and seats"),
        ("three 1\n", 1, "the number of candidates 'three' is not a whole number"),
        ("3 x\n", 1, "the number of seats 'x' is not a whole number"),
        ("0 1\n", 1, "there must be at least one candidate, not 0"),
        ("3 0\n", 1, "there must be at least one seat, not 0"),
        ("2 3\n", 1, "3 seats but only 2 candidates"),
        ("3 1\n-4\n", 2, "withdrawn candidate 4 is not a candidate (there are 3)"),
        ("3 1\n-2 -2\n", 2, "candidate 2 is withdrawn twice"),
        ("3 1\n1 1 0\n0 2 0\n", 3, "a ballot count must be a positive whole number, not 0"),
        ("3 1\n1 1 0\n-2 2 0\n", 3, "a ballot count must be a positive whole number, not -2"),
        ("3 1\nlots 1 0\n", 2, "ballot count 'lots' is not a whole number"),
        ("3 1\n1 1 4 0\n", 2, "preference 4 is not a candidate (there are 3)"),
        ("3 1\n1 1 -1 0\n", 2, "preference -1 is not a candidate (there are 3)"),
        ("3 1\n1 1 x 0\n", 2, "preference 'x' is not a whole number"),
        ("3 1\n2 1 2 1 0\n", 2, "candidate 1 is ranked more than once"),
        ("3 1\n2 1 2\n", 2, "the ballot is not ended by 0"),
        ("3 1\n2\n", 2, "the ballot is not ended by 0"),
        ("3 1\n2 1 0 2 0\n", 2, "preferences follow the terminating 0"),
        ("3 1\n2 1=2 0\n", 2, "equal preferences ('=') are not supported"),
        ("3 1\n2 1 0\n", 3, "the ballots are not ended by a line holding only 0"),
        ('3 1\n2 1 0\n0\n"A"\n"B"\n', 6, "expected 3 candidate names, found 2"),
        ('3 1\n2 1 0\n0\n"A"\n\n"C"\n', 5, "expected 3 candidate names, found 1"),
        ('2 1\n2 1 0\n0\n"A\n"B"\n', 4, "a quoted name has no closing quote"),
        (
            '2 1\n2 1 0\n0\n"A "B" C"\n"D"\n',
            4,
            'a double quote inside a quoted name must be doubled ("")',
        ),
        ('2 1\n2 1 0\n0\n""\n"D"\n', 4, "a candidate name is empty"),
        ('2 1\n2 1 0\n0\n"A"\n"A"\n', 5, "candidate name 'A' appears twice"),
        ('2 1\n2 1 0\n0\n"A"\n"B"\n"T"\nmore\n', 7, "unexpected text after the title"),
    ],
)
def test_a_malformed_file_is_rejected_with_its_line_and_reason(text, line, reason):
    error = blt_error(text)
    assert (error.line, error.reason) == (line, reason)
