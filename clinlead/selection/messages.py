"""The e-mail a selection sends, built when the send task runs (`clinlead.notifications`): each
builder takes ids and works out its recipients then, so a message reaches whoever is in the
electorate or on the committee at that moment. Times are in the organisation's time zone. No
message ever says how anyone voted.
"""

from django.db.models import Q

from clinlead.notifications import Batch, link, local_time, message_builder, to_people
from clinlead.org.models import Person
from clinlead.selection.models import (
    Candidate,
    CommitteeMember,
    InterviewSession,
    Selection,
    VoterRecord,
)

HERE = "clinlead.selection.messages."


def _selection(selection_id):
    return (Selection.objects.select_related("vacancy__position", "unit", "organisation")
            .filter(pk=selection_id).first())


def _electors(selection, *, not_voted=False):
    people = Person.objects.filter(id__in=selection.electors.values("person_id"))
    if not_voted:
        people = people.exclude(id__in=VoterRecord.objects.filter(selection=selection).values("person_id"))
    return list(people)


def _candidates(selection):
    return [c.person for c in Candidate.objects.filter(selection=selection).select_related("person")]


def _committee(selection):
    return [m.person for m in CommitteeMember.objects.filter(selection=selection).select_related("person")]


def _batch(selection, people, subject, body):
    return Batch(to_people(people, subject=subject, body=body), selection.organisation, selection)


@message_builder
def nominated(*, candidate_id):
    candidate = Candidate.objects.select_related("person", "selection__vacancy__position", "selection__unit",
                                                 "selection__organisation").get(pk=candidate_id)
    selection = candidate.selection
    return _batch(selection, [candidate.person], f"You are a candidate for {selection.position}",
                  f"You have been put forward for {selection.position}. The staff of {selection.unit.path} "
                  "will interview the candidates and choose a shortlist by secret ballot. You may add a "
                  "statement to staff on the candidates page.\n\n"
                  f"{link('selection:candidates', pk=selection.pk)}\n")


@message_builder
def committee_seat(*, member_id):
    member = CommitteeMember.objects.select_related("person", "selection__vacancy__position",
                                                    "selection__organisation").filter(pk=member_id).first()
    if member is None:  # removed before the task ran
        return None
    selection = member.selection
    chair = " as its chair (you give the casting vote in a tie)" if member.is_chair else ""
    return _batch(selection, [member.person], f"You sit on the committee for {selection.position}",
                  f"You have been seated on the decision committee for {selection.position}{chair}. Declare "
                  "your interests before the ballot opens; once the staff's shortlist is published the "
                  "committee makes the final choice, each member with written reasons.\n\n"
                  f"{link('selection:decision', pk=selection.pk)}\n")


@message_builder
def interview(*, session_id, changed=False):
    session = (InterviewSession.objects.select_related("selection__vacancy__position", "selection__organisation")
               .prefetch_related("candidates__person").filter(pk=session_id).first())
    if session is None:
        return None
    selection = session.selection
    names = ", ".join(c.person.full_name for c in session.candidates.all())
    people = _electors(selection) + [c.person for c in session.candidates.all()] + _committee(selection)
    return _batch(selection, people,
                  ("Interview moved: " if changed else "Interview: ") + f"{selection.position}",
                  f"Candidates for {selection.position} ({names}) are interviewed on "
                  f"{local_time(session.starts_at, selection.organisation)} at {session.place}."
                  + (" To vote, staff must be seen taking part in an interview with every candidate: the "
                     "panel records who took part." if selection.interview_required else "")
                  + f"\n\n{link('selection:interviews', pk=selection.pk)}\n")


@message_builder
def ballot_times(*, selection_id, changed=""):
    selection = _selection(selection_id)
    if selection is None or selection.stage != Selection.Stage.BALLOT:
        return None
    org = selection.organisation
    heading = {"extended": "Ballot extended", "rescheduled": "Ballot moved"}.get(changed, "Your vote")
    return _batch(selection, _electors(selection), f"{heading}: choose the shortlist for {selection.position}",
                  f"You are in the electorate for {selection.position}. The secret ballot opens on "
                  f"{local_time(selection.opens_at, org)} and closes on {local_time(selection.closes_at, org)}."
                  + (" To vote, first take part in the candidates' interviews." if selection.interview_required
                     else "") + f"\n\n{link('selection:vote', pk=selection.pk)}\n")


@message_builder
def close_reminder(*, selection_id):
    selection = _selection(selection_id)
    if selection is None or selection.stage != Selection.Stage.BALLOT:
        return None
    return _batch(selection, _electors(selection, not_voted=True),
                  f"Reminder: the ballot for {selection.position} closes soon",
                  f"The secret ballot for {selection.position} closes on "
                  f"{local_time(selection.closes_at, selection.organisation)}. If you mean to vote, "
                  f"vote before then.\n\n{link('selection:vote', pk=selection.pk)}\n")


@message_builder
def withdrawal(*, candidate_id):
    candidate = Candidate.objects.select_related("person", "selection__vacancy__position",
                                                 "selection__organisation").get(pk=candidate_id)
    selection = candidate.selection
    reason = f"\n\nTheir reason: {candidate.withdrawn_reason}" if candidate.withdrawn_reason else ""
    people = _electors(selection) + _committee(selection) + [candidate.person]
    return _batch(selection, people, f"Candidate withdrawn: {selection.position}",
                  f"{candidate.person.full_name} has withdrawn from the selection for {selection.position}."
                  f"{reason}\n\n{link('selection:candidates', pk=selection.pk)}\n")


@message_builder
def results(*, selection_id):
    selection = _selection(selection_id)
    if selection is None:
        return None
    people = _electors(selection) + _candidates(selection) + _committee(selection)
    if selection.stage == Selection.Stage.FAILED:
        return _batch(selection, people, f"Ballot failed: {selection.position}",
                      f"{selection.ended_reason}\n\n{link('selection:detail', pk=selection.pk)}\n")
    return _batch(selection, people, f"Shortlist published: {selection.position}",
                  f"The ballot for {selection.position} has been counted and the shortlist published, with "
                  "every stage of the count and the receipts, so that you can check your vote was counted "
                  "(and, where enough voted for them to be published, the ballots, to recount it yourself)."
                  f"\n\n{link('selection:results', pk=selection.pk)}\n")


@message_builder
def cancelled(*, selection_id):
    selection = _selection(selection_id)
    people = _electors(selection) + _candidates(selection) + _committee(selection)
    return _batch(selection, people, f"Selection cancelled: {selection.position}",
                  f"The selection for {selection.position} has been cancelled.\n\nThe reason: "
                  f"{selection.ended_reason}\n")


@message_builder
def nominations_reopened(*, selection_id):
    selection = _selection(selection_id)
    return _batch(selection, _candidates(selection) + _committee(selection),
                  f"Nominations open again: {selection.position}",
                  f"Nominations for {selection.position} have been opened again; the electorate will be "
                  f"taken afresh when they close.\n\n{link('selection:candidates', pk=selection.pk)}\n")


@message_builder
def appointed(*, selection_id):
    selection = _selection(selection_id)
    appointment = selection.appointment
    winner = selection.chosen.person
    people = _electors(selection) + _candidates(selection) + _committee(selection)
    return _batch(selection, people, f"Appointed: {winner.full_name} as {selection.position}",
                  f"{winner.full_name} has been appointed {selection.position} for term "
                  f"{appointment.term_number}, from {appointment.start:%d %B %Y} to {appointment.end:%d %B %Y}. "
                  f"The staff of {selection.unit.path} chose the shortlist by secret ballot, and leaders "
                  f"from other departments made the final choice.\n\n"
                  f"{link('selection:appointment', pk=selection.pk)}\n")


def due_close_reminders(*, now, within):
    """Open ballots closing within `within` that have not had their reminder (by the audit
    trail): for `clinlead selection-reminders`."""
    from clinlead.audit.models import AuditEvent

    reminded = AuditEvent.objects.filter(action="selection.close_reminder_sent").values("object_id")
    return list(Selection.objects.filter(Q(stage=Selection.Stage.BALLOT), opens_at__lte=now,
                                         closes_at__gt=now, closes_at__lte=now + within)
                .exclude(pk__in=[int(r["object_id"]) for r in reminded if r["object_id"].isdigit()]))
