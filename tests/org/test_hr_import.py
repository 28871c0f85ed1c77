"""The HR import: all or nothing, every problem named by row and column, idempotent."""

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinlead.audit.models import AuditEvent
from clinlead.org.hr_import import import_hr_extract
from clinlead.org.models import Organisation, Person, ReportingLine, Unit, UnitMembership
from clinlead.org.special_category import Demographics
from tests.migrated_sqlite import migrated_database, migrated_sqlite_fixture  # noqa: F401
from tests.org.hr_files import extract_rows, to_csv, to_xlsx

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)
REPO = str(Path(__file__).resolve().parents[2])


@pytest.fixture
def trust():
    return Organisation.objects.create(name="Test Trust", slug="test-trust")


@pytest.fixture
def rows(trust):
    return extract_rows(staff=1000, organisation=trust.slug)


def run(content, filename="extract.csv", **kwargs):
    kwargs.setdefault("dry_run", False)
    kwargs.setdefault("effective", TODAY)
    return import_hr_extract(actor=None, content=content, filename=filename, **kwargs)


def database_state():
    return (
        list(Person.objects.order_by("id").values_list("staff_number", "first_name", "active", "profession")),
        list(UnitMembership.objects.order_by("id").values_list("person_id", "unit_id", "start", "end")),
        list(ReportingLine.objects.order_by("id").values_list("person_id", "leader_id", "start", "end")),
        list(Unit.objects.order_by("id").values_list("path", flat=True)),
        list(Demographics.objects.order_by("person_id").values_list("person_id", "gender", "ethnicity")),
    )


def test_a_file_of_1000_rows_with_3_bad_rows_reports_exactly_those_3_and_writes_nothing(rows, trust):
    assert len(rows) >= 1000
    rows = rows[:1000]
    # Bad rows: an unknown profession, a date that is not a date, an empty last name.
    # Rows are numbered as in the file: the header is row 1, so rows[i] is row i + 2.
    rows[10]["profession"] = "surgeon-wizard"
    rows[500]["start_date"] = "31/02/2020"
    rows[999]["last_name"] = ""
    for row in rows:
        # Leaders outside the first 1000 rows are cut off; these rows keep no leader.
        if row["leader_staff_number"] not in {r["staff_number"] for r in rows}:
            row["leader_staff_number"] = ""
    run(to_csv(rows[:5]))  # something stored already, which must survive untouched
    before = database_state()
    events = AuditEvent.objects.count()

    result = run(to_csv(rows))

    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [
        (12, "profession"), (502, "start_date"), (1001, "last_name")]
    assert result.problems[0].value == "surgeon-wizard"
    assert "not a date" in result.problems[1].reason
    assert database_state() == before
    assert AuditEvent.objects.count() == events


def test_the_command_exits_non_zero_and_names_each_bad_row(rows, trust, tmp_path, capsys):
    rows[3]["work_email"] = "not-an-email"
    path = tmp_path / "extract.csv"
    path.write_bytes(to_csv(rows))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_hr", str(path), "--effective", TODAY.isoformat())
    err = capsys.readouterr().err
    assert "row 5, column work_email 'not-an-email': is not an e-mail address" in err
    assert Person.objects.count() == 0


def test_a_clean_file_prints_counts_and_a_second_run_changes_nothing(rows, trust, tmp_path, capsys):
    path = tmp_path / "extract.csv"
    path.write_bytes(to_csv(rows))
    call_command("import_hr", str(path), "--effective", TODAY.isoformat())
    first = capsys.readouterr().out
    assert f"created {len(rows)}, updated 0, deactivated 0" in first
    state = database_state()

    call_command("import_hr", str(path), "--effective", TODAY.isoformat())
    second = capsys.readouterr().out

    assert f"created 0, updated 0, deactivated 0, unchanged {len(rows)}" in second
    assert database_state() == state


@pytest.mark.sqlite_only  # the console script keeps its own SQLite file, whatever DATABASE_URL says
def test_the_console_script_runs_the_import(rows, trust, tmp_path, settings, migrated_sqlite):
    # Through the console script's module (`python -m clinlead`), against a file database of its
    # own (a copy of the run's migrated one).
    path = tmp_path / "extract.csv"
    path.write_bytes(to_csv(rows[:50]))
    migrated_database(tmp_path / "data", migrated_sqlite)
    env = {"CLINLEAD_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "PYTHONPATH": REPO}
    clinlead = [sys.executable, "-m", "clinlead"]
    done = subprocess.run([*clinlead, "import-hr", str(path), "--dry-run"], env=env, capture_output=True, text=True)
    assert done.returncode == 1  # that database has no such organisation: a named problem
    assert "is not an organisation you may import for" in done.stderr


def test_dry_run_counts_without_writing(rows, trust):
    result = run(to_csv(rows), dry_run=True)
    assert result.ok and result.created == len(rows)
    assert Person.objects.count() == 0


def test_excel_files_are_read_like_csv(rows, trust):
    result = run(to_xlsx(rows), filename="extract.xlsx")
    assert result.ok, result.problems[:3]
    assert Person.objects.filter(organisation=trust).count() == len(rows)


def test_people_missing_from_a_full_extract_are_marked_inactive_never_deleted(rows, trust):
    run(to_csv(rows))
    leaver = next(r for r in rows if not any(o["leader_staff_number"] == r["staff_number"] for o in rows))
    remaining = [r for r in rows if r is not leaver]

    result = run(to_csv(remaining), effective=TODAY + timedelta(days=30), full_extract=True)

    assert result.deactivated == 1
    person = Person.objects.get(staff_number=leaver["staff_number"])
    assert person.active is False
    membership = UnitMembership.objects.get(person=person)
    assert membership.end == TODAY + timedelta(days=29)


def test_a_partial_extract_leaves_missing_people_active(rows, trust):
    run(to_csv(rows))
    result = run(to_csv(rows[:10]), full_extract=False)
    assert result.deactivated == 0
    assert Person.objects.filter(active=True).count() == len(rows)


def test_a_move_closes_the_old_membership_and_keeps_the_history(rows, trust):
    run(to_csv(rows))
    mover = rows[20]
    old_unit = mover["unit_path"]
    mover["unit_path"] = "Surgery/Urology/New Team"
    later = TODAY + timedelta(days=10)

    result = run(to_csv(rows), effective=later)

    assert result.updated == 1 and result.units_created == 1
    person = Person.objects.get(staff_number=mover["staff_number"])
    history = list(UnitMembership.objects.filter(person=person).order_by("start").values_list("unit__path", "end"))
    assert history == [(old_unit, later - timedelta(days=1)), ("Surgery/Urology/New Team", None)]
    assert UnitMembership.objects.on(TODAY).get(person=person).unit.path == old_unit


def test_a_reporting_loop_is_a_problem_on_the_row_that_starts_it(rows, trust):
    a, b = rows[30], rows[31]
    a["leader_staff_number"], b["leader_staff_number"] = b["staff_number"], a["staff_number"]
    result = run(to_csv(rows))
    assert not result.ok
    assert {(p.row, p.column) for p in result.problems} == {(32, "leader_staff_number"), (33, "leader_staff_number")}
    assert "loop" in result.problems[0].reason


def test_a_leader_missing_from_a_full_extract_is_a_problem(rows, trust):
    rows[40]["leader_staff_number"] = "NOBODY1"
    result = run(to_csv(rows), full_extract=True)
    assert [(p.row, p.column, p.value) for p in result.problems] == [(42, "leader_staff_number", "NOBODY1")]


def test_a_staff_number_twice_in_one_file_is_a_problem(rows, trust):
    rows.append(dict(rows[0]))
    result = run(to_csv(rows))
    assert [(p.row, p.column) for p in result.problems] == [(len(rows) + 1, "staff_number")]
    assert "first on row 2" in result.problems[0].reason


def test_a_missing_required_column_is_reported_on_row_1(trust):
    from clinlead.org.hr_format import HrFileError

    with pytest.raises(HrFileError, match="row 1: missing required column"):
        run(b"organisation,staff_number\ntest-trust,1\n")


def test_special_category_values_are_not_echoed_in_problems(rows, trust):
    rows[2]["ethnicity"] = "martian"
    result = run(to_csv(rows))
    assert [(p.row, p.column, p.value) for p in result.problems] == [(4, "ethnicity", "")]


def test_an_applied_import_writes_one_audit_event_with_its_counts(rows, trust):
    run(to_csv(rows))
    event = AuditEvent.objects.get(action="hr.extract_imported")
    assert event.after["created"] == len(rows)
    assert event.organisation == trust


def test_a_change_dated_before_a_later_move_is_refused_and_history_is_kept(rows, trust):
    from clinlead.org.hr_format import HrFileError

    run(to_csv(rows))
    leaders = {r["leader_staff_number"] for r in rows}
    index, mover = next((i, r) for i, r in enumerate(rows) if r["staff_number"] not in leaders)
    mover["unit_path"] = "Surgery/Urology/New Team"
    run(to_csv(rows), effective=TODAY + timedelta(days=10))
    before = database_state()
    mover["unit_path"] = "Surgery/Theatres/Another Team"

    result = run(to_csv(rows), effective=TODAY)  # earlier than the move just recorded

    assert [(p.row, p.column) for p in result.problems] == [(index + 2, "staff_number")]
    assert "give a later effective date" in result.problems[0].reason
    assert database_state() == before
    # A leaver dated before their last move is refused whole, and nothing is erased.
    with pytest.raises(HrFileError, match="erase"):
        run(to_csv([r for r in rows if r is not mover]), effective=TODAY, full_extract=True)
    assert database_state() == before
