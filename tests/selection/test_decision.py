"""The final choice: a committee of leaders from other departments, their declarations, votes and
reasons; the appointment and its term; everyone told."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from clinlead.audit.models import AuditEvent
from clinlead.org.models import Appointment, Person
from clinlead.selection import selectors, services
from clinlead.selection.models import Selection
from tests.selection import factories as f

pytestmark = pytest.mark.django_db
REASONS = "The staff's first choice, with the clearest plan for the service."


def seat(selection, people):
    members = []
    for person in people:
        member = services.add_committee_member(actor=f.user("tara"), selection=selection, person=person)
        services.declare_interest(actor=None, member=member, has_conflict=False)
        members.append(member)
    return members


def counted_with(members_setup, **kwargs):
    """A counted selection whose committee `members_setup(selection)` seated before the ballot."""
    selection = f.interviewing(**kwargs)
    f.attend_all(selection)
    members = members_setup(selection)
    selection = f.open_ballot(selection)
    f.vote_all(selection)
    f.close(selection)
    services.count_ballots(actor=f.user("tara"), selection=selection, seed=7)
    return Selection.objects.get(pk=selection.pk), members


def test_the_committee_comes_from_other_departments_and_must_lead(demo):
    selection = f.interviewing()
    tara = f.user("tara")
    with pytest.raises(ValidationError, match="inside Medicine"):
        services.add_committee_member(actor=tara, selection=selection, person=f.persona("alice"))
    with pytest.raises(ValidationError, match="is a candidate"):
        services.add_committee_member(actor=tara, selection=selection, person=selection.candidates.first().person)
    with pytest.raises(ValidationError, match="not a leader"):
        services.add_committee_member(actor=tara, selection=selection, person=f.persona("erin"))
    with pytest.raises(ValidationError, match="not active staff"):
        services.add_committee_member(actor=tara, selection=selection, person=f.persona("charlie"))
    member = services.add_committee_member(actor=tara, selection=selection, person=f.committee_people(selection)[0])
    with pytest.raises(ValidationError, match="already on the committee"):
        services.add_committee_member(actor=tara, selection=selection, person=member.person)


def test_a_member_who_declares_a_conflict_takes_no_part(demo):
    def setup(selection):
        return seat(selection, f.committee_people(selection, 3))

    selection, (first, *others) = counted_with(setup)
    top = selection.candidates.get(shortlist_rank=1)
    # A conflict found after the ballot opened: the member steps back, with the reason recorded.
    with pytest.raises(ValidationError, match="Describe"):
        services.declare_interest(actor=None, member=first, has_conflict=True)
    services.declare_interest(actor=None, member=first, has_conflict=True, details="Married to a candidate.")
    with pytest.raises(ValidationError, match="conflict of interest"):
        services.record_committee_vote(actor=None, member=first, candidate=top, rationale=REASONS)
    services.declare_interest(actor=None, member=others[0], has_conflict=True, details="Trained a candidate.")
    # Two members free of conflicts are fewer than the three the decision needs.
    for m in others[1:]:
        services.record_committee_vote(actor=None, member=m, candidate=top, rationale=REASONS)
    winner, problems = selectors.committee_decision(selection=selection)
    assert winner is None and "at least 3" in problems[0]


def test_a_member_must_declare_before_voting(demo):
    selection = f.interviewing()
    services.add_committee_member(actor=None, selection=selection, person=f.committee_people(selection)[0])
    with pytest.raises(ValidationError, match="declares their interests before the ballot opens"):
        f.seat_committee(selection, 2)
        f.open_ballot(selection)


def test_votes_must_be_for_the_shortlist_and_come_with_reasons(demo):
    selection, members = counted_with(lambda s: seat(s, f.committee_people(s, 3)), candidates=4, shortlist_size=2)
    member = members[0]
    off_list = selection.candidates.filter(shortlist_rank__isnull=True).first()
    with pytest.raises(ValidationError, match="on the shortlist"):
        services.record_committee_vote(actor=None, member=member, candidate=off_list, rationale=REASONS)
    with pytest.raises(ValidationError, match="reasons"):
        services.record_committee_vote(actor=None, member=member, candidate=selection.candidates.get(shortlist_rank=1),
                                       rationale="Good.")


def test_without_a_majority_there_is_no_decision(demo):
    selection, members = counted_with(lambda s: seat(s, f.committee_people(s, 3)), candidates=4, shortlist_size=3)
    first, second, third = (selection.candidates.get(shortlist_rank=r) for r in (1, 2, 3))
    for member, choice in zip(members, [first, second, third], strict=True):
        services.record_committee_vote(actor=None, member=member, candidate=choice, rationale=REASONS)
    winner, problems = selectors.committee_decision(selection=selection)
    assert winner is None and "majority" in problems[0] and "no chair" in problems[0]
    with pytest.raises(ValidationError, match="majority"):
        services.confirm_appointment(actor=None, selection=selection, start=date.today())
    services.record_committee_vote(actor=None, member=members[2], candidate=first, rationale=REASONS)
    assert selectors.committee_decision(selection=selection) == (first, [])


def test_the_appointment_takes_the_next_term_number_and_everyone_is_told(demo, django_capture_on_commit_callbacks):
    selection = f.decided()
    winner = selection.candidates.get(shortlist_rank=1)
    position = selection.vacancy.position
    start = date.today() + timedelta(days=3650)
    # The winner held the post for the term just before: this is their second in a row.
    Appointment.objects.create(position=position, person=winner.person, start=start - timedelta(days=1460),
                               end=start - timedelta(days=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.confirm_appointment(actor=f.user("tara"), selection=selection, start=start)
    assert (appointment.person, appointment.term_number, appointment.start) == (winner.person, 2, start)
    assert appointment.end == date(start.year + position.term_years, start.month, start.day) - timedelta(days=1)
    selection.refresh_from_db()
    assert selection.stage == Selection.Stage.APPOINTED and selection.appointment == appointment
    told = {address for message in mail.outbox for address in message.to}
    everyone = Person.objects.filter(id__in=[*selection.electors.values_list("person_id", flat=True),
                                             *selection.candidates.values_list("person_id", flat=True),
                                             *selection.committee.values_list("person_id", flat=True)])
    assert told == {p.work_email for p in everyone if p.work_email}
    assert all(winner.person.full_name in message.subject for message in mail.outbox)
    assert AuditEvent.objects.filter(action="selection.appointment_made", object_id=str(selection.pk)).exists()


def test_an_appointment_past_the_limit_of_consecutive_terms_is_refused(demo):
    selection = f.decided()
    winner = selection.candidates.get(shortlist_rank=1)
    position = selection.vacancy.position
    start = date.today() + timedelta(days=3650)
    for term in range(position.max_consecutive_terms, 0, -1):
        Appointment.objects.create(position=position, person=winner.person,
                                   start=start - timedelta(days=1460 * term),
                                   end=start - timedelta(days=1460 * (term - 1) + 1), term_number=term)
    with pytest.raises(ValidationError, match="past this position's limit"):
        services.confirm_appointment(actor=None, selection=selection, start=start)
    selection.refresh_from_db()
    assert selection.stage == Selection.Stage.COUNTED and selection.appointment is None


def test_the_outgoing_holders_term_ends_the_day_before_the_new_one_starts(demo):
    selection = f.decided()
    position = selection.vacancy.position
    outgoing = position.appointments.filter(ended_on__isnull=True).order_by("-start").first()
    start = outgoing.start + timedelta(days=30)
    services.confirm_appointment(actor=None, selection=selection, start=start)
    outgoing.refresh_from_db()
    assert outgoing.ended_on == start - timedelta(days=1)


def test_the_electorate_is_told_when_the_ballot_is_scheduled_and_the_shortlist_published(demo, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        selection = f.voting()
    ballot_notice = [m for m in mail.outbox if m.subject.startswith("Your vote")]
    with django_capture_on_commit_callbacks(execute=True):
        codes = f.vote_all(selection)
        f.close(selection)
        services.count_ballots(actor=f.user("tara"), selection=selection, seed=7)
    selection.receipt_codes = codes
    electors = {p.work_email for p in f.electors(selection) if p.work_email}
    assert {m.to[0] for m in ballot_notice} == electors
    published = [m for m in mail.outbox if m.subject.startswith("Shortlist published")]
    assert {m.to[0] for m in published} >= electors
    for message in mail.outbox:
        assert not any(code in message.body for code in selection.receipt_codes)
