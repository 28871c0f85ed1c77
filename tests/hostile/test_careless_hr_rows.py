"""HR extracts a careless exporter might produce: every bad value is refused with its row and
column, nothing is written; a leap-day effective date simply works."""

from datetime import date

import pytest

from clinlead.org.hr_format import HrFileError
from clinlead.org.hr_import import import_hr_extract
from clinlead.org.models import Organisation, Person

pytestmark = pytest.mark.django_db

HEADER = (
    "organisation,staff_number,first_name,last_name,profession,unit_path,start_date,"
    "leader_staff_number"
)
LEAP_DAY = date(2028, 2, 29)


@pytest.fixture
def trust():
    return Organisation.objects.create(name="Test Trust", slug="test-trust")


def run(text, *, effective=LEAP_DAY, filename="extract.csv", dry_run=False):
    content = text.encode() if isinstance(text, str) else text
    return import_hr_extract(
        actor=None, content=content, filename=filename, dry_run=dry_run, effective=effective
    )


def problems(result):
    return [(p.row, p.column) for p in result.problems]


GOOD = "test-trust,1,Ann,Lee,nurse,Surgery/Ward 7,2020-02-29,\n"


def test_a_leap_day_effective_date_with_start_dates_imports_cleanly(trust):
    result = run(HEADER + "\n" + GOOD + "test-trust,2,Bo,Ng,doctor,Surgery,2029-02-28,1\n")
    assert result.ok and result.created == 2
    assert Person.objects.get(staff_number="2").start_date == date(2029, 2, 28)


@pytest.mark.parametrize(
    ("value", "column"),
    [
        ("A\x00n", "first_name"),  # a NUL aborts every chart that draws it
        ("A\x1b[31mn", "first_name"),  # a terminal escape
        ("\u202eeL", "last_name"),  # right-to-left override
        ('=HYPERLINK("http://x","y")', "first_name"),
        ("+1+1", "last_name"),
        ("@SUM(1)", "first_name"),
        ("-2+3", "last_name"),
        ("A" * 101, "first_name"),  # longer than the database column
    ],
)
def test_names_that_are_garbage_or_formulas_are_refused_with_row_and_column(trust, value, column):
    fields = {"first_name": "Ann", "last_name": "Lee"} | {column: value}
    line = (
        f'test-trust,9,"{fields["first_name"].replace(chr(34), chr(34) * 2)}",'
        f'"{fields["last_name"].replace(chr(34), chr(34) * 2)}",nurse,Surgery,,\n'
    )
    result = run(HEADER + "\n" + GOOD + line)
    assert problems(result) == [(3, column)]
    assert not Person.objects.exists()


def test_a_site_code_longer_than_its_column_is_refused_before_apply(trust):
    result = run(
        "organisation,staff_number,first_name,last_name,profession,unit_path,site\n"
        "test-trust,1,Ann,Lee,nurse,Surgery," + "S" * 21 + "\n"
    )
    assert problems(result) == [(2, "site")]


@pytest.mark.parametrize(
    "value", ["0001-01-01", "2020-W01-1", "20200101", "9999-12-31", "2020-02-30"]
)
def test_implausible_or_odd_start_dates_are_refused(trust, value):
    result = run(HEADER + "\n" + GOOD.replace("2020-02-29", value))
    assert problems(result) == [(2, "start_date")]


def test_a_quoted_line_break_does_not_shift_the_rows_after_it(trust):
    result = run(
        HEADER
        + '\ntest-trust,1,Ann,"Lee\nSmith",nurse,Surgery,,\ntest-trust,2,Bo,Ng,wizard,Surgery,,\n'
    )
    # Row 2 holds a line break inside a name (refused); row 3 is the wizard, as a spreadsheet
    # shows it.
    assert problems(result) == [(2, "last_name"), (3, "profession")]


def test_a_column_named_twice_is_refused(trust):
    with pytest.raises(HrFileError, match="'first_name' appears twice"):
        run(HEADER + ",first_name\n" + GOOD.rstrip("\n") + ",Bob\n")


def test_data_under_a_blank_heading_is_refused_naming_row_and_column(trust):
    with pytest.raises(HrFileError, match="row 3, column I"):
        run(
            HEADER
            + ",\n"
            + GOOD.rstrip("\n")
            + ",\n"
            + GOOD.rstrip("\n").replace(",1,", ",2,")
            + ",stray\n"
        )
    assert not Person.objects.exists()


def test_one_bad_leader_row_does_not_also_blame_their_reports(trust):
    result = run(
        HEADER
        + "\ntest-trust,1,Ann,Lee,wizard,Surgery,,\n"
        + "".join(f"test-trust,{n},P{n},Q,nurse,Surgery,,1\n" for n in range(2, 6))
    )
    assert problems(result) == [(2, "profession")]


@pytest.mark.parametrize("effective", ["9999-12-31", "0001-01-01"])
def test_import_hr_refuses_an_implausible_effective_date_cleanly(trust, tmp_path, effective):
    from django.core.management import CommandError, call_command

    path = tmp_path / "extract.csv"
    path.write_text(HEADER + "\n" + GOOD)
    with pytest.raises(CommandError, match="--effective"):
        call_command("import_hr", str(path), "--effective", effective)
    assert not Person.objects.exists()


def test_the_last_representable_effective_date_does_not_crash_the_checks(trust):
    assert not run(HEADER + "\n" + GOOD, effective=date.max, dry_run=True).total_problems
