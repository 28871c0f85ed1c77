"""The rules that make a selection defensible (clinlead/selection/rules.py, docs/selection.md):
each refuses the bad case with a message that says why."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinlead.audit.models import AuditEvent
from clinlead.org.models import Appointment, Position, Unit
from clinlead.selection import rules, selectors, services
from clinlead.selection.models import (
    Candidate,
    CommitteeMember,
    Selection,
    SelectionPolicy,
    Vacancy,
)
from tests.selection import factories as f

pytestmark = pytest.mark.django_db
REASONS = "The clearest plan for the service and the staff's first choice."


def audited(action, selection):
    return AuditEvent.objects.filter(action=action, object_id=str(selection.pk)).exists()


def cardiology_team_lead():
    """A team lead's post in a Cardiology team: the vacancy of the finding."""
    team = Unit.objects.filter(organisation=f.northgate(), kind=Unit.Kind.TEAM,
                               path__startswith="Medicine/Cardiology/").order_by("path").first()
    cd = f.position("Clinical Director, Cardiology")
    position = Position.objects.create(organisation=f.northgate(), title=f"Team Lead, {team.name}", unit=team,
                                       level=cd.level)
    return services.open_vacancy(actor=f.user("tara"), position=position, reason=Vacancy.Reason.NEW_POST).selection


def leader_in(path_prefix, *, outside):
    today = timezone.localdate()
    holders = Appointment.objects.held_on(today).filter(
        position__organisation=f.northgate(), position__unit__path__startswith=path_prefix)
    for appointment in holders.select_related("person"):
        paths = [u.path for u in rules.current_units(person=appointment.person, day=today)]
        if paths and not any(Unit.path_contains(outside, p) for p in paths):
            return appointment.person
    raise AssertionError(f"no leader in {path_prefix} outside {outside}")


# ------------------------------------------------------------------ the committee
def test_a_committee_member_comes_from_outside_the_vacancys_department(demo, login):
    selection = cardiology_team_lead()
    # The Clinical Director for Cardiology works in the department, not the team: still refused.
    with pytest.raises(ValidationError, match="inside Medicine/Cardiology, the vacancy's department"):
        services.add_committee_member(actor=f.user("tara"), selection=selection, person=f.persona("alice"))
    # Another Medicine department's leader may sit; at division level, they may not.
    neighbour = leader_in("Medicine/", outside="Medicine/Cardiology")
    member = services.add_committee_member(actor=f.user("tara"), selection=selection, person=neighbour)
    services.remove_committee_member(actor=f.user("tara"), member=member)
    Selection.objects.filter(pk=selection.pk).update(committee_separation="division")
    with pytest.raises(ValidationError, match="inside Medicine, the vacancy's division"):
        services.add_committee_member(actor=f.user("tara"), selection=Selection.objects.get(pk=selection.pk),
                                      person=neighbour)
    assert audited("selection.committee_member_removed", selection)


def test_the_committee_page_shows_each_members_units(demo, login):
    selection = f.interviewing()
    member = f.seat_committee(selection, 1)[0]
    page = login("tara").get(reverse("selection:committee", kwargs={"pk": selection.pk})).content.decode()
    for unit in rules.current_units(person=member.person, day=timezone.localdate()):
        assert unit.path in page


def test_the_committee_is_fixed_when_the_ballot_opens(demo):
    selection = f.voting()
    newcomer = f.committee_people(selection, 4)[-1]
    with pytest.raises(ValidationError, match="fixed when the ballot opened"):
        services.add_committee_member(actor=f.user("tara"), selection=selection, person=newcomer)
    with pytest.raises(ValidationError, match="fixed when the ballot opened"):
        services.remove_committee_member(actor=f.user("tara"), member=selection.committee.first())
    f.vote_all(selection)
    f.close(f.time_passes(selection))
    services.count_ballots(actor=f.user("tara"), selection=selection, seed=7)
    with pytest.raises(ValidationError, match="fixed when the ballot opened"):
        services.add_committee_member(actor=f.user("tara"), selection=selection, person=newcomer)
    assert selection.committee.count() == 3


def test_an_even_committee_needs_a_chair_and_every_member_declares_before_the_ballot(demo):
    selection = f.interviewing()
    f.attend_all(selection)
    members = f.seat_committee(selection, 4)
    with pytest.raises(ValidationError, match="even number of voting members .4.: name a chair"):
        f.open_ballot(selection)
    services.name_chair(actor=f.user("tara"), member=members[1])
    assert list(CommitteeMember.objects.filter(selection=selection, is_chair=True)) == [members[1]]
    selection = f.open_ballot(selection)
    assert selection.stage == Selection.Stage.BALLOT and audited("selection.committee_chair_named", selection)


def test_a_scheduled_ballot_keeps_its_committee_whole_until_it_opens(demo):
    selection = f.interviewing()
    f.attend_all(selection)
    members = f.seat_committee(selection, 3)
    later = timezone.now() + timedelta(days=2)
    selection = f.open_ballot(selection, opens_at=later, closes_at=later + timedelta(days=7))
    with pytest.raises(ValidationError, match="needs at least 3 members"):
        services.remove_committee_member(actor=f.user("tara"), member=members[0])


# ------------------------------------------------------------------ candidates
def test_the_admin_who_runs_a_selection_cannot_stand_in_it(demo):
    selection = f.nominating(candidates=0)
    with pytest.raises(ValidationError, match="runs this selection as its administrator"):
        services.nominate_candidate(actor=f.user("tara"), selection=selection, person=f.persona("tara"))


def test_withdrawal_before_the_ballot_by_the_admin_after_it_only_by_the_candidate_with_a_reason(demo, login):
    selection = f.interviewing(candidates=4)
    first = selection.candidates.order_by("id")[0]
    services.withdraw_candidate(actor=f.user("tara"), candidate=first)
    # The rule for what the count does is published before the ballot opens.
    page = login("bob").get(reverse("selection:candidates", kwargs={"pk": selection.pk})).content.decode()
    assert "passes to its next preference" in page
    f.attend_all(selection)
    f.seat_committee(selection)
    selection = f.open_ballot(selection)
    second = selection.candidates.filter(withdrawn=False).order_by("id")[0]
    with pytest.raises(ValidationError, match="only the candidate themself may withdraw"):
        services.withdraw_candidate(actor=f.user("tara"), candidate=second)
    themself = f.make_login(second.person)
    with pytest.raises(ValidationError, match="Give your reason"):
        services.withdraw_candidate(actor=themself, candidate=second)
    services.withdraw_candidate(actor=themself, candidate=second, reason="I have been offered a post elsewhere.")
    assert Candidate.objects.get(pk=second.pk).withdrawn_reason == "I have been offered a post elsewhere."
    f.vote_all(selection, [[c.pk for c in selectors.ballot_paper(selection=selection)]])
    f.close(f.time_passes(selection))
    third = selection.candidates.filter(withdrawn=False).order_by("id")[0]
    with pytest.raises(ValidationError, match="ballot has closed: nobody may withdraw"):
        services.withdraw_candidate(actor=f.make_login(third.person), candidate=third,
                                    reason="Changed my mind after the vote.")


def test_withdrawing_everyone_leaves_a_selection_that_can_be_cancelled(demo):
    selection = f.nominating(candidates=2)
    for candidate in selection.candidates.all():
        services.withdraw_candidate(actor=f.user("tara"), candidate=candidate)
    with pytest.raises(ValidationError, match="at least two candidates; 0 are standing"):
        services.close_nominations(actor=f.user("tara"), selection=selection, cutoff=timezone.localdate())
    with pytest.raises(ValidationError, match="reason for cancelling"):
        services.cancel_selection(actor=f.user("tara"), selection=selection, reason="")
    services.cancel_selection(actor=f.user("tara"), selection=selection, reason="Every candidate withdrew.")
    selection.refresh_from_db()
    assert selection.stage == Selection.Stage.CANCELLED and audited("selection.cancelled", selection)
    # The post can be advertised again.
    services.open_vacancy(actor=f.user("tara"), position=selection.vacancy.position, reason=Vacancy.Reason.NEW_POST)


def test_a_candidate_adds_a_statement_until_the_ballot_opens(demo):
    selection = f.interviewing()
    candidate = selection.candidates.first()
    services.update_statement(actor=f.make_login(candidate.person), candidate=candidate,
                              statement="I will keep the rota fair.")
    assert Candidate.objects.get(pk=candidate.pk).statement == "I will keep the rota fair."
    f.attend_all(selection)
    f.seat_committee(selection)
    f.open_ballot(selection)
    with pytest.raises(ValidationError, match="fixed once the ballot opens"):
        services.update_statement(actor=f.make_login(candidate.person), candidate=candidate, statement="New.")


# ------------------------------------------------------------------ the ballot
def test_the_shortlist_must_be_smaller_than_the_field(demo):
    selection = f.interviewing(candidates=3)
    f.attend_all(selection)
    f.seat_committee(selection)
    now = timezone.now()
    with pytest.raises(ValidationError, match="smaller than the field: 3 candidates stand, so the shortlist can "
                                              "hold at most 2"):
        services.schedule_ballot(actor=f.user("tara"), selection=selection, method=selection.method,
                                 shortlist_size=3, opens_at=now, closes_at=now + timedelta(days=3),
                                 passphrases=[f.PASSPHRASE])


def test_interview_attendance_is_recorded_by_the_panel_not_the_voter(demo, login):
    selection = f.interviewing()
    voter = f.electors(selection)[0]
    session = selection.interviews.first()
    with pytest.raises(ValidationError, match="not by the voter themself"):
        services.record_interview_attendance(actor=f.make_login(voter), session=session, person=voter)
    bob = f.persona("bob")
    answer = login("bob").post(reverse("selection:took_part", kwargs={"pk": session.pk}))
    assert answer.status_code == 403
    attendance = services.record_interview_attendance(actor=f.user("tara"), session=session, person=bob)
    assert attendance.recorded_by == f.user("tara")


def test_a_whole_selection_whose_ballot_fails_for_want_of_a_quorum(demo, django_capture_on_commit_callbacks):
    selection = f.voting()
    electorate = f.electors(selection)
    assert selection.quorum_percent == SelectionPolicy.for_organisation(f.northgate()).quorum_percent == 50
    needed = rules.quorum_needed(selection)
    for person in electorate[: needed - 1]:
        services.cast_ballot(actor=None, selection=selection, person=person, preferences=f.ranking(selection))
    f.close(f.time_passes(selection))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.count_ballots(actor=f.user("tara"), selection=selection, seed=7)
    selection.refresh_from_db()
    assert result is None and selection.stage == Selection.Stage.FAILED
    assert f"{needed - 1} of {len(electorate)} staff voted" in selection.ended_reason
    assert not selection.candidates.filter(shortlist_rank__isnull=False).exists()
    assert audited("selection.ballot_failed", selection)
    failed = [m for m in mail.outbox if m.subject.startswith("Ballot failed")]
    assert {m.to[0] for m in failed} >= {p.work_email for p in electorate if p.work_email}
    assert "No shortlist is drawn" in failed[0].body
    # A failed selection is ended: it is cancelled, and the vacancy can open again.
    services.cancel_selection(actor=f.user("tara"), selection=selection, reason="The ballot failed its quorum.")


def test_a_ballot_without_a_single_vote_draws_no_shortlist_by_lot(demo):
    selection = f.voting()
    f.close(f.time_passes(selection))
    assert services.count_ballots(actor=f.user("tara"), selection=selection, seed=7) is None
    assert Selection.objects.get(pk=selection.pk).stage == Selection.Stage.FAILED


def test_a_whole_selection_whose_committee_deadlock_is_broken_by_the_chair(demo):
    selection = f.voting(candidates=4, committee=4, chair=True)
    f.vote_all(selection)
    f.close(f.time_passes(selection))
    services.count_ballots(actor=f.user("tara"), selection=selection, seed=7)
    selection.refresh_from_db()
    first, second = (selection.candidates.get(shortlist_rank=r) for r in (1, 2))
    members = list(selection.committee.order_by("-is_chair", "id"))
    chair = members[0]
    for member, choice in zip(members, [first, second, first, second], strict=True):
        services.record_committee_vote(actor=None, member=member, candidate=choice, rationale=REASONS)
    winner, problems = selectors.committee_decision(selection=selection)
    assert winner is None and f"the chair, {chair.person.full_name}, gives the casting vote" in problems[0]
    with pytest.raises(ValidationError, match="not the chair"):
        services.give_casting_vote(actor=None, member=members[1], candidate=second, rationale=REASONS)
    third = selection.candidates.filter(shortlist_rank=3).first()
    if third is not None:
        with pytest.raises(ValidationError, match="one of the tied candidates"):
            services.give_casting_vote(actor=None, member=chair, candidate=third, rationale=REASONS)
    services.give_casting_vote(actor=None, member=chair, candidate=second, rationale=REASONS)
    selection.refresh_from_db()
    assert selectors.committee_decision(selection=selection) == (second, [])
    appointment = services.confirm_appointment(actor=f.user("tara"), selection=selection,
                                               start=timezone.localdate() + timedelta(days=3650))
    assert appointment.person == second.person and audited("selection.casting_vote_given", selection)


# ------------------------------------------------------------------ changing course, audited
def test_reschedule_extend_reopen_and_cancel_are_each_audited(demo):
    selection = f.interviewing()
    services.reopen_nominations(actor=f.user("tara"), selection=selection)
    selection.refresh_from_db()
    assert selection.stage == Selection.Stage.NOMINATIONS and not selection.electors.exists()
    assert audited("selection.nominations_reopened", selection)
    services.close_nominations(actor=f.user("tara"), selection=selection, cutoff=timezone.localdate())
    selection = Selection.objects.get(pk=selection.pk)
    f.attend_all(selection)
    f.seat_committee(selection)
    later = timezone.now() + timedelta(days=2)
    selection = f.open_ballot(selection, opens_at=later, closes_at=later + timedelta(days=7))
    services.change_ballot_times(actor=f.user("tara"), selection=selection, opens_at=later + timedelta(days=1),
                                 closes_at=later + timedelta(days=9))
    assert audited("selection.ballot_rescheduled", selection)
    opened = timezone.now() - timedelta(hours=1)
    Selection.objects.filter(pk=selection.pk).update(opens_at=opened)
    selection = Selection.objects.get(pk=selection.pk)
    with pytest.raises(ValidationError, match="only be extended"):
        services.change_ballot_times(actor=f.user("tara"), selection=selection, opens_at=opened,
                                     closes_at=selection.closes_at - timedelta(days=1))
    with pytest.raises(ValidationError, match="opening time cannot change"):
        services.change_ballot_times(actor=f.user("tara"), selection=selection, opens_at=later,
                                     closes_at=selection.closes_at + timedelta(days=1))
    services.change_ballot_times(actor=f.user("tara"), selection=selection, opens_at=opened,
                                 closes_at=selection.closes_at + timedelta(days=3))
    assert audited("selection.ballot_extended", selection)
    f.vote_all(selection)
    services.cancel_selection(actor=f.user("tara"), selection=selection, reason="The post has been withdrawn.")
    selection.refresh_from_db()
    assert selection.stage == Selection.Stage.CANCELLED and audited("selection.cancelled", selection)
    with pytest.raises(ValidationError, match="Cancelled"):
        services.nominate_candidate(actor=f.user("tara"), selection=selection, person=f.some_people(n=9)[-1])
