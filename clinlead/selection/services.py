"""Selection actions up to the ballot: open a vacancy, nominate, fix the electorate, interview,
schedule the ballot. Each is one named action in a durable transaction that writes its audit event.

The ballot itself (cast, close, count) is in `services_ballot`; the committee and the appointment
in `services_decision`. All are re-exported here.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinlead import actions
from clinlead import notifications as notify
from clinlead.audit import services as audit
from clinlead.org.models import UnitMembership
from clinlead.selection import rules, selectors
from clinlead.selection.messages import HERE as MESSAGES
from clinlead.selection.models import (
    Candidate,
    CommitteeMember,
    Elector,
    InterviewAttendance,
    InterviewSession,
    Selection,
    SelectionPolicy,
    Vacancy,
)
from clinlead.selection.services_ballot import make_ballot_keys

S = Selection.Stage


def _require_stage(selection, *stages, doing):
    if selection.stage not in stages:
        raise ValidationError(
            f"Cannot {doing} now: the selection is at the stage “{selection.get_stage_display()}”."
        )


def _fresh(selection):
    """The selection as stored, locked for this transaction."""
    return Selection.objects.select_for_update().select_related("vacancy__position", "unit").get(pk=selection.pk)


# ------------------------------------------------------------------ policy and vacancy
def save_policy(*, actor, organisation, allow_self_nomination, interview_required_to_vote,
                shortlist_size, min_committee_votes, committee_separation=None, quorum_percent=None):
    with actions.atomic():
        policy = SelectionPolicy.for_organisation(organisation)
        before = {f: getattr(policy, f) for f in _POLICY_FIELDS} if policy.pk else {}
        policy.allow_self_nomination = allow_self_nomination
        policy.interview_required_to_vote = interview_required_to_vote
        policy.shortlist_size = shortlist_size
        policy.min_committee_votes = min_committee_votes
        if committee_separation is not None:
            policy.committee_separation = committee_separation
        if quorum_percent is not None:
            policy.quorum_percent = quorum_percent
        policy.full_clean()
        policy.save()
        audit.record(actor=actor, action="selection.policy_saved", obj=policy, organisation=organisation,
                     before=before, after={f: getattr(policy, f) for f in _POLICY_FIELDS})
    return policy


_POLICY_FIELDS = ["allow_self_nomination", "interview_required_to_vote", "shortlist_size", "min_committee_votes",
                  "committee_separation", "quorum_percent"]


def open_vacancy(*, actor, position, reason, note="", method=Selection.Method.STV, shortlist_size=None):
    """Open a vacancy for `position` and start its selection (taking nominations).

    Called by a talent admin, or by succession when a term-limit warning fires. `reason` is a
    `Vacancy.Reason`; the shortlist size defaults to the organisation's policy. Returns the
    Vacancy; its process is `vacancy.selection`.
    """
    if reason not in Vacancy.Reason.values:
        raise ValidationError(f"Unknown reason for a vacancy: {reason!r}.")
    if method not in Selection.Method.values:
        raise ValidationError(f"Unknown voting method: {method!r}.")
    if not position.active:
        raise ValidationError(f"{position} is not an active position.")
    policy = SelectionPolicy.for_organisation(position.organisation)
    with actions.atomic():
        running = Selection.objects.filter(vacancy__position=position).exclude(
            stage__in=[S.APPOINTED, S.CANCELLED, S.FAILED])
        if running.exists():
            raise ValidationError(f"A selection for {position} is already under way.")
        vacancy = Vacancy.objects.create(
            organisation=position.organisation, position=position, reason=reason,
            opened_on=timezone.localdate(), opened_by=actor if getattr(actor, "pk", None) else None,
            note=note,
        )
        selection = Selection(
            vacancy=vacancy, organisation=position.organisation, unit=position.unit, method=method,
            shortlist_size=shortlist_size or policy.shortlist_size,
            interview_required=policy.interview_required_to_vote,
            min_committee_votes=policy.min_committee_votes,
            committee_separation=policy.committee_separation, quorum_percent=policy.quorum_percent,
        )
        selection.full_clean(exclude=["vacancy"])
        selection.save()
        audit.record(actor=actor, action="selection.vacancy_opened", obj=selection,
                     after={"position": position.title, "reason": reason, "method": method,
                            "shortlist_size": selection.shortlist_size,
                            "committee_separation": selection.committee_separation,
                            "quorum_percent": selection.quorum_percent})
    return vacancy


# ------------------------------------------------------------------ candidates
def nominate_candidate(*, actor, selection, person, statement="", self_nominated=False):
    """Put a person forward. Anyone active in the organisation may be nominated; self-nomination
    only where the organisation's policy allows it."""
    today = timezone.localdate()
    with actions.atomic():
        selection = _fresh(selection)
        _require_stage(selection, S.NOMINATIONS, doing="nominate candidates")
        if self_nominated and not SelectionPolicy.for_organisation(selection.organisation).allow_self_nomination:
            raise ValidationError(f"{selection.organisation} does not allow staff to put themselves forward.")
        problems = selectors.candidate_problems(selection=selection, person=person, day=today)
        if problems:
            raise ValidationError(problems[0])
        candidate = Candidate.objects.create(
            selection=selection, person=person, statement=statement.strip(), self_nominated=self_nominated,
            nominated_by=actor if getattr(actor, "pk", None) else None, nominated_on=today,
        )
        audit.record(actor=actor, action="selection.candidate_nominated", obj=candidate,
                     organisation=selection.organisation,
                     after={"selection": selection.pk, "person": person.pk, "self_nominated": self_nominated})
        notify.enqueue_after_commit(MESSAGES + "nominated", kind="selection.nominated",
                                    candidate_id=candidate.pk)
    return candidate


def withdraw_candidate(*, actor, candidate, reason=""):
    """A candidate steps down (`rules.withdrawal_problem`): before the ballot opens the admin may
    withdraw them; from then until the close only the candidate, with a reason, and their name
    stays on the paper while the count passes their ballots on (`rules.WITHDRAWAL_AFTER_OPENING`)."""
    reason = reason.strip()
    by_candidate = getattr(actor, "person_id", None) == candidate.person_id
    with actions.atomic():
        selection = _fresh(candidate.selection)
        candidate = Candidate.objects.select_for_update().select_related("person").get(pk=candidate.pk)
        problem = rules.withdrawal_problem(selection=selection, candidate=candidate, by_candidate=by_candidate,
                                           reason=reason, now=timezone.now())
        if problem:
            raise ValidationError(problem)
        candidate.withdrawn, candidate.withdrawn_reason = True, reason
        candidate.save(update_fields=["withdrawn", "withdrawn_reason"])
        audit.record(actor=actor, action="selection.candidate_withdrawn", obj=candidate,
                     organisation=selection.organisation, before={"withdrawn": False},
                     after={"withdrawn": True, "by_candidate": by_candidate, "stage": selection.stage,
                            "reason_given": bool(reason)})
        notify.enqueue_after_commit(MESSAGES + "withdrawal", kind="selection.withdrawal", candidate_id=candidate.pk)
    return candidate


def update_statement(*, actor, candidate, statement):
    """A candidate writes or changes their statement to staff, until the ballot opens."""
    statement = statement.strip()
    if len(statement) > 4000:
        raise ValidationError("The statement is too long: at most 4,000 characters.")
    with actions.atomic():
        selection = _fresh(candidate.selection)
        if rules.ballot_has_opened(selection, now=timezone.now()) or selection.has_ended:
            raise ValidationError("Statements are fixed once the ballot opens.")
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.withdrawn:
            raise ValidationError("You have withdrawn: your statement is no longer shown.")
        before = {"length": len(candidate.statement)}
        candidate.statement = statement
        candidate.save(update_fields=["statement"])
        audit.record(actor=actor, action="selection.statement_updated", obj=candidate,
                     organisation=selection.organisation, before=before, after={"length": len(statement)})
    return candidate


# ------------------------------------------------------------------ the electorate
def take_electorate(selection, cutoff: date):
    """Write the electorate: active staff in the unit's subtree on the cut-off date. Runs inside
    the caller's transaction; returns its size."""
    units = selection.unit.subtree().values("id")
    people = (UnitMembership.objects.on(cutoff)
              .filter(unit_id__in=units, person__active=True, person__organisation=selection.organisation)
              .values_list("person_id", flat=True).distinct())
    Elector.objects.bulk_create([Elector(selection=selection, person_id=p) for p in sorted(set(people))])
    return Elector.objects.filter(selection=selection).count()


def close_nominations(*, actor, selection, cutoff: date):
    """Close nominations and fix the electorate from the staff of the unit's subtree on `cutoff`."""
    if cutoff > timezone.localdate():
        raise ValidationError("The cut-off date cannot be in the future: the electorate is who worked here on it.")
    with actions.atomic():
        selection = _fresh(selection)
        _require_stage(selection, S.NOMINATIONS, doing="close nominations")
        standing = selectors.standing_candidates(selection=selection).count()
        if standing < 2:
            raise ValidationError(f"A selection needs at least two candidates; {standing} are standing.")
        size = take_electorate(selection, cutoff)
        if size == 0:
            raise ValidationError(f"Nobody worked in {selection.unit.path} on {cutoff:%d %B %Y}: the electorate would be empty.")
        selection.cutoff, selection.electorate_size, selection.stage = cutoff, size, S.INTERVIEWS
        selection.save(update_fields=["cutoff", "electorate_size", "stage"])
        audit.record(actor=actor, action="selection.nominations_closed", obj=selection,
                     after={"cutoff": cutoff.isoformat(), "electorate": size, "candidates": standing})
    return selection


# ------------------------------------------------------------------ interviews
def schedule_interview(*, actor, selection, starts_at, place, candidates):
    with actions.atomic():
        selection = _fresh(selection)
        _require_stage(selection, S.INTERVIEWS, S.BALLOT, doing="schedule an interview")
        candidates = list(candidates)
        if not candidates:
            raise ValidationError("Choose at least one candidate to interview.")
        if any(c.selection_id != selection.pk or c.withdrawn for c in candidates):
            raise ValidationError("Only candidates standing in this selection can be interviewed.")
        if not place.strip():
            raise ValidationError("Say where the interview takes place.")
        session = InterviewSession.objects.create(selection=selection, starts_at=starts_at, place=place.strip())
        session.candidates.set(candidates)
        audit.record(actor=actor, action="selection.interview_scheduled", obj=session,
                     organisation=selection.organisation,
                     after={"starts_at": starts_at.isoformat(), "place": session.place,
                            "candidates": sorted(c.pk for c in candidates)})
        notify.enqueue_after_commit(MESSAGES + "interview", kind="selection.interview", session_id=session.pk)
    return session


def record_interview_attendance(*, actor, session, person):
    """A member of the electorate took part in an interview: recorded by the panel (a committee
    member) or the selection's admin who saw them there, never by the voter themself."""
    problem = rules.attendance_problem(recorder_person=getattr(actor, "person", None), person=person)
    if problem:
        raise ValidationError(problem)
    with actions.atomic():
        selection = _fresh(session.selection)
        _require_stage(selection, S.INTERVIEWS, S.BALLOT, doing="record taking part in an interview")
        if not selectors.is_elector(selection=selection, person=person):
            raise ValidationError(f"{person.full_name} is not in the electorate of this selection.")
        if session.starts_at > timezone.now():
            raise ValidationError("This interview has not started yet: record taking part once it has.")
        attendance, created = InterviewAttendance.objects.get_or_create(
            session=session, person=person,
            defaults={"recorded_on": timezone.localdate(), "recorded_by": actor if getattr(actor, "pk", None) else None})
        if not created:
            raise ValidationError(f"{person.full_name} is already recorded as taking part in this interview.")
        audit.record(actor=actor, action="selection.interview_attended", obj=attendance,
                     organisation=selection.organisation, after={"session": session.pk, "person": person.pk})
    return attendance


# ------------------------------------------------------------------ scheduling the ballot
def schedule_ballot(*, actor, selection, method, shortlist_size, opens_at, closes_at, passphrases,
                    custodians=()):
    """Fix the ballot paper and the times the ballot opens and closes, and make the ballot's
    sealing key: one key file per custodian (one or two), each locked by that custodian's
    passphrase. Returns the key files (`sealing.CustodyKeys`), to hand out once: Clinlead keeps
    only the public key, so without them the ballots can never be opened."""
    if method not in Selection.Method.values:
        raise ValidationError(f"Unknown voting method: {method!r}.")
    if not 1 <= shortlist_size <= 20:
        raise ValidationError("The shortlist must hold between 1 and 20 candidates.")
    if closes_at <= opens_at:
        raise ValidationError("The ballot must close after it opens.")
    if closes_at <= timezone.now():
        raise ValidationError("The ballot must close in the future.")
    _require_stage(selection, S.INTERVIEWS, doing="schedule the ballot")
    problem = rules.shortlist_problem(shortlist_size=shortlist_size,
                                      standing=selectors.standing_candidates(selection=selection).count())
    if problem:
        raise ValidationError(problem)
    committee = list(CommitteeMember.objects.filter(selection=selection).select_related("person"))
    problems = rules.committee_shape_problems(members=committee, min_votes=selection.min_committee_votes)
    if problems:
        raise ValidationError(problems[0])
    keys = make_ballot_keys(selection, passphrases=passphrases)
    names = list(custodians) or [str(actor)]
    names += [f"Custodian {n}" for n in range(len(names) + 1, len(passphrases) + 1)]
    with actions.atomic():
        selection = _fresh(selection)
        _require_stage(selection, S.INTERVIEWS, doing="schedule the ballot")
        standing = list(selectors.standing_candidates(selection=selection))
        if len(standing) < 2:
            raise ValidationError(f"A ballot needs at least two candidates; {len(standing)} are standing.")
        if selection.interview_required:
            seen = set(InterviewSession.candidates.through.objects
                       .filter(interviewsession__selection=selection).values_list("candidate_id", flat=True))
            missing = [c for c in standing if c.pk not in seen]
            if missing:
                raise ValidationError("Staff must take part in the interviews to vote, so schedule an interview "
                                      "with every candidate first: " + ", ".join(map(str, missing)) + ".")
        Candidate.objects.filter(pk__in=[c.pk for c in standing]).update(on_ballot=True)
        selection.method, selection.shortlist_size = method, shortlist_size
        selection.opens_at, selection.closes_at, selection.stage = opens_at, closes_at, S.BALLOT
        selection.ballot_public_key, selection.custodians = keys.public_key, names[: len(passphrases)]
        selection.save(update_fields=["method", "shortlist_size", "opens_at", "closes_at", "stage",
                                      "ballot_public_key", "custodians"])
        audit.record(actor=actor, action="selection.ballot_scheduled", obj=selection,
                     after={"method": method, "shortlist_size": shortlist_size,
                            "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat(),
                            "candidates": len(standing), "custodians": selection.custodians})
        notify.enqueue_after_commit(MESSAGES + "ballot_times", kind="selection.ballot_times",
                                    selection_id=selection.pk)
    return keys


from clinlead.selection.services_ballot import (  # noqa: E402, F401
    cast_ballot,
    close_ballot,
    count_ballots,
    hand_out_recount_file,
)
from clinlead.selection.services_decision import (  # noqa: E402, F401
    add_committee_member,
    confirm_appointment,
    declare_interest,
    record_committee_vote,
)
from clinlead.selection.services_governance import (  # noqa: E402, F401
    cancel_selection,
    change_ballot_times,
    give_casting_vote,
    name_chair,
    remind_before_close,
    remove_committee_member,
    reopen_nominations,
    send_due_reminders,
)
