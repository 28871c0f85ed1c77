"""Issue 13: a CSV field over 128 KB gave a traceback from the analyst command (the header
check used the csv module, whose field limit is 131,072 characters). Now it is refused by row
and column."""

import pytest
from django.core.management import CommandError, call_command

from clinlead.analytics.instrument import default_instrument
from clinlead.analytics.leaderindex_read import CsvFormatError, read_responses

HEADER = list(default_instrument().csv_header)


def write(path, header, rows=()):
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("column", [1, 3, len(HEADER) + 1])
def test_a_header_field_over_128_kb_is_refused_naming_its_column(tmp_path, column):
    header = list(HEADER)
    huge = "x" * 200_000
    if column > len(HEADER):
        header.append(huge)
    else:
        header[column - 1] = huge
    path = write(tmp_path / "survey.csv", header)
    with pytest.raises(CsvFormatError) as caught:
        read_responses(path=path)
    assert caught.value.problems[0].startswith(
        f"row 1, column {column}: a header field of more than 131,072"
    )
    if column <= len(HEADER):
        assert repr(HEADER[column - 1]) in caught.value.problems[0]


@pytest.mark.django_db
def test_the_analyst_command_reports_it_as_an_error_not_a_traceback(tmp_path):
    header = list(HEADER)
    header[1] = "y" * 140_000
    path = write(tmp_path / "survey.csv", header)
    with pytest.raises(
        CommandError, match=r"row 1, column 2: a header field of more than 131,072 characters"
    ):
        call_command("leaderindex", "score", str(path), "--json")
