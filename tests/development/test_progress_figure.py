"""One progress figure for a programme: milestones done as a whole per cent, a half rounded up.
The candidate card (worked out in Python) and talent search (worked out by the database) show
the same number; before, 1 of 8 was 12 % on the card and 13 % in search."""

import pytest

from clinlead.development.models import Enrolment, MilestoneRecord
from clinlead.development.selectors import (
    development_summary,
    progress_percent,
    with_programme_progress,
)
from clinlead.org.models import Person


@pytest.mark.parametrize(("done", "total", "percent"), [
    (0, 0, 0), (0, 9, 0), (1, 8, 13), (3, 8, 38), (1, 9, 11), (5, 9, 56), (1, 3, 33), (2, 3, 67),
    (9, 9, 100), (1, 200, 1), (1, 400, 0),
])
def test_the_figure_is_the_share_done_a_half_rounded_up(done, total, percent):
    assert progress_percent(done, total) == percent


@pytest.mark.django_db
@pytest.mark.parametrize(("done", "total"), [(1, 8), (3, 8), (5, 8), (1, 9), (4, 9), (0, 8), (8, 8)])
def test_the_candidate_card_and_talent_search_show_the_same_figure(demo, done, total):
    enrolment = (Enrolment.objects.filter(person__organisation__slug="northgate").order_by("id")
                 .select_related("person").first())
    records = list(MilestoneRecord.objects.filter(enrolment=enrolment).order_by("milestone__order"))
    assert len(records) >= total
    MilestoneRecord.objects.filter(pk__in=[r.pk for r in records[total:]]).delete()
    MilestoneRecord.objects.filter(enrolment=enrolment).update(done=False)
    MilestoneRecord.objects.filter(pk__in=[r.pk for r in records[:done]]).update(done=True)
    person = enrolment.person
    assert Enrolment.objects.filter(person=person).count() == 1, "the card shows this enrolment"

    card = development_summary(person=person)["programme"]["progress_percent"]
    search = with_programme_progress(Person.objects.filter(pk=person.pk)).get().programme_progress
    assert card == search == progress_percent(done, total)
