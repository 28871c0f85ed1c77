"""Programme actions: set up a programme and its cohorts, enrol people, complete milestones with
reviewed evidence or a named person's sign-off, pause or withdraw an enrolment, and decide the
permanent-appointment review by a panel.

The onboarding's rules (defaults in brackets, per programme where stated):
- the review opens only after `Programme.min_months_before_review` months in the programme
  (36), pauses not counted, and once every milestone is complete;
- evidence counts only once a programme lead or talent admin accepts it (or returns it with a
  reason); uploading alone completes nothing;
- a review milestone (kind "review") cannot be signed off before its due date;
- the review is decided by a panel of `Programme.panel_size` (3) different people — programme
  leads and talent admins, never the person — each giving a decision and reasons; the majority
  decides (a tie extends the onboarding); the decision names the person's current appointment,
  if they hold one, and is recorded in that appointment's audit trail;
- enrolment on a programme ending with the review is refused for anyone holding a current
  appointment at the organisation's top two leadership levels (for example the chief executive
  or a medical director) and for anyone already confirmed on it;
- a milestone added later reaches current (in-progress or paused) enrolments only if the lead
  says so, and never finished or withdrawn ones.

Assessments and 360 feedback are in `services_assessment`; learning records, mentoring and
career conversations in `services_people`.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.development import uploads
from clinlead.development.models import (
    AppointmentReview,
    Cohort,
    Enrolment,
    EvidenceFile,
    MentoringAgreement,
    Milestone,
    MilestoneRecord,
    PanelVote,
    Programme,
    ProgrammeLead,
)
from clinlead.development.models_programmes import EvidenceState
from clinlead.org.models import Appointment, Person, PositionLevel

CURRENT = [Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED]
# Enrolment on a programme ending with the review is refused for holders of these top levels.
TOP_LEVELS_EXCLUDED = 2

# The default programme: three years of onboarding before a permanent appointment.
# (title, kind, how it is completed, due by month)
ONBOARDING_NAME = "Three-year onboarding"
ONBOARDING_SUMMARY = ("Three years of onboarding for new consultants and senior professionals before a "
                      "permanent appointment: emotional intelligence, teamwork in simulation, quality "
                      "improvement and the basics of finance, law and human resources, with a mentor.")
ONBOARDING_MILESTONES = [
    ("Emotional intelligence assessment", Milestone.Kind.EMOTIONAL_INTELLIGENCE, Milestone.Completion.EVIDENCE, 3),
    ("Mentor assigned", Milestone.Kind.MENTOR, Milestone.Completion.SIGN_OFF, 3),
    ("Simulation-centre session: working with the team", Milestone.Kind.SIMULATION, Milestone.Completion.SIGN_OFF, 9),
    ("Basics of finance and accounting", Milestone.Kind.FINANCE, Milestone.Completion.EVIDENCE, 12),
    ("Year 1 review", Milestone.Kind.REVIEW, Milestone.Completion.SIGN_OFF, 12),
    ("Basics of employment law", Milestone.Kind.LAW, Milestone.Completion.EVIDENCE, 18),
    ("Basics of human resources", Milestone.Kind.HUMAN_RESOURCES, Milestone.Completion.EVIDENCE, 18),
    ("Quality improvement project", Milestone.Kind.QUALITY_IMPROVEMENT, Milestone.Completion.EVIDENCE, 24),
    ("Year 2 review", Milestone.Kind.REVIEW, Milestone.Completion.SIGN_OFF, 24),
]


def _name(user):
    return str(user)[:200]


def create_programme(*, actor, organisation, name, summary="", length_months=36, framework=None,
                     ends_with_appointment_review=True, use_onboarding_template=False,
                     min_months_before_review=36, panel_size=3):
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the programme's name")
    if framework is not None and framework.organisation_id not in (None, organisation.pk):
        raise ValidationError("That framework belongs to another organisation")
    with actions.atomic():
        if Programme.objects.filter(organisation=organisation, name=name).exists():
            raise ValidationError(f"There is already a programme called {name!r}")
        programme = Programme.objects.create(
            organisation=organisation, name=name, summary=summary, length_months=length_months,
            framework=framework, ends_with_appointment_review=ends_with_appointment_review,
            min_months_before_review=min_months_before_review, panel_size=panel_size)
        if use_onboarding_template:
            Milestone.objects.bulk_create([
                Milestone(programme=programme, order=i, title=t, kind=k, completion=c, due_month=m)
                for i, (t, k, c, m) in enumerate(ONBOARDING_MILESTONES, start=1)])
        audit.record(actor=actor, action="development.programme_created", obj=programme,
                     organisation=organisation,
                     after={"name": name, "milestones": programme.milestones.count(),
                            "length_months": length_months, "min_months_before_review": min_months_before_review,
                            "panel_size": panel_size})
    return programme


def add_milestone(*, actor, programme, title, kind, completion, due_month, apply_to_current=False):
    """Add a milestone to the programme. It reaches people already enrolled only if
    `apply_to_current` (and then only current enrolments, never finished or withdrawn ones)."""
    title = (title or "").strip()
    if not title:
        raise ValidationError("Enter the milestone's title")
    if not 1 <= due_month <= programme.length_months:
        raise ValidationError(f"The month must be between 1 and {programme.length_months}")
    with actions.atomic():
        order = (programme.milestones.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        milestone = Milestone.objects.create(programme=programme, order=order, title=title, kind=kind,
                                             completion=completion, due_month=due_month)
        reached = list(Enrolment.objects.filter(cohort__programme=programme, status__in=CURRENT)) \
            if apply_to_current else []
        MilestoneRecord.objects.bulk_create([MilestoneRecord(enrolment=e, milestone=milestone) for e in reached])
        audit.record(actor=actor, action="development.milestone_added", obj=milestone,
                     organisation=programme.organisation,
                     after={"title": title, "completion": completion, "due_month": due_month,
                            "current_enrolments_reached": len(reached)})
    return milestone


def add_programme_lead(*, actor, programme, person):
    if person.organisation_id != programme.organisation_id:
        raise ValidationError("A programme lead must work at the programme's organisation")
    with actions.atomic():
        lead, created = ProgrammeLead.objects.get_or_create(programme=programme, person=person)
        if created:
            audit.record(actor=actor, action="development.programme_lead_added", obj=programme,
                         organisation=programme.organisation, after={"lead": person.staff_number})
    return lead


def create_cohort(*, actor, programme, name, starts_on):
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the cohort's name")
    with actions.atomic():
        if programme.cohorts.filter(name=name).exists():
            raise ValidationError(f"This programme already has a cohort called {name!r}")
        cohort = Cohort.objects.create(programme=programme, name=name, starts_on=starts_on)
        audit.record(actor=actor, action="development.cohort_created", obj=cohort,
                     organisation=programme.organisation,
                     after={"name": name, "starts_on": starts_on.isoformat()})
    return cohort


def check_eligible(*, programme, person, day):
    """Who may be enrolled (see the module's rules); raises ValidationError saying why not."""
    if person.organisation_id != programme.organisation_id:
        raise ValidationError("Only people who work at the programme's organisation can be enrolled")
    if not person.active:
        raise ValidationError(f"{person} has left the organisation")
    if not programme.ends_with_appointment_review:
        return
    top = list(PositionLevel.objects.filter(organisation=programme.organisation).order_by("-rank")
               .values_list("rank", flat=True)[:TOP_LEVELS_EXCLUDED])
    senior = (Appointment.objects.held_on(day).filter(person=person, position__organisation=programme.organisation,
                                                      position__level__rank__in=top).select_related("position").first() if top else None)
    if senior is not None:
        raise ValidationError(f"{person} holds {senior.position}, one of the organisation's top positions: "
                              f"{programme} leads to a permanent appointment and is for people new to theirs")
    if AppointmentReview.objects.filter(enrolment__person=person, enrolment__cohort__programme=programme,
                                        decision=AppointmentReview.Decision.CONFIRMED).exists():
        raise ValidationError(f"{person}'s permanent appointment was already confirmed on {programme}")


def enrol(*, actor, cohort, person, enrolled_on=None):
    """Enrol a person, from `enrolled_on` (today by default; not in the future, not before the
    cohort starts)."""
    programme = cohort.programme
    day = enrolled_on or date.today()
    if day > date.today():
        raise ValidationError("The enrolment date cannot be in the future")
    if day < cohort.starts_on:
        raise ValidationError(f"The enrolment date cannot be before the cohort starts ({cohort.starts_on:%-d %B %Y})")
    check_eligible(programme=programme, person=person, day=date.today())
    with actions.atomic():
        if Enrolment.objects.filter(person=person, cohort__programme=programme, status__in=CURRENT).exists():
            raise ValidationError(f"{person} is already enrolled on {programme}")
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(cohort=cohort, person=person, enrolled_on=day)
        except IntegrityError as exc:
            raise ValidationError(f"{person} is already in this cohort") from exc
        MilestoneRecord.objects.bulk_create([MilestoneRecord(enrolment=enrolment, milestone=m)
                                             for m in programme.milestones.all()])
        audit.record(actor=actor, action="development.enrolled", obj=enrolment,
                     organisation=programme.organisation,
                     after={"person": person.staff_number, "cohort": cohort.name, "enrolled_on": day.isoformat()})
    return enrolment


def upload_evidence(*, actor, record, upload, today=None):
    """Check and store an evidence file for a milestone. A file that fails a check is refused
    with a ValidationError and nothing is stored: no file, no row. For a milestone completed by
    evidence, the upload puts it up for review: it counts only once accepted."""
    checked = uploads.check_upload(upload)
    enrolment = record.enrolment
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError("This enrolment is no longer in progress")
    stored, new_file = None, False
    try:
        with actions.atomic():
            record = MilestoneRecord.objects.select_for_update().get(pk=record.pk)
            stored, new_file = uploads.write(checked)
            evidence = EvidenceFile.objects.create(
                person=enrolment.person, milestone_record=record, stored_name=stored,
                original_name=checked.original_name, content_type=checked.content_type, size=checked.size,
                sha256=checked.sha256, uploaded_by=actor if getattr(actor, "pk", None) else None)
            submitted = record.milestone.completion == Milestone.Completion.EVIDENCE and not record.done
            if submitted:
                record.evidence_state, record.evidence_return_reason = EvidenceState.SUBMITTED, ""
                record.save(update_fields=["evidence_state", "evidence_return_reason"])
            audit.record(actor=actor, action="development.evidence_uploaded", obj=record,
                         organisation=enrolment.person.organisation,
                         after={"file": checked.original_name, "bytes": checked.size,
                                "milestone": record.milestone.title, "submitted_for_review": submitted})
    except BaseException:
        if new_file:
            uploads.remove(stored)
        raise
    return evidence


def review_evidence(*, actor, record, accept, reason="", today=None):
    """A programme lead or talent admin accepts the evidence (the milestone is then complete) or
    returns it with a reason (the person uploads again)."""
    if getattr(actor, "person_id", None) is not None and actor.person_id == record.enrolment.person_id:
        raise ValidationError("People cannot review their own evidence")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError("Say why the evidence is returned, so the person knows what to upload")
    with actions.atomic():
        record = MilestoneRecord.objects.select_for_update().select_related("milestone", "enrolment__person").get(
            pk=record.pk)
        if record.evidence_state != EvidenceState.SUBMITTED:
            raise ValidationError("No evidence is waiting for review on this milestone")
        day = today or date.today()
        record.evidence_state = EvidenceState.ACCEPTED if accept else EvidenceState.RETURNED
        record.evidence_reviewed_by_name, record.evidence_reviewed_on = _name(actor), day
        record.evidence_return_reason = "" if accept else reason
        if accept:
            record.done, record.completed_on = True, day
        record.save()
        audit.record(actor=actor, action="development.evidence_reviewed", obj=record,
                     organisation=record.enrolment.person.organisation,
                     after={"milestone": record.milestone.title, "decision": record.evidence_state,
                            "reason": record.evidence_return_reason})
    return record


def sign_off_milestone(*, actor, record, note="", today=None):
    """A named person (a programme lead or the person's leader) signs a milestone off; a review
    milestone not before its due date."""
    from clinlead.development.selectors import milestone_due_on

    if record.done:
        raise ValidationError("This milestone is already complete")
    if record.milestone.completion != Milestone.Completion.SIGN_OFF:
        raise ValidationError("This milestone is completed by evidence, accepted on review")
    due = milestone_due_on(record)
    if record.milestone.kind == Milestone.Kind.REVIEW and (today or date.today()) < due:
        raise ValidationError(f"{record.milestone.title} is a review of the period up to {due:%-d %B %Y}: "
                              "it cannot be signed off before then")
    if record.enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError("This enrolment is no longer in progress")
    with actions.atomic():
        record = MilestoneRecord.objects.select_for_update().get(pk=record.pk)
        if record.done:
            raise ValidationError("This milestone is already complete")
        record.done, record.completed_on = True, today or date.today()
        record.signed_off_by, record.signed_off_by_name = actor, _name(actor)
        record.note = (note or "").strip()
        record.save()
        audit.record(actor=actor, action="development.milestone_signed_off", obj=record,
                     organisation=record.enrolment.person.organisation,
                     after={"milestone": record.milestone.title, "signed_off_by": record.signed_off_by_name})
    return record


def outstanding_milestones(enrolment):
    done = set(MilestoneRecord.objects.filter(enrolment=enrolment, done=True).values_list("milestone_id", flat=True))
    return [m for m in enrolment.cohort.programme.milestones.all() if m.pk not in done]


def review_blockers(enrolment, *, today=None):
    """Why the permanent-appointment review cannot open yet: a list of reasons (empty when it can)."""
    from clinlead.development.selectors import review_opens_on

    day = today or date.today()
    programme = enrolment.cohort.programme
    reasons = []
    if not programme.ends_with_appointment_review:
        return ["This programme does not end with a permanent-appointment review"]
    if enrolment.status != Enrolment.Status.ACTIVE:
        reasons.append(f"The enrolment is {enrolment.get_status_display().lower()}")
    opens = review_opens_on(enrolment, today=day)
    if day < opens:
        reasons.append(f"The review opens after {programme.min_months_before_review} months in the programme "
                       f"(pauses not counted): on {opens:%-d %B %Y}")
    missing = outstanding_milestones(enrolment)
    if missing:
        reasons.append(f"{len(missing)} milestone(s) are not complete yet, such as {missing[0].title!r}")
    return reasons


def current_round(enrolment):
    """The panel round now deciding: the last one until the panel is full, then (after an
    extension) a new one."""
    rounds = list(PanelVote.objects.filter(enrolment=enrolment).values_list("round", flat=True))
    last = max(rounds, default=0)
    if last and rounds.count(last) < enrolment.cohort.programme.panel_size:
        return last
    return last + 1


def majority(decisions):
    """The panel's decision: the one most members gave; a tie extends the onboarding."""
    counts = {d: decisions.count(d) for d in set(decisions)}
    best = max(counts.values())
    winners = [d for d, n in counts.items() if n == best]
    return winners[0] if len(winners) == 1 else AppointmentReview.Decision.EXTENDED


def decide_appointment_review(*, actor, enrolment, decision, reasons, appointment=None, today=None):
    """One panel member's decision and reasons on the permanent-appointment review. When the
    programme's panel size have decided, the majority decision is recorded (with every member's
    reasons) against the person's appointment; returns the review then, else None.

    The review opens only after the minimum time in the programme and once every milestone is
    complete; an extension can later be followed by a new round."""
    if decision not in AppointmentReview.Decision.values:
        raise ValidationError("Choose a decision")
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError("Give the reasons for the decision")
    member_id = getattr(actor, "person_id", None)
    if member_id is None:
        raise ValidationError("Panel members decide under their own name: this login has no person")
    if member_id == enrolment.person_id:
        raise ValidationError("People cannot sit on their own review panel")
    if MentoringAgreement.objects.filter(mentor_id=member_id, mentee_id=enrolment.person_id).exists():
        raise ValidationError(f"You mentor or coach {enrolment.person} (or did): someone else sits on the panel")
    day = today or date.today()
    blockers = review_blockers(enrolment, today=day)
    if blockers:
        raise ValidationError("; ".join(blockers))
    if appointment is not None and appointment.person_id != enrolment.person_id:
        raise ValidationError("Choose one of the person's own appointments")
    with actions.atomic():
        enrolment = Enrolment.objects.select_for_update().select_related("cohort__programme", "person").get(
            pk=enrolment.pk)
        existing = AppointmentReview.objects.filter(enrolment=enrolment).first()
        if existing and existing.decision != AppointmentReview.Decision.EXTENDED:
            raise ValidationError("The decision has already been recorded")
        round_ = current_round(enrolment)
        if PanelVote.objects.filter(enrolment=enrolment, round=round_, member_id=member_id).exists():
            raise ValidationError("You have already given your decision on this review")
        member = Person.objects.get(pk=member_id)
        PanelVote.objects.create(enrolment=enrolment, round=round_, member=member, member_name=member.full_name,
                                 decision=decision, reasons=reasons, voted_on=day)
        audit.record(actor=actor, action="development.review_panel_vote", obj=enrolment,
                     organisation=enrolment.person.organisation, after={"round": round_, "decision": decision})
        votes = list(PanelVote.objects.filter(enrolment=enrolment, round=round_))
        programme = enrolment.cohort.programme
        if len(votes) < programme.panel_size:
            return None
        appointment = appointment or _current_appointment(enrolment.person, day)
        before = {"decision": existing.decision} if existing else {}
        review = existing or AppointmentReview(enrolment=enrolment)
        review.decision = majority([v.decision for v in votes])
        review.reasons = "\n".join(f"{v.member_name} ({v.get_decision_display().lower()}): {v.reasons}" for v in votes)
        review.decided_on, review.decided_by = day, actor if getattr(actor, "pk", None) else None
        review.decided_by_name = ("Panel: " + ", ".join(v.member_name for v in votes))[:200]
        review.appointment = appointment
        review.save()
        if review.decision != AppointmentReview.Decision.EXTENDED:
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.save(update_fields=["status"])
        after = {"decision": review.decision, "decided_by": review.decided_by_name, "round": round_,
                 "appointment": str(appointment) if appointment else None}
        audit.record(actor=actor, action="development.appointment_review_decided", obj=enrolment,
                     organisation=enrolment.person.organisation, before=before, after=after)
        if appointment is not None:
            audit.record(actor=actor, action="development.appointment_review_decided", obj=appointment,
                         organisation=enrolment.person.organisation, after=after | {"programme": programme.name})
    return review


def _current_appointment(person, day):
    current = list(Appointment.objects.held_on(day).filter(person=person)
                   .select_related("position"))
    return current[0] if len(current) == 1 else None


def pause_enrolment(*, actor, enrolment, reason, today=None):
    """Pause (leave, illness): due dates move on and the time does not count towards the review."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the pause")
    with actions.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != Enrolment.Status.ACTIVE:
            raise ValidationError("Only an enrolment in progress can be paused")
        enrolment.status, enrolment.paused_on, enrolment.status_reason = Enrolment.Status.PAUSED, today or date.today(), reason
        enrolment.save(update_fields=["status", "paused_on", "status_reason"])
        audit.record(actor=actor, action="development.enrolment_paused", obj=enrolment,
                     organisation=enrolment.person.organisation, after={"reason": reason})
    return enrolment


def resume_enrolment(*, actor, enrolment, today=None):
    with actions.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status != Enrolment.Status.PAUSED:
            raise ValidationError("This enrolment is not paused")
        days = ((today or date.today()) - enrolment.paused_on).days
        enrolment.status, enrolment.paused_days = Enrolment.Status.ACTIVE, enrolment.paused_days + max(days, 0)
        enrolment.paused_on, enrolment.status_reason = None, ""
        enrolment.save(update_fields=["status", "paused_days", "paused_on", "status_reason"])
        audit.record(actor=actor, action="development.enrolment_resumed", obj=enrolment,
                     organisation=enrolment.person.organisation, after={"paused_days": enrolment.paused_days})
    return enrolment


def withdraw_enrolment(*, actor, enrolment, reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the withdrawal")
    with actions.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.status not in CURRENT:
            raise ValidationError("Only a current enrolment can be withdrawn")
        enrolment.status, enrolment.status_reason = Enrolment.Status.WITHDRAWN, reason
        enrolment.save(update_fields=["status", "status_reason"])
        audit.record(actor=actor, action="development.enrolment_withdrawn", obj=enrolment,
                     organisation=enrolment.person.organisation, after={"reason": reason})
    return enrolment


def set_due_date(*, actor, record, due_on, reason):
    """A person's own due date for one milestone (part-time working, leave), with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for the person's own due date")
    if due_on < record.enrolment.enrolled_on:
        raise ValidationError("The due date cannot be before the enrolment")
    with actions.atomic():
        record = MilestoneRecord.objects.select_for_update().select_related("milestone", "enrolment__person").get(
            pk=record.pk)
        before = {"due_on": record.due_on.isoformat() if record.due_on else None}
        record.due_on = due_on
        record.save(update_fields=["due_on"])
        audit.record(actor=actor, action="development.due_date_set", obj=record,
                     organisation=record.enrolment.person.organisation, before=before,
                     after={"due_on": due_on.isoformat(), "reason": reason, "milestone": record.milestone.title})
    return record


def find_person(*, organisation, staff_number):
    person = Person.objects.filter(organisation=organisation, staff_number=(staff_number or "").strip()).first()
    if person is None:
        raise ValidationError(f"No one at {organisation} has the staff number {staff_number!r}")
    return person
