"""Terms and rotation: two four-year terms in a row at most, unless an exception with a reason
is recorded (and audited as its own action); warnings 18, 12 and 6 months ahead, each sent once."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinlead.audit.models import AuditEvent
from clinlead.dates import add_months
from clinlead.org import appointments
from clinlead.org.models import Appointment, Position, PositionLevel, Unit
from clinlead.succession import terms
from clinlead.succession.models import TermWarning
from tests.succession.conftest import northgate_people, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(northgate):
    unit = Unit.objects.get(organisation=northgate, path="Medicine/Cardiology")
    level = PositionLevel.objects.get(organisation=northgate, name="Clinical director")
    return Position.objects.create(organisation=northgate, title="Clinical Lead, Heart Failure", unit=unit,
                                   level=level, is_key=True)


def appoint(post, person, start, **kwargs):
    return appointments.appoint(actor=user("tara"), position=post, person=person, start=start,
                         management_sessions=2, clinical_sessions=8, **kwargs)


def test_a_third_consecutive_term_is_refused_without_an_exception_and_accepted_with_one(post, login):
    person = northgate_people(count=1)[0]
    first = appoint(post, person, date.today() - timedelta(days=3 * 365))
    assert (first.term_number, first.end) == (1, add_months(first.start, 48) - timedelta(days=1))
    second = appointments.reappoint(actor=user("tara"), appointment=first)
    assert second.term_number == 2 and second.start == first.end + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        appointments.reappoint(actor=user("tara"), appointment=second)
    assert "term_limit_exception" in refused.value.message_dict
    assert Appointment.objects.filter(position=post).count() == 2
    assert not AuditEvent.objects.filter(action="succession.term_limit_exception").exists()

    third = appointments.reappoint(actor=user("tara"), appointment=second,
                            term_limit_exception="Leads the hospital's cardiac reconfiguration until it completes")
    assert third.term_number == 3
    assert third.term_limit_exception.startswith("Leads the hospital's")
    event = AuditEvent.objects.get(action="succession.term_limit_exception")
    assert event.object_id == str(third.pk) and event.after["reason"] == third.term_limit_exception
    assert event.after["term_number"] == 3 and event.after["max_consecutive_terms"] == 2
    assert event.actor.username == "tara"
    log = login("aude").get(reverse("audit:log", kwargs={"slug": "northgate"}) + "?action=term_limit").content.decode()
    assert "succession.term_limit_exception" in log and "cardiac reconfiguration" in log


def test_the_reappoint_page_shows_the_refusal_on_the_exception_field(post, login):
    person = northgate_people(count=1)[0]
    first = appoint(post, person, date.today() - timedelta(days=365))
    second = appointments.reappoint(actor=user("tara"), appointment=first)
    url = reverse("succession:reappoint", kwargs={"pk": second.pk})
    response = login("tara").post(url, {"management_sessions": "2", "clinical_sessions": "8"})
    assert response.status_code == 200
    assert "the limit is 2 terms of 4 years" in response.content.decode()
    response = login("tara").post(url, {"management_sessions": "2", "clinical_sessions": "8",
                                        "term_limit_exception": "No one else is ready"})
    assert response.status_code == 302
    assert Appointment.objects.filter(position=post, term_number=3, term_limit_exception="No one else is ready").exists()


def test_a_break_between_terms_starts_the_count_again(post):
    person = northgate_people(count=1)[0]
    old = appoint(post, person, date.today() - timedelta(days=10 * 365))
    assert old.end < date.today() - timedelta(days=365)
    again = appoint(post, person, date.today())
    assert again.term_number == 1 and again.term_limit_exception == ""


def test_appointing_someone_new_ends_the_holders_term_the_day_before(post):
    first, second = northgate_people(count=2)
    holder = appoint(post, first, date.today() - timedelta(days=400))
    successor = appoint(post, second, date.today())
    holder.refresh_from_db()
    assert holder.ended_on == date.today() - timedelta(days=1)
    assert successor.term_number == 1
    assert AuditEvent.objects.get(action="succession.appointed", object_id=str(successor.pk)).after[
        "previous_holder_appointments_ended"] == [holder.pk]


def test_each_warning_is_sent_once_to_the_holder_and_the_talent_admins(post, mailoutbox):
    person = northgate_people(count=1)[0]
    start = add_months(date.today(), 17) - timedelta(days=4 * 365)
    appointment = appoint(post, person, start)
    today = date.today()

    def ours():
        return [m for m in mailoutbox if post.title in m.subject]

    terms.send_term_warnings(today=today)
    assert len(ours()) == 1
    message = ours()[0]
    assert "18 months" in message.subject
    assert message.to == [person.work_email]
    assert "tara@northgate.nhs.example" in message.cc
    assert reverse("succession:pool", kwargs={"pk": post.pk}) in message.body
    terms.send_term_warnings(today=today)
    assert len(ours()) == 1, "a warning is sent once"
    terms.send_term_warnings(today=add_months(appointment.end, -12))
    assert [m.subject for m in ours()][-1].endswith("term ends within 12 months")
    assert set(TermWarning.objects.filter(appointment=appointment).values_list("months_before", flat=True)) == {18, 12}


def test_a_late_first_run_sends_only_the_most_urgent_warning(post, mailoutbox):
    person = northgate_people(count=1)[0]
    appointment = appoint(post, person, add_months(date.today(), 5) - timedelta(days=4 * 365))
    terms.send_term_warnings(today=date.today())
    mine = [m for m in mailoutbox if post.title in m.subject]
    assert len(mine) == 1 and "6 months" in mine[0].subject
    recorded = dict(TermWarning.objects.filter(appointment=appointment).values_list("months_before", "emailed"))
    assert recorded == {18: False, 12: False, 6: True}


def test_the_warning_links_to_starting_a_selection(post):
    assert terms.selection_link(post) == reverse("succession:start_selection", kwargs={"pk": post.pk})


def test_starting_a_selection_opens_a_vacancy_and_goes_to_its_selection(post, login):
    from clinlead.selection.models import Vacancy

    url = reverse("succession:start_selection", kwargs={"pk": post.pk})
    response = login("tara").post(url, {"reason": "term_ending", "note": ""})
    vacancy = Vacancy.objects.get(position=post)
    assert vacancy.reason == "term_ending"
    assert response.status_code == 302 and response["Location"] == vacancy.selection.get_absolute_url()


def test_rotation_history_shows_on_the_pool_page(post, login):
    first, second = northgate_people(count=2)
    appoint(post, first, date.today() - timedelta(days=400))
    appoint(post, second, date.today())
    page = login("tara").get(reverse("succession:pool", kwargs={"pk": post.pk})).content.decode()
    assert first.full_name in page and second.full_name in page
