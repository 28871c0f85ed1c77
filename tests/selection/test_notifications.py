"""A selection's e-mail (clinlead/notifications.py, clinlead/selection/messages.py): interviews,
committee seats, withdrawals, reminders before the close, results; times in the organisation's
time zone; recipients worked out when the send runs."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clinlead.org.models import Organisation
from clinlead.selection import selectors, services
from clinlead.selection.models import Selection
from tests.selection import factories as f

pytestmark = pytest.mark.django_db
# 09:00 in London in summer (BST) is 08:00 UTC.
NINE_BST = datetime(2031, 6, 3, 8, 0, tzinfo=UTC)


def sent(subject_start):
    return [m for m in mail.outbox if m.subject.startswith(subject_start)]


def test_an_interview_is_announced_with_its_time_as_london_clocks_show_it(demo, django_capture_on_commit_callbacks):
    selection = f.interviewing()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_interview(actor=f.user("tara"), selection=selection, starts_at=NINE_BST,
                                    place="Board room", candidates=list(selection.candidates.all()))
    told = sent("Interview:")
    assert {m.to[0] for m in told} >= {p.work_email for p in f.electors(selection) if p.work_email}
    assert "03 June 2031 at 09:00 at Board room" in told[0].body and "08:00" not in told[0].body


def test_the_ballot_opening_is_shown_in_the_organisations_time_zone(demo):
    selection = f.interviewing()
    f.attend_all(selection)
    f.seat_committee(selection)
    selection = f.open_ballot(selection, opens_at=NINE_BST, closes_at=NINE_BST + timedelta(days=7))
    voter = f.electors(selection)[0]
    problems = selectors.voting_problems(selection=selection, person=voter, now=timezone.now())
    assert problems == ["The ballot opens on 03 June 2031 at 09:00."]
    Organisation.objects.filter(pk=selection.organisation_id).update(time_zone="America/New_York")
    selection = Selection.objects.select_related("organisation").get(pk=selection.pk)
    assert selectors.voting_problems(selection=selection, person=voter, now=timezone.now()) == [
        "The ballot opens on 03 June 2031 at 04:00."]


def test_committee_seats_withdrawals_reminders_and_results_are_sent(demo, django_capture_on_commit_callbacks):
    selection = f.interviewing(candidates=4)
    f.attend_all(selection)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        members = f.seat_committee(selection)
        services.withdraw_candidate(actor=f.user("tara"), candidate=selection.candidates.order_by("id")[0])
    assert {m.to[0] for m in sent("You sit on the committee")} == {m.person.work_email for m in members}
    assert {m.to[0] for m in sent("Candidate withdrawn")} >= {p.work_email for p in f.electors(selection)}
    selection = f.open_ballot(selection)
    voters = f.electors(selection)
    paper = [c.pk for c in selectors.ballot_paper(selection=selection)]
    for person in voters[: len(voters) * 3 // 4]:
        services.cast_ballot(actor=None, selection=selection, person=person, preferences=paper)
    Selection.objects.filter(pk=selection.pk).update(closes_at=timezone.now() + timedelta(hours=20))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == [selection]
        assert services.send_due_reminders() == []  # once per ballot
    reminded = {m.to[0] for m in sent("Reminder: the ballot")}
    assert reminded == {p.work_email for p in voters[len(voters) * 3 // 4:] if p.work_email}
    f.close(f.time_passes(selection))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.count_ballots(actor=f.user("tara"), selection=selection, seed=7)
    assert {m.to[0] for m in sent("Shortlist published")} >= {m.person.work_email for m in members}


def test_recipients_are_worked_out_when_the_send_runs(demo, django_capture_on_commit_callbacks):
    selection = f.interviewing()
    person = f.committee_people(selection, 1)[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        member = services.add_committee_member(actor=f.user("tara"), selection=selection, person=person)
        services.remove_committee_member(actor=f.user("tara"), member=member)
    assert sent("You sit on the committee") == []


def test_a_cancellation_tells_everyone_why(demo, django_capture_on_commit_callbacks):
    selection = f.interviewing()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_selection(actor=f.user("tara"), selection=selection, reason="The post is being merged.")
    told = sent("Selection cancelled")
    assert {m.to[0] for m in told} >= {c.person.work_email for c in selection.candidates.all()}
    assert "The post is being merged." in told[0].body
