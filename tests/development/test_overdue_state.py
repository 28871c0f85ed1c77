"""An enrolment with a milestone past its due date is "Overdue" (a red tag) wherever its status
shows, never "In progress"."""

from datetime import date, timedelta

from django.urls import reverse

from clinlead.development.models_programmes import Enrolment, MilestoneRecord
from clinlead.development.selectors import development_summary, enrolment_progress
from tests.factories import user


def _make_overdue(person):
    record = (MilestoneRecord.objects.filter(enrolment__person=person, completed_on__isnull=True,
                                             enrolment__status=Enrolment.Status.ACTIVE)
              .select_related("enrolment").first())
    record.due_on = date.today() - timedelta(days=10)
    record.save(update_fields=["due_on"])
    return record.enrolment


def test_a_running_enrolment_past_a_due_date_is_overdue_not_in_progress(demo):
    enrolment = _make_overdue(user("bob").person)
    progress = enrolment_progress(enrolment)
    assert (progress.status, progress.status_tag) == ("Overdue", "red")
    assert development_summary(person=enrolment.person)["programme"]["status"] == "Overdue"


def test_a_paused_enrolment_is_paused_even_with_a_date_passed(demo):
    enrolment = _make_overdue(user("bob").person)
    enrolment.status = Enrolment.Status.PAUSED
    enrolment.save(update_fields=["status"])
    assert enrolment_progress(enrolment).status == "Paused"


def test_the_person_page_tags_the_programme_overdue_in_red(demo, login):
    bob = user("bob").person
    _make_overdue(bob)
    page = login("bob").get(reverse("development:person", kwargs={"pk": bob.pk})).content.decode()
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' in page
    assert ">In progress</strong>" not in page
