"""Running a selection when things change: cancel it, move or extend the ballot, reopen
nominations, change the committee before the ballot opens, the chair's casting vote, reminders
before the close. Each is one audited action; the rules are in `rules`."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinlead import actions
from clinlead import notifications as notify
from clinlead.audit import services as audit
from clinlead.selection import messages, rules, selectors
from clinlead.selection.models import (
    Candidate,
    CommitteeMember,
    Elector,
    SealedBallot,
    Selection,
    VoterRecord,
)

S = Selection.Stage
MESSAGES = messages.HERE
MIN_REASON = 10
MIN_RATIONALE = 20
REMINDER_BEFORE_CLOSE = timedelta(hours=48)


def _locked(selection):
    return (Selection.objects.select_for_update().select_related("vacancy__position", "unit", "organisation")
            .get(pk=selection.pk))


def cancel_selection(*, actor, selection, reason):
    """Stop the selection at any stage before the appointment, with a reason told to everyone.
    Ballots still sealed are destroyed unopened: nobody will ever count them."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(f"Give the reason for cancelling (at least {MIN_REASON} characters): it is "
                              "sent to the candidates, the committee and the electorate.")
    with actions.atomic():
        selection = _locked(selection)
        if selection.stage in {S.APPOINTED, S.CANCELLED}:
            raise ValidationError(rules.ended_problem(selection) + " It cannot be cancelled.")
        before = selection.stage
        destroyed = SealedBallot.objects.filter(selection=selection).delete()[0]
        if destroyed:
            VoterRecord.objects.filter(selection=selection).delete()
        selection.stage, selection.ended_reason = S.CANCELLED, reason
        selection.save(update_fields=["stage", "ended_reason"])
        audit.record(actor=actor, action="selection.cancelled", obj=selection, before={"stage": before},
                     after={"stage": S.CANCELLED, "sealed_ballots_destroyed": destroyed})
        notify.enqueue_after_commit(MESSAGES + "cancelled", kind="selection.cancelled", selection_id=selection.pk)
    return selection


def change_ballot_times(*, actor, selection, opens_at, closes_at):
    """Before the ballot opens, move it (both times); once open, only extend it (a later close)."""
    now = timezone.now()
    with actions.atomic():
        selection = _locked(selection)
        if selection.stage != S.BALLOT:
            raise ValidationError("Only a scheduled or open ballot can be moved or extended; this selection is "
                                  f"at the stage “{selection.get_stage_display()}”.")
        before = {"opens_at": selection.opens_at.isoformat(), "closes_at": selection.closes_at.isoformat()}
        if rules.ballot_has_opened(selection, now=now):
            action = "selection.ballot_extended"
            if opens_at != selection.opens_at:
                raise ValidationError("The ballot has opened: its opening time cannot change, only its close "
                                      "can be moved later.")
            if closes_at <= selection.closes_at:
                raise ValidationError("An open ballot can only be extended: choose a later close than "
                                      f"{notify.local_time(selection.closes_at, selection.organisation)}.")
        else:
            action = "selection.ballot_rescheduled"
            if opens_at < now - timedelta(minutes=1):
                raise ValidationError("The ballot cannot be moved to open in the past.")
        if closes_at <= opens_at:
            raise ValidationError("The ballot must close after it opens.")
        selection.opens_at, selection.closes_at = opens_at, closes_at
        selection.save(update_fields=["opens_at", "closes_at"])
        audit.record(actor=actor, action=action, obj=selection, before=before,
                     after={"opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()})
        notify.enqueue_after_commit(MESSAGES + "ballot_times", kind="selection.ballot_times",
                                    selection_id=selection.pk, changed=action.rsplit("_", 1)[1])
    return selection


def reopen_nominations(*, actor, selection):
    """Back to nominations from the interviews (before the ballot is scheduled): the electorate
    is let go and taken afresh when nominations close again."""
    with actions.atomic():
        selection = _locked(selection)
        if selection.stage != S.INTERVIEWS:
            raise ValidationError("Nominations can be reopened only after they closed and before the ballot is "
                                  f"scheduled; this selection is at the stage “{selection.get_stage_display()}”.")
        before = {"cutoff": selection.cutoff.isoformat(), "electorate": selection.electorate_size}
        Elector.objects.filter(selection=selection).delete()
        selection.stage, selection.cutoff, selection.electorate_size = S.NOMINATIONS, None, 0
        selection.save(update_fields=["stage", "cutoff", "electorate_size"])
        audit.record(actor=actor, action="selection.nominations_reopened", obj=selection, before=before,
                     after={"stage": S.NOMINATIONS})
        notify.enqueue_after_commit(MESSAGES + "nominations_reopened", kind="selection.nominations_reopened",
                                    selection_id=selection.pk)
    return selection


# ------------------------------------------------------------------ the committee
def remove_committee_member(*, actor, member, reason=""):
    """Take a member off the committee, before the ballot opens only. Once the ballot is
    scheduled the committee must keep its shape (`rules.committee_shape_problems`)."""
    with actions.atomic():
        selection = _locked(member.selection)
        problem = rules.committee_change_problem(selection, now=timezone.now())
        if problem:
            raise ValidationError(problem)
        member = CommitteeMember.objects.select_related("person").get(pk=member.pk)
        if selection.stage == S.BALLOT:
            rest = list(CommitteeMember.objects.filter(selection=selection).exclude(pk=member.pk)
                        .select_related("person"))
            problems = rules.committee_shape_problems(members=rest, min_votes=selection.min_committee_votes)
            if problems:
                raise ValidationError("The ballot is scheduled, and without "
                                      f"{member.person.full_name}: {problems[0]}")
        audit.record(actor=actor, action="selection.committee_member_removed", obj=selection,
                     after={"person": member.person_id, "was_chair": member.is_chair,
                            "reason_given": bool(reason.strip())})
        member.delete()
    return selection


def name_chair(*, actor, member):
    """Make this member the chair (one per committee), before the ballot opens."""
    with actions.atomic():
        selection = _locked(member.selection)
        problem = rules.committee_change_problem(selection, now=timezone.now())
        if problem:
            raise ValidationError(problem)
        before = list(CommitteeMember.objects.filter(selection=selection, is_chair=True).values_list("person_id",
                                                                                                      flat=True))
        CommitteeMember.objects.filter(selection=selection).update(is_chair=False)
        CommitteeMember.objects.filter(pk=member.pk).update(is_chair=True)
        audit.record(actor=actor, action="selection.committee_chair_named", obj=selection,
                     before={"chair": before[0] if before else None}, after={"chair": member.person_id})
    return CommitteeMember.objects.get(pk=member.pk)


def give_casting_vote(*, actor, member, candidate, rationale):
    """The chair breaks a tie in the committee's votes: between the tied candidates only, with
    written reasons, recorded with the decision."""
    rationale = rationale.strip()
    if len(rationale) < MIN_RATIONALE:
        raise ValidationError(f"Write the reasons for your casting vote (at least {MIN_RATIONALE} characters).")
    with actions.atomic():
        member = CommitteeMember.objects.select_related("person").get(pk=member.pk)
        selection = _locked(member.selection)
        if selection.stage != S.COUNTED:
            raise ValidationError("The casting vote is given once the shortlist is published and until the "
                                  "appointment.")
        if not member.is_chair:
            raise ValidationError(f"{member.person.full_name} is not the chair: only the chair gives a casting vote.")
        if not member.may_vote:
            raise ValidationError("The chair declared a conflict of interest and cannot give a casting vote.")
        tied = selectors.committee_tie(selection=selection)
        if not tied:
            raise ValidationError("There is no tie to break: the casting vote is only for a tie once every "
                                  "member has voted.")
        candidate = Candidate.objects.select_related("person").get(pk=candidate.pk)
        if candidate.pk not in {c.pk for c in tied}:
            raise ValidationError("The casting vote goes to one of the tied candidates: "
                                  + ", ".join(c.person.full_name for c in tied) + ".")
        selection.casting_vote, selection.casting_rationale = candidate, rationale
        selection.save(update_fields=["casting_vote", "casting_rationale"])
        audit.record(actor=actor, action="selection.casting_vote_given", obj=selection,
                     after={"chair": member.person_id, "casting_vote": candidate.pk,
                            "tied": sorted(c.pk for c in tied)})
    return selection


# ------------------------------------------------------------------ reminders
def remind_before_close(*, actor, selection):
    """Remind the electors who have not voted that the ballot closes soon (once per ballot)."""
    with actions.atomic():
        selection = _locked(selection)
        if not selectors.ballot_is_open(selection=selection, now=timezone.now()):
            raise ValidationError("The ballot is not open: there is nothing to remind anyone of.")
        audit.record(actor=actor, action="selection.close_reminder_sent", obj=selection,
                     after={"closes_at": selection.closes_at.isoformat()})
        notify.enqueue_after_commit(MESSAGES + "close_reminder", kind="selection.close_reminder",
                                    selection_id=selection.pk)
    return selection


def send_due_reminders(*, now=None, within=REMINDER_BEFORE_CLOSE):
    """For `clinlead selection-reminders` (hourly): every open ballot closing within 48 hours
    that has not had its reminder."""
    due = messages.due_close_reminders(now=now or timezone.now(), within=within)
    for selection in due:
        remind_before_close(actor=None, selection=selection)
    return due
