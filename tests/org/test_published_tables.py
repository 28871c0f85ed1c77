"""Category tables as shown are kept in the database (org.PublishedTable): a new table is shown
only where it and every table shown before leave no category part of 1..k-1 people, and
clearing the cache (or a second server with a cache of its own) forgets nothing.

The trust here is made to measure (k = 3): division A holds 4 women and 4 men, B the same.
"""

from datetime import date, timedelta

import pytest
from django.core.cache import cache

from clinlead.org.diversity import WOMAN, workforce_table
from clinlead.org.models import Person, PublishedTable, Unit, UnitMembership
from clinlead.org.special_category import Demographics
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db
TODAY = date.today()


def crafted_trust(**divisions):
    """A trust at k = 3 with division=(women, men); returns (trust, {division: [people]})."""
    trust = OrganisationFactory(name="Crafted Trust", min_responses=3)
    staff = {}
    for name, (women, men) in divisions.items():
        unit = Unit.objects.create(organisation=trust, name=name, path=name, depth=0, kind=Unit.Kind.DIVISION)
        staff[name] = []
        for gender in ["woman"] * women + ["man"] * men:
            person = PersonFactory(organisation=trust)
            Demographics.objects.update_or_create(person=person, defaults={"gender": gender})
            UnitMembership.objects.create(person=person, unit=unit, start=date(2020, 1, 1))
            staff[name].append(person)
    return trust, staff


def women_of(table, label):
    return next(row.count_of(WOMAN) for row in table.rows if row.label == label)


def shown(trust, day):
    return workforce_table(organisation=trust, day=day, dimension="gender")


def test_one_leaver_keeps_the_table_up_even_when_the_cache_is_cleared():
    """Yesterday's division A minus today's would give the leaver's gender; the table shown
    yesterday stays up. The history is in the database: emptying the cache (a flush, a new
    server) must not let today's table through."""
    trust, staff = crafted_trust(A=(4, 4), B=(4, 4))
    first = shown(trust, TODAY)
    assert first.held_since is None and women_of(first, "A") == 4
    Person.objects.filter(pk=staff["A"][0].pk).update(active=False)  # a woman of A leaves
    cache.clear()
    second = shown(trust, TODAY + timedelta(days=1))
    assert second.held_since == TODAY, "the table shown before stays up"
    assert second.rows == first.rows
    cache.clear()
    assert shown(trust, TODAY + timedelta(days=2)).rows == first.rows


def test_k_people_alike_leaving_may_show_and_one_of_another_kind_may_not():
    trust, staff = crafted_trust(A=(7, 4), B=(5, 5))
    first = shown(trust, TODAY)
    leave = [staff["A"][0], staff["A"][1], staff["A"][-1]]  # two women and a man
    Person.objects.filter(pk__in=[p.pk for p in leave]).update(active=False)
    assert shown(trust, TODAY + timedelta(days=1)).held_since == TODAY
    Person.objects.filter(pk=staff["A"][-1].pk).update(active=True)
    Person.objects.filter(pk=staff["A"][2].pk).update(active=False)  # three women have left A
    third = shown(trust, TODAY + timedelta(days=2))
    assert third.held_since is None and third.rows != first.rows
    assert women_of(third, "A") == 4


def test_the_same_people_show_the_same_table_and_keep_one_record():
    trust, _ = crafted_trust(A=(4, 4), B=(5, 5))
    first = shown(trust, TODAY)
    again = shown(trust, TODAY + timedelta(days=1))
    assert again.held_since is None and again.rows == first.rows
    assert PublishedTable.objects.filter(organisation=trust, kind="workforce", dimension="gender").count() == 1


def test_a_record_holds_the_figures_shown_and_the_rows_people_sat_in_never_a_category():
    trust, staff = crafted_trust(A=(4, 4), B=(5, 5))
    shown(trust, TODAY)
    record = PublishedTable.objects.get(organisation=trust, kind="workforce", dimension="gender")
    rows = [key for key, *_ in record.figures]
    assert rows == [["unit", "A"], ["unit", "B"], ["organisation", trust.slug]]
    # Each group: the rows its people sat in, and their ids; A's women and men are one group.
    groups = {tuple(sat_in): sorted(ids) for sat_in, ids in record.counted}
    assert groups == {(0, 2): sorted(p.pk for p in staff["A"]), (1, 2): sorted(p.pk for p in staff["B"])}
    stored = repr(record.counted)
    assert "oman" not in stored and "man" not in stored.lower()
