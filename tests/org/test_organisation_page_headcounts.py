"""The staff counts on the organisation's and units' pages: each unit shows the active people
in its whole subtree, counted once each. (The organisation page once showed each division with
only the few people sitting directly in the division unit: the departments' count at depth 1
overwrote the division's total.)"""

import re
from datetime import date, timedelta

import pytest

from clinlead.org.models import Unit, UnitMembership

pytestmark = pytest.mark.django_db

SHOWN = re.compile(r'href="/org/units/(\d+)/">[^<]*</a>\s*<span[^>]*>\((?:[^,)]*, )?([\d,]+) staff\)')


def people_in_subtree(unit, day):
    return set(UnitMembership.objects.on(day).filter(
        unit__organisation=unit.organisation, person__active=True,
        unit__path__regex=r"^" + re.escape(unit.path) + r"(/|$)").values_list("person_id", flat=True))


def shown_counts(html):
    return {int(pk): int(n.replace(",", "")) for pk, n in SHOWN.findall(html)}


def test_the_organisation_page_shows_each_division_and_department_with_its_whole_staff(demo, login):
    org = demo.organisations["northgate"]
    today = date.today()
    divisions = Unit.objects.filter(organisation=org, depth=0)
    # someone sitting directly in a division, and someone in two teams of one department
    division = next(d for d in divisions if d.children.filter(children__isnull=False).exists())
    department = division.children.filter(children__isnull=False).first()
    teams = list(department.children.all()[:2])
    newcomer = UnitMembership.objects.on(today).filter(unit__organisation=org, person__active=True).exclude(
        unit__path__startswith=division.path).first().person
    UnitMembership.objects.create(person=newcomer, unit=division, start=today - timedelta(days=1))
    twice = UnitMembership.objects.on(today).filter(unit=teams[0], person__active=True).first().person
    if len(teams) > 1:
        UnitMembership.objects.create(person=twice, unit=teams[1], start=today - timedelta(days=1))

    shown = shown_counts(login("admin").get(f"/org/{org.slug}/").content.decode())
    units = Unit.objects.filter(organisation=org, depth__lte=1)
    assert {u.pk for u in units} <= set(shown)
    for unit in units:
        assert shown[unit.pk] == len(people_in_subtree(unit, today)), unit.path
    assert shown[division.pk] > UnitMembership.objects.on(today).filter(unit=division).count()


def test_a_units_page_shows_each_unit_below_with_its_whole_staff(demo, login):
    org = demo.organisations["northgate"]
    today = date.today()
    division = next(d for d in Unit.objects.filter(organisation=org, depth=0) if d.children.exists())
    shown = shown_counts(login("admin").get(f"/org/units/{division.pk}/").content.decode())
    children = list(division.children.all())
    assert {c.pk for c in children} <= set(shown)
    for child in children:
        assert shown[child.pk] == len(people_in_subtree(child, today)), child.path
