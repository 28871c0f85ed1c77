"""The home inbox: each app's to-dos for the person, most urgent first, nothing anonymous."""

import re
from datetime import date, timedelta

from django.urls import reverse

from clinlead import todos
from clinlead.development.models_programmes import MilestoneRecord
from clinlead.org.models import Appointment
from clinlead.surveys.models import Invitation
from tests.factories import user


def inbox_of(client):
    page = client.get(reverse("home")).content.decode()
    section = page[page.index('id="inbox"'):page.index("</section>", page.index('id="inbox"'))]
    return section


def titles(section):
    return re.findall(r'<a class="nhsuk-body-l[^"]*" href="[^"]+">([^<]+)</a>', section)


def test_each_app_registers_its_own_to_do_provider():
    modules = {provider.__module__ for provider in todos.providers()}
    assert {"clinlead.development.todos", "clinlead.selection.todos", "clinlead.surveys.todos",
            "clinlead.succession.todos"} <= modules


def test_bobs_to_dos_are_on_his_home_page_earliest_due_first_undated_last(demo, login):
    shown = titles(inbox_of(login("bob")))
    assert "Vote: choose the shortlist for Head of Specialty, Cardiology" in shown
    assert "Your 2026 leader survey" in shown
    feedback = next(t for t in shown if t.startswith("Give 360 feedback for"))
    # The ballot closes before the survey; a 360 request has no date, so it comes after both.
    assert shown.index("Vote: choose the shortlist for Head of Specialty, Cardiology") \
        < shown.index("Your 2026 leader survey") < shown.index(feedback)


def test_an_overdue_milestone_leads_the_inbox_tagged_overdue(demo, login):
    bob = user("bob").person
    record = MilestoneRecord.objects.filter(enrolment__person=bob,
                                            completed_on__isnull=True).first()
    record.due_on = date.today() - timedelta(days=3)
    record.save(update_fields=["due_on"])
    section = inbox_of(login("bob"))
    assert titles(section)[0] == record.milestone.title
    first = section[section.index('data-urgency="'):]
    assert first.startswith('data-urgency="overdue"') and "nhsuk-tag--red\">Overdue<" in first


def test_answering_the_survey_takes_it_off_only_ones_own_inbox_and_says_nothing_of_it(demo, login):
    bob = user("bob").person
    Invitation.objects.filter(person=bob).update(used=True)
    bobs, alices = inbox_of(login("bob")), inbox_of(login("alice"))
    assert "leader survey" not in bobs
    assert "Your 2026 leader survey" in alices
    for section in (bobs, alices):
        assert not re.search(r"answered|voted|not voted|responded", section, re.IGNORECASE)


def test_a_holder_whose_term_ends_within_18_months_sees_it_in_the_inbox(demo, login):
    alice = user("alice").person
    held = (Appointment.objects.held_on(date.today()).filter(person=alice)
            .select_related("position").first())
    held.end = date.today() + timedelta(days=200)
    held.save(update_fields=["end"])
    shown = titles(inbox_of(login("alice")))
    assert any(t.startswith(f"Your term as {held.position.title} ends on") for t in shown)


def test_someone_with_nothing_to_do_is_told_so(db, client):
    from tests.factories import UserFactory
    client.force_login(UserFactory())
    assert "Nothing waiting for you." in inbox_of(client)
