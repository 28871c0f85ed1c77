"""The selection's actions, step by step: vacancy, candidates, electorate, interviews, ballot,
count and recount."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from clinlead.audit.models import AuditEvent
from clinlead.org.models import Person, Unit, UnitMembership
from clinlead.selection import selectors, services
from clinlead.selection.models import Selection, Vacancy
from tests.selection import factories as f

pytestmark = pytest.mark.django_db


def test_a_vacancy_starts_a_selection_under_the_organisations_policy(demo):
    services.save_policy(actor=f.user("tara"), organisation=f.northgate(), allow_self_nomination=False,
                         interview_required_to_vote=False, shortlist_size=3, min_committee_votes=2)
    vacancy = services.open_vacancy(actor=None, position=f.position(f.MEDICINE), reason=Vacancy.Reason.DEPARTURE)
    selection = vacancy.selection
    assert selection.stage == Selection.Stage.NOMINATIONS and selection.unit == vacancy.position.unit
    assert (selection.shortlist_size, selection.interview_required, selection.min_committee_votes) == (3, False, 2)
    assert AuditEvent.objects.filter(action="selection.vacancy_opened", object_id=str(selection.pk)).exists()
    with pytest.raises(ValidationError, match="already under way"):
        services.open_vacancy(actor=None, position=vacancy.position, reason=Vacancy.Reason.NEW_POST)
    with pytest.raises(ValidationError, match="Unknown reason"):
        services.open_vacancy(actor=None, position=f.position("Clinical Director, Urology"), reason="boredom")


def test_who_may_stand(demo):
    selection = f.nominating(candidates=0)
    tara, standing = f.user("tara"), f.some_people(n=1)[0]
    services.nominate_candidate(actor=tara, selection=selection, person=standing)
    refused = {
        "charlie": "works at another organisation",
        standing: "already a candidate",
    }
    for who, reason in refused.items():
        person = f.persona(who) if isinstance(who, str) else who
        with pytest.raises(ValidationError, match=reason):
            services.nominate_candidate(actor=tara, selection=selection, person=person)
    gone = f.some_people(n=2)[1]
    Person.objects.filter(pk=gone.pk).update(active=False)
    with pytest.raises(ValidationError, match="not an active member"):
        services.nominate_candidate(actor=tara, selection=selection, person=Person.objects.get(pk=gone.pk))
    # The current holder who has served the position's limit of consecutive terms may not stand.
    position = selection.vacancy.position
    holder = position.appointments.order_by("-start").first().person
    position.max_consecutive_terms = position.appointments.filter(person=holder).order_by("-start").first().term_number
    position.save()
    with pytest.raises(ValidationError, match="consecutive term"):
        services.nominate_candidate(actor=tara, selection=selection, person=holder)


def test_self_nomination_only_where_the_organisation_allows_it(demo):
    selection = f.nominating(candidates=0)
    me = f.some_people(n=1)[0]
    services.save_policy(actor=f.user("tara"), organisation=f.northgate(), allow_self_nomination=False,
                         interview_required_to_vote=True, shortlist_size=5, min_committee_votes=3)
    with pytest.raises(ValidationError, match="does not allow"):
        services.nominate_candidate(actor=None, selection=selection, person=me, self_nominated=True)
    services.save_policy(actor=f.user("tara"), organisation=f.northgate(), allow_self_nomination=True,
                         interview_required_to_vote=True, shortlist_size=5, min_committee_votes=3)
    candidate = services.nominate_candidate(actor=None, selection=selection, person=me, self_nominated=True,
                                            statement="  I will listen.  ")
    assert candidate.self_nominated and candidate.statement == "I will listen."


def test_the_electorate_is_the_staff_of_the_unit_subtree_on_the_cutoff_date(demo):
    selection = f.nominating()
    cutoff = timezone.localdate() - timedelta(days=10)
    medicine = selection.unit
    surgery = Unit.objects.get(organisation=selection.organisation, path="Surgery")
    inside = list(UnitMembership.objects.filter(unit__in=medicine.subtree(), end__isnull=True,
                                                start__lt=cutoff).order_by("person_id")[:3])
    joiner, leaver, stays = inside
    # A newcomer who joined after the cut-off does not vote; nor does one who moved out before it.
    UnitMembership.objects.filter(pk=joiner.pk).update(start=cutoff + timedelta(days=1))
    UnitMembership.objects.filter(pk=leaver.pk).update(end=cutoff - timedelta(days=1))
    UnitMembership.objects.create(person=leaver.person, unit=surgery, start=cutoff)
    # Someone who moved in from Surgery before the cut-off does.
    mover = UnitMembership.objects.filter(unit__in=surgery.subtree(), end__isnull=True).exclude(
        person=leaver.person).first()
    UnitMembership.objects.filter(pk=mover.pk).update(end=cutoff - timedelta(days=3))
    UnitMembership.objects.create(person=mover.person, unit=medicine, start=cutoff - timedelta(days=2))

    services.close_nominations(actor=f.user("tara"), selection=selection, cutoff=cutoff)
    electors = set(selection.electors.values_list("person_id", flat=True))
    assert stays.person_id in electors and mover.person_id in electors
    assert joiner.person_id not in electors and leaver.person_id not in electors
    paths = {m.person_id: m.unit.path for m in UnitMembership.objects.on(cutoff).select_related("unit")
             if m.person.active and m.unit.organisation_id == selection.organisation_id}
    assert electors == {p for p, path in paths.items() if path == "Medicine" or path.startswith("Medicine/")}
    selection.refresh_from_db()
    assert selection.electorate_size == len(electors) and selection.stage == Selection.Stage.INTERVIEWS
    with pytest.raises(ValidationError, match="future"):
        services.close_nominations(actor=None, selection=selection, cutoff=timezone.localdate() + timedelta(days=1))


def test_taking_part_in_the_interviews_is_required_to_vote_where_the_policy_says_so(demo):
    selection = f.voting(attend=False)
    voter = f.electors(selection)[0]
    assert "take part in the interviews" in selectors.voting_problems(selection=selection, person=voter, now=timezone.now())[0]
    with pytest.raises(ValidationError, match="take part"):
        services.cast_ballot(actor=None, selection=selection, person=voter, preferences=f.ranking(selection))
    f.attend_all(selection, [voter])
    services.cast_ballot(actor=None, selection=selection, person=voter, preferences=f.ranking(selection))

    Selection.objects.filter(pk=selection.pk).update(interview_required=False)
    other = f.electors(selection)[1]
    services.cast_ballot(actor=None, selection=Selection.objects.get(pk=selection.pk), person=other,
                         preferences=f.ranking(selection))


def test_an_interview_can_be_recorded_only_once_it_has_started_and_only_for_the_electorate(demo):
    selection = f.interviewing()
    later = services.schedule_interview(actor=None, selection=selection, starts_at=timezone.now() + timedelta(days=2),
                                        place="Lecture theatre", candidates=list(selection.candidates.all()))
    with pytest.raises(ValidationError, match="not started"):
        services.record_interview_attendance(actor=None, session=later, person=f.electors(selection)[0])
    with pytest.raises(ValidationError, match="not in the electorate"):
        services.record_interview_attendance(actor=None, session=selection.interviews.first(), person=f.persona("tara"))


def test_the_ballot_opens_and_closes_at_its_set_times(demo):
    selection = f.interviewing()
    f.attend_all(selection)
    f.seat_committee(selection)
    now = timezone.now()
    with pytest.raises(ValidationError, match="close after it opens"):
        services.schedule_ballot(actor=None, selection=selection, method="scottish-stv", shortlist_size=2,
                                 opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=1),
                                 passphrases=[f.PASSPHRASE])
    services.schedule_ballot(actor=None, selection=selection, method="scottish-stv", shortlist_size=2,
                             opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=1),
                             passphrases=[f.PASSPHRASE])
    selection.refresh_from_db()
    voter = f.electors(selection)[0]
    with pytest.raises(ValidationError, match="opens on"):
        services.cast_ballot(actor=None, selection=selection, person=voter, preferences=f.ranking(selection))
    Selection.objects.filter(pk=selection.pk).update(opens_at=now - timedelta(hours=1))
    selection = f.time_passes(selection)
    with pytest.raises(ValidationError, match="closed"):
        services.cast_ballot(actor=None, selection=selection, person=voter, preferences=f.ranking(selection))


def test_the_ballot_closes_early_only_once_everyone_has_voted(demo):
    selection = f.voting()
    electors = f.electors(selection)
    for person in electors[:-1]:
        services.cast_ballot(actor=None, selection=selection, person=person, preferences=f.ranking(selection))
    with pytest.raises(ValidationError, match="whole electorate"):
        f.close(selection)
    services.cast_ballot(actor=None, selection=selection, person=electors[-1], preferences=f.ranking(selection))
    closed = f.close(selection)
    assert closed.stage == Selection.Stage.CLOSED
    event = AuditEvent.objects.get(action="selection.ballot_closed")
    assert event.after == {"ballots": len(electors), "electorate": len(electors), "full_ballots_published": False}


def test_the_count_records_its_seed_and_a_recount_gives_the_same_result(demo):
    selection = f.closed(candidates=4)
    services.count_ballots(actor=f.user("tara"), selection=selection)
    selection.refresh_from_db()
    assert selection.count_seed is not None and selection.stage == Selection.Stage.COUNTED
    recount = selectors.recount(selection=selection)
    assert {"title": selectors.count_title(selection), **recount.as_dict()} == selection.count_result
    ranks = dict(selection.candidates.filter(shortlist_rank__isnull=False).values_list("shortlist_rank", "id"))
    labels = selectors.candidate_labels(selection=selection)
    assert [labels[ranks[r]] for r in sorted(ranks)] == selection.count_result["elected"]
    with pytest.raises(ValidationError, match="already been counted"):
        services.count_ballots(actor=None, selection=selection)


@pytest.mark.parametrize("method, extra", [("scottish-stv", []), ("approval", ["--unranked"])])
def test_anyone_can_recount_the_published_blt_file_with_the_count_command(demo, tmp_path, method, extra):
    selection = f.voting(title=f.MEDICINE, candidates=5, method=method, shortlist_size=3)
    paper = f.ranking(selection)
    for i, person in enumerate(f.electors(selection)):
        ballot = [paper[(i + k) % len(paper)] for k in range(1 + i % 3)] if i % 4 else paper[1:3]
        services.cast_ballot(actor=None, selection=selection, person=person, preferences=ballot)
    selection = f.close(f.time_passes(selection))
    services.count_ballots(actor=None, selection=selection)
    selection.refresh_from_db()
    path = tmp_path / "ballots.blt"
    path.write_text(selectors.recount_file(selection=selection), encoding="utf-8")
    out = StringIO()
    call_command("count", str(path), "--json", "--method", method, "--seed", str(selection.count_seed), *extra, stdout=out)
    recount = json.loads(out.getvalue())
    assert recount["elected"] == selection.count_result["elected"]
    assert recount["stages"] == selection.count_result["stages"]


def test_a_candidate_who_withdraws_during_the_ballot_is_skipped_by_the_count(demo):
    selection = f.voting(candidates=3)
    paper = f.ranking(selection)
    for person in f.electors(selection):
        services.cast_ballot(actor=None, selection=selection, person=person, preferences=paper)
    leaving = selection.candidates.get(pk=paper[0])
    services.withdraw_candidate(actor=f.make_login(leaving.person), candidate=leaving,
                                reason="I have accepted a post at another trust.")
    selection = f.close(f.time_passes(selection))
    result = services.count_ballots(actor=None, selection=selection)
    label = selectors.candidate_labels(selection=selection)[leaving.pk]
    assert label in result.withdrawn and label not in result.elected
