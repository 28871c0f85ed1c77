"""Actions on learning records, the mentor and coach pool, mentoring agreements and career
conversations."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q

from clinlead import actions
from clinlead.audit import services as audit
from clinlead.development import uploads
from clinlead.development.models import (
    DevelopmentPlan,
    Dimension,
    EvidenceFile,
    LearningRecord,
    MentoringAgreement,
    MentoringFeedback,
    MentoringSession,
    MentorProfile,
)
from clinlead.development.models_people import Offer, Readiness
from clinlead.org.models import ReportingLine
from clinlead.org.models_readiness import ReadinessSource
from clinlead.org.readiness import record_readiness


def _dimensions_for(person, dimensions):
    dimensions = list(dimensions or [])
    allowed = set(Dimension.objects.filter(Q(framework__organisation=None)
                                           | Q(framework__organisation_id=person.organisation_id))
                  .filter(pk__in=[d.pk for d in dimensions]).values_list("pk", flat=True))
    if len(allowed) != len({d.pk for d in dimensions}):
        raise ValidationError("Choose dimensions from a framework open to the organisation")
    return dimensions


def add_learning_record(*, actor, person, title, kind, provider="", started_on=None, completed_on=None,
                        dimensions=(), upload=None):
    title = (title or "").strip()
    if not title:
        raise ValidationError("Enter the name of the course, programme or credential")
    if kind not in LearningRecord.Kind.values:
        raise ValidationError("Choose what kind of learning this is")
    if started_on and completed_on and completed_on < started_on:
        raise ValidationError("The completion date must be on or after the start date")
    dimensions = _dimensions_for(person, dimensions)
    checked = uploads.check_upload(upload) if upload else None
    stored, new_file = None, False
    try:
        with actions.atomic():
            evidence = None
            if checked:
                stored, new_file = uploads.write(checked)
                evidence = EvidenceFile.objects.create(
                    person=person, stored_name=stored, original_name=checked.original_name,
                    content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
                    uploaded_by=actor if getattr(actor, "pk", None) else None)
            record = LearningRecord.objects.create(
                person=person, title=title, kind=kind, provider=(provider or "").strip(), started_on=started_on,
                completed_on=completed_on, evidence=evidence,
                recorded_by=actor if getattr(actor, "pk", None) else None)
            record.dimensions.set(dimensions)
            audit.record(actor=actor, action="development.learning_recorded", obj=record,
                         organisation=person.organisation,
                         after={"title": title, "kind": kind, "dimensions": len(dimensions),
                                "evidence": checked.original_name if checked else ""})
    except BaseException:
        if new_file:
            uploads.remove(stored)
        raise
    return record


# ------------------------------------------------------------------ mentoring


def reporting_chain(person, day):
    """Everyone above the person: their leader, their leader's leader, ... (ids)."""
    chain, current = [], person.pk
    for _ in range(50):
        line = ReportingLine.objects.on(day).filter(person_id=current).values_list("leader_id", flat=True).first()
        if line is None or line in chain or line == person.pk:
            break
        chain.append(line)
        current = line
    return chain


def own_line(person, day):
    """The people a mentor must not be: the mentee's reporting chain and their direct reports."""
    reports = ReportingLine.objects.on(day).filter(leader=person).values_list("person_id", flat=True)
    return set(reporting_chain(person, day)) | set(reports)


def deciders_of(person):
    """{person id: what they decide}: the leads of every programme the person is on now, and
    everyone who has sat on their permanent-appointment review panel. None of them may mentor
    or coach the person (they would read the session notes of someone they judge)."""
    from clinlead.development.models import Enrolment, PanelVote, ProgrammeLead

    deciders = {}
    for lead in ProgrammeLead.objects.filter(
            programme__cohorts__enrolments__person=person,
            programme__cohorts__enrolments__status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.PAUSED],
    ).select_related("programme"):
        deciders[lead.person_id] = (f"leads {lead.programme}, on which {person} is enrolled, and so sits on "
                                    f"{person}'s permanent-appointment review")
    for vote in PanelVote.objects.filter(enrolment__person=person):
        deciders.setdefault(vote.member_id, f"sat on {person}'s permanent-appointment review panel")
    return deciders


def check_no_conflict(*, mentor, mentee, day):
    """A mentor is never in the mentee's reporting line nor someone who decides on their
    programme; raises ValidationError with the reason."""
    if mentor.pk in own_line(mentee, day):
        raise ValidationError(f"{mentor} is in {mentee}'s own reporting line; choose someone outside it")
    decides = deciders_of(mentee).get(mentor.pk)
    if decides:
        raise ValidationError(f"{mentor} {decides}: someone who decides on {mentee} cannot also be their mentor or "
                              "coach. Choose someone who does not.")


def join_mentor_pool(*, actor, person, mentoring=True, coaching=False, capacity=2, interests=""):
    if not (mentoring or coaching):
        raise ValidationError("Choose mentoring, coaching or both")
    if not 1 <= capacity <= 10:
        raise ValidationError("Capacity must be between 1 and 10 people")
    if not person.active:
        raise ValidationError(f"{person} has left the organisation")
    with actions.atomic():
        profile, created = MentorProfile.objects.update_or_create(
            person=person, defaults={"mentoring": mentoring, "coaching": coaching, "capacity": capacity,
                                     "interests": (interests or "").strip()[:300], "active": True})
        audit.record(actor=actor, action="development.mentor_pool_joined" if created else "development.mentor_pool_updated",
                     obj=profile, organisation=person.organisation,
                     after={"mentoring": mentoring, "coaching": coaching, "capacity": capacity})
    return profile


def active_mentees(mentor):
    return MentoringAgreement.objects.filter(mentor=mentor, ended_on__isnull=True).count()


def start_agreement(*, actor, mentor, mentee, kind, goals, today=None):
    day = today or date.today()
    goals = (goals or "").strip()
    if not goals:
        raise ValidationError("Write down what the mentee wants from the relationship")
    if kind not in Offer.values:
        raise ValidationError("Choose mentoring or coaching")
    if mentor.pk == mentee.pk:
        raise ValidationError("A person cannot mentor themselves")
    if mentor.organisation_id != mentee.organisation_id:
        raise ValidationError("Mentor and mentee must work at the same organisation")
    check_no_conflict(mentor=mentor, mentee=mentee, day=day)
    with actions.atomic():
        profile = MentorProfile.objects.select_for_update().filter(person=mentor, active=True).first()
        if profile is None:
            raise ValidationError(f"{mentor} is not in the mentor and coach pool")
        if not (profile.mentoring if kind == Offer.MENTORING else profile.coaching):
            raise ValidationError(f"{mentor} does not offer {Offer(kind).label.lower()}")
        if active_mentees(mentor) >= profile.capacity:
            raise ValidationError(f"{mentor} has no capacity left")
        if MentoringAgreement.objects.filter(mentor=mentor, mentee=mentee, ended_on__isnull=True).exists():
            raise ValidationError(f"{mentor} already works with {mentee}")
        agreement = MentoringAgreement.objects.create(mentor=mentor, mentee=mentee, kind=kind, goals=goals,
                                                      started_on=day)
        audit.record(actor=actor, action="development.mentoring_started", obj=agreement,
                     organisation=mentee.organisation, after={"kind": kind})
    return agreement


def _in_pair(actor, agreement):
    return getattr(actor, "person_id", None) in (agreement.mentor_id, agreement.mentee_id)


def consent_to_agreement(*, actor, agreement, today=None):
    """The mentee agrees to the relationship; until then no session is logged."""
    if getattr(actor, "person_id", None) != agreement.mentee_id:
        raise ValidationError("Only the mentee can consent to this relationship")
    with actions.atomic():
        agreement = MentoringAgreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.mentee_consented_on:
            raise ValidationError("You have already agreed to this relationship")
        if not agreement.is_active:
            raise ValidationError("This relationship has ended")
        agreement.mentee_consented_on = today or date.today()
        agreement.save(update_fields=["mentee_consented_on"])
        audit.record(actor=actor, action="development.mentoring_consented", obj=agreement,
                     organisation=agreement.organisation)
    return agreement


def log_session(*, actor, agreement, held_on, minutes=60, private_notes=""):
    if not _in_pair(actor, agreement):
        raise ValidationError("Only the mentor and mentee log their sessions")
    if not agreement.is_active:
        raise ValidationError("This relationship has ended")
    if not agreement.mentee_consented_on:
        raise ValidationError(f"{agreement.mentee} has not yet agreed to this relationship")
    if held_on < agreement.started_on or held_on > date.today():
        raise ValidationError("The session date must be between the start of the relationship and today")
    with actions.atomic():
        session = MentoringSession.objects.create(agreement=agreement, held_on=held_on, minutes=minutes,
                                                  private_notes=(private_notes or "").strip())
        # The notes are private to the pair: never in the trail.
        audit.record(actor=actor, action="development.mentoring_session_logged", obj=agreement,
                     organisation=agreement.organisation, after={"held_on": held_on.isoformat(), "minutes": minutes})
    return session


def end_agreement(*, actor, agreement, today=None):
    with actions.atomic():
        agreement = MentoringAgreement.objects.select_for_update().get(pk=agreement.pk)
        if not agreement.is_active:
            raise ValidationError("This relationship has already ended")
        agreement.ended_on = today or date.today()
        agreement.save(update_fields=["ended_on"])
        audit.record(actor=actor, action="development.mentoring_ended", obj=agreement,
                     organisation=agreement.organisation, after={"ended_on": agreement.ended_on.isoformat()})
    return agreement


def give_mentoring_feedback(*, actor, agreement, usefulness, comment=""):
    if not _in_pair(actor, agreement):
        raise ValidationError("Only the mentor and mentee give feedback on the relationship")
    if agreement.is_active:
        raise ValidationError("Feedback is given when the relationship ends")
    if not 1 <= int(usefulness) <= 5:
        raise ValidationError("Choose how useful it was, from 1 to 5")
    side = MentoringFeedback.Side.MENTOR if actor.person_id == agreement.mentor_id else MentoringFeedback.Side.MENTEE
    with actions.atomic():
        if MentoringFeedback.objects.filter(agreement=agreement, side=side).exists():
            raise ValidationError("You have already given feedback on this relationship")
        feedback = MentoringFeedback.objects.create(agreement=agreement, side=side, usefulness=int(usefulness),
                                                    comment=(comment or "").strip())
        audit.record(actor=actor, action="development.mentoring_feedback_given", obj=agreement,
                     organisation=agreement.organisation, after={"side": side})
    return feedback


# ------------------------------------------------------------------ career conversations


def record_career_conversation(*, actor, person, conversation_on, impact, aspiration, readiness, next_steps,
                               position, target_level=None, focus_dimensions=()):
    """Record what a career conversation agreed. Its readiness is the person's one readiness for
    `position`, shared with the succession pool (clinlead.org.readiness): it becomes the current
    value unless a newer assessment is already held, and joins the history either way."""
    next_steps = (next_steps or "").strip()
    if not next_steps:
        raise ValidationError("Write down the agreed next steps")
    if impact not in DevelopmentPlan.Impact.values or aspiration not in DevelopmentPlan.Aspiration.values:
        raise ValidationError("Choose the impact and the growth aspiration")
    if readiness not in Readiness.values:
        raise ValidationError("Choose how ready the person is")
    if position is None or position.organisation_id != person.organisation_id or not position.active:
        raise ValidationError("Choose the position the readiness is for, from the person's own organisation")
    if target_level is not None and target_level.organisation_id != person.organisation_id:
        raise ValidationError("Choose a level of the person's own organisation")
    if conversation_on > date.today():
        raise ValidationError("The conversation date cannot be in the future")
    focus = _dimensions_for(person, focus_dimensions)
    with actions.atomic():
        standing, record = record_readiness(actor=actor, person=person, position=position, level=readiness,
                                            source=ReadinessSource.CAREER_CONVERSATION, assessed_on=conversation_on)
        plan = DevelopmentPlan.objects.create(
            person=person, conversation_on=conversation_on, recorded_by=actor if getattr(actor, "pk", None) else None,
            recorded_by_name=str(actor)[:200], impact=impact, aspiration=aspiration, readiness=readiness,
            position=position, readiness_record=record, target_level=target_level, next_steps=next_steps)
        plan.readiness_now = standing
        plan.focus_dimensions.set(focus)
        audit.record(actor=actor, action="development.career_conversation_recorded", obj=plan,
                     organisation=person.organisation,
                     after={"readiness": readiness, "position": position.title, "aspiration": aspiration,
                            "target_level": target_level.name if target_level else ""})
    return plan
