"""Every applied HR import can be reversed, by one audited action, for 30 days: leavers are back
in post with their rows and logins, changed details and rows are as before, people it added are
gone; what a later change depends on is left alone, and a refusal says why."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from clinlead.accounts.models import User
from clinlead.audit.models import AuditEvent
from clinlead.org.hr_import import import_hr_extract
from clinlead.org.hr_reversal import plan_reversal, reverse_hr_import
from clinlead.org.models import (
    HrImport,
    Organisation,
    Person,
    ReportingLine,
    Site,
    Unit,
    UnitMembership,
)
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


def run(rows, *, effective=TODAY + timedelta(days=7), **kwargs):
    result = import_hr_extract(actor=None, content=to_csv(rows), filename="extract.csv", dry_run=False,
                               effective=effective, **kwargs)
    assert result.ok, result.problems[:3]
    return result.imports[0]


def state():
    """Everything an import changes, without row ids (reversal may recreate a deleted row)."""
    return (
        sorted(Person.objects.values_list("staff_number", "first_name", "last_name", "work_email", "profession",
                                          "grade", "start_date", "active")),
        sorted(UnitMembership.objects.values_list("person__staff_number", "unit__path", "start", "end")),
        sorted(ReportingLine.objects.values_list("person__staff_number", "leader__staff_number", "start", "end")),
        sorted(Unit.objects.values_list("path", flat=True)),
        sorted(Site.objects.values_list("code", flat=True)),
        sorted(User.objects.values_list("username", "is_active")),
    )


def test_a_mass_leaver_import_is_reversed_whole_logins_included(rows, trust):
    logins = [UserFactory(person=p) for p in Person.objects.filter(organisation=trust)[:5]]
    before = state()
    applied = run(rows[:3], full_extract=True, confirm_leavers=len(rows) - 3)
    assert Person.objects.filter(active=True).count() == 3
    assert not any(User.objects.get(pk=u.pk).is_active for u in logins if u.person.staff_number not in
                   {r["staff_number"] for r in rows[:3]})

    plan = reverse_hr_import(actor=None, hr_import=applied)

    assert len(plan.back_in_post) == len(rows) - 3
    assert state() == before
    event = AuditEvent.objects.get(action="hr.import_reversed")
    assert event.after["back_in_post"] == len(rows) - 3
    assert HrImport.objects.get(pk=applied.pk).reversed_at is not None


def test_changed_details_moves_and_new_people_are_undone(rows, trust):
    before = state()
    changed = [dict(r) for r in rows]
    changed[5]["last_name"] = "Renamed"
    changed[6]["unit_path"] = "Surgery/Brand New Department/New Team"
    changed[7]["grade"] = "Band 9"
    newcomer = dict(rows[8], staff_number="NEW0001", first_name="Nia", last_name="Newcomer",
                    work_email="nia.newcomer@example.org", leader_staff_number=rows[8]["staff_number"],
                    site="NEWSITE", unit_path="Surgery/Brand New Department/Second Team")
    applied = run([*changed, newcomer])
    assert Person.objects.filter(staff_number="NEW0001").exists()

    plan = reverse_hr_import(actor=None, hr_import=applied)

    assert (len(plan.restored), len(plan.removed)) == (3, 1)
    assert state() == before


def test_a_same_day_correction_is_undone_too(rows, trust):
    before = state()
    changed = [dict(r) for r in rows]
    changed[6]["unit_path"] = "Surgery/Another Department"
    applied = run(changed, effective=TODAY)  # replaces the row opened on that day
    reverse_hr_import(actor=None, hr_import=applied)
    assert state() == before


def test_a_person_changed_again_by_a_later_import_is_left_as_they_are(rows, trust):
    first = [dict(r) for r in rows]
    first[5]["last_name"] = "First"
    first[9]["last_name"] = "OnlyFirst"
    earlier = run(first)
    second = [dict(r) for r in first]
    second[5]["last_name"] = "Second"
    run(second, effective=TODAY + timedelta(days=14))

    plan = reverse_hr_import(actor=None, hr_import=earlier)

    assert Person.objects.get(staff_number=rows[5]["staff_number"]).last_name == "Second"
    assert Person.objects.get(staff_number=rows[9]["staff_number"]).last_name == rows[9]["last_name"]
    assert len(plan.changed_since) == 1


def test_a_new_person_with_a_login_since_is_kept(rows, trust):
    newcomer = dict(rows[8], staff_number="NEW0002", leader_staff_number="")
    changed = [dict(r, grade="Band 9") if i == 3 else r for i, r in enumerate(rows)]
    applied = run([*changed, newcomer])
    UserFactory(person=Person.objects.get(staff_number="NEW0002"))

    plan = reverse_hr_import(actor=None, hr_import=applied)

    assert len(plan.kept_new) == 1 and not plan.removed and len(plan.restored) == 1
    assert Person.objects.filter(staff_number="NEW0002").exists()


def test_a_reversal_is_refused_after_30_days_and_when_done_already(rows, trust):
    changed = [dict(r, grade="Band 9") if i == 3 else r for i, r in enumerate(rows)]
    applied = run(changed)
    HrImport.objects.filter(pk=applied.pk).update(applied_at=applied.applied_at - timedelta(days=31))
    with pytest.raises(ValidationError, match="can be reversed for 30 days only"):
        reverse_hr_import(actor=None, hr_import=HrImport.objects.get(pk=applied.pk))
    HrImport.objects.filter(pk=applied.pk).update(applied_at=applied.applied_at)
    reverse_hr_import(actor=None, hr_import=applied)
    with pytest.raises(ValidationError, match="already reversed"):
        reverse_hr_import(actor=None, hr_import=HrImport.objects.get(pk=applied.pk))


def test_an_import_that_changed_nothing_has_nothing_to_reverse(rows, trust):
    applied = run(rows)
    with pytest.raises(ValidationError, match="Nothing of this import is left to reverse"):
        plan_reversal(hr_import=applied)


def test_the_command_reverses_and_refuses_with_the_reason(rows, trust, capsys):
    applied = run([dict(r, grade="Band 9") if i == 3 else r for i, r in enumerate(rows)])
    call_command("reverse_hr_import", str(applied.pk))
    assert "1 given their earlier details" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already reversed"):
        call_command("reverse_hr_import", str(applied.pk))
