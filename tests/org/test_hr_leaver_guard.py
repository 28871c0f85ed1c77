"""A full extract that would mark many people, a key-position holder or the importer as having
left is applied only with the count confirmed; an ordinary file is a partial update."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinlead.org.forms import HrUploadForm
from clinlead.org.hr_format import (
    HrFileError as LeaversNotConfirmed,  # its base: the checks run on old code
)
from clinlead.org.hr_import import import_hr_extract
from clinlead.org.models import Appointment, Organisation, Person, Position, PositionLevel, Unit
from tests.factories import UserFactory
from tests.org.hr_files import imported_extract, to_csv

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


@pytest.fixture
def trust():
    return Organisation.objects.create(name="Test Trust", slug="test-trust")


@pytest.fixture
def rows(trust):
    return imported_extract(trust, effective=TODAY)


def run(rows, **kwargs):
    kwargs.setdefault("dry_run", False)
    kwargs.setdefault("effective", TODAY + timedelta(days=7))
    kwargs.setdefault("actor", None)
    return import_hr_extract(content=to_csv(rows), filename="extract.csv", **kwargs)


def without_leaders_of(rows, leaving):
    """The file minus `leaving`; people who reported to them report to nobody in it."""
    gone = {r["staff_number"] for r in leaving}
    return [dict(r, leader_staff_number="" if r["leader_staff_number"] in gone else r["leader_staff_number"])
            for r in rows if r["staff_number"] not in gone]


def non_leaders(rows):
    leaders = {r["leader_staff_number"] for r in rows}
    return [r for r in rows if r["staff_number"] not in leaders]


def in_post(trust):
    return Person.objects.filter(organisation=trust, active=True).count()


def test_the_page_and_the_service_default_to_a_partial_update(rows, trust):
    assert HrUploadForm().fields["full_extract"].initial is False
    result = run(rows[:10])
    assert result.deactivated == 0
    assert in_post(trust) == len(rows)


def test_a_full_extract_marking_more_than_5_percent_as_left_is_refused_without_the_count(rows, trust):
    kept = rows[: len(rows) // 2]
    leaving = len(rows) - len(kept)
    kept = without_leaders_of(kept, rows[len(rows) // 2:])

    with pytest.raises(LeaversNotConfirmed, match=f"would mark {leaving} people as having left"):
        run(kept, full_extract=True)
    assert in_post(trust) == len(rows), "a refused import changed who is in post"
    with pytest.raises(LeaversNotConfirmed, match=f"you confirmed {leaving - 1}"):
        run(kept, full_extract=True, confirm_leavers=leaving - 1)
    assert in_post(trust) == len(rows)

    result = run(kept, full_extract=True, confirm_leavers=leaving)
    assert result.deactivated == leaving
    assert in_post(trust) == len(kept)


def test_a_dry_run_says_why_and_the_confirmation_phrase_names_the_count(rows, trust):
    from clinlead.org.hr_guard import phrase_matches

    kept = without_leaders_of(rows[:20], rows[20:])
    result = run(kept, full_extract=True, dry_run=True)
    reasons = " ".join(result.leaver_check.reasons)
    assert f"{len(rows) - 20} of the {len(rows)} people in post at Test Trust" in reasons
    assert "more than the 5 %" in reasons
    assert phrase_matches(f"Mark  {len(rows) - 20} as LEFT ", len(rows) - 20)
    assert not phrase_matches(f"mark {len(rows) - 21} as left", len(rows) - 20)
    assert not phrase_matches("", len(rows) - 20)


def test_a_few_leavers_under_the_share_need_no_confirmation(rows, trust):
    leaver = non_leaders(rows)[0]
    result = run([r for r in rows if r is not leaver], full_extract=True)
    assert result.deactivated == 1
    assert not result.leaver_check.needs_confirmation


def test_the_share_is_a_setting(rows, trust, settings):
    settings.CLINLEAD_HR_LEAVER_CONFIRM_PERCENT = 60
    kept = without_leaders_of(rows[: len(rows) // 2], rows[len(rows) // 2:])
    result = run(kept, full_extract=True)
    assert result.deactivated == len(rows) - len(kept)


def test_one_key_position_holder_leaving_needs_the_confirmation_and_is_listed_first(rows, trust):
    holder_row, other_row = non_leaders(rows)[:2]
    holder = Person.objects.get(organisation=trust, staff_number=holder_row["staff_number"])
    unit = Unit.objects.filter(organisation=trust).first()
    level = PositionLevel.objects.create(organisation=trust, name="Clinical director", rank=3)
    position = Position.objects.create(organisation=trust, title="Clinical Director for Surgery", unit=unit,
                                       level=level, is_key=True)
    Appointment.objects.create(position=position, person=holder, start=TODAY - timedelta(days=400),
                               end=TODAY + timedelta(days=1000))
    kept = [r for r in rows if r not in (holder_row, other_row)]

    check = run(kept, full_extract=True, dry_run=True).leaver_check
    assert check.reasons == ["1 of them holds a key position"]
    assert [(lv.staff_number, lv.key_positions) for lv in check.leavers][0] == (
        holder_row["staff_number"], ["Clinical Director for Surgery"])
    with pytest.raises(LeaversNotConfirmed, match="would mark 2 people as having left: 1 of them holds a key"):
        run(kept, full_extract=True)
    assert Person.objects.get(pk=holder.pk).active


def test_the_importer_marked_as_left_is_warned_and_must_confirm(rows, trust):
    me_row = non_leaders(rows)[0]
    me = UserFactory(person=Person.objects.get(organisation=trust, staff_number=me_row["staff_number"]))
    kept = [r for r in rows if r is not me_row]

    check = run(kept, full_extract=True, dry_run=True, actor=me).leaver_check
    assert check.importer_leaves
    assert [lv.is_importer for lv in check.leavers] == [True]
    assert "you, who are applying it, are not in the file" in check.reasons[0]
    with pytest.raises(LeaversNotConfirmed):
        run(kept, full_extract=True, actor=me)
    me.refresh_from_db()
    assert me.is_active


def test_the_command_is_partial_by_default_and_needs_the_flag_and_the_count(rows, trust, tmp_path, capsys):
    path = tmp_path / "half.csv"
    kept = without_leaders_of(rows[: len(rows) // 2], rows[len(rows) // 2:])
    leaving = len(rows) - len(kept)
    path.write_bytes(to_csv(kept))
    effective = ["--effective", (TODAY + timedelta(days=7)).isoformat()]

    call_command("import_hr", str(path), *effective)
    assert "deactivated 0" in capsys.readouterr().out
    with pytest.raises(CommandError, match=f"--confirm-leavers {leaving}"):
        call_command("import_hr", str(path), "--full-extract", *effective)
    assert in_post(trust) == len(rows)
    with pytest.raises(CommandError, match="goes with --full-extract"):
        call_command("import_hr", str(path), "--confirm-leavers", str(leaving), *effective)

    call_command("import_hr", str(path), "--full-extract", "--confirm-leavers", str(leaving), *effective)
    out = capsys.readouterr().out
    assert f"deactivated {leaving}" in out
    assert "clinlead reverse-hr-import" in out
    assert in_post(trust) == len(kept)
