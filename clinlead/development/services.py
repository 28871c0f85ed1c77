"""Programme actions: set up a programme and its cohorts, enrol people, complete milestones with
evidence or a named person's sign-off, and record the permanent-appointment decision.

Assessments and 360 feedback are in `services_assessment`; learning records, mentoring and
career conversations in `services_people`.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinlead.audit import services as audit
from clinlead.development import uploads
from clinlead.development.models import (
    AppointmentReview,
    Cohort,
    Enrolment,
    EvidenceFile,
    Milestone,
    MilestoneRecord,
    Programme,
    ProgrammeLead,
)
from clinlead.org.models import Person

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
                     ends_with_appointment_review=True, use_onboarding_template=False):
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the programme's name")
    if framework is not None and framework.organisation_id not in (None, organisation.pk):
        raise ValidationError("That framework belongs to another organisation")
    with transaction.atomic(durable=True):
        if Programme.objects.filter(organisation=organisation, name=name).exists():
            raise ValidationError(f"There is already a programme called {name!r}")
        programme = Programme.objects.create(
            organisation=organisation, name=name, summary=summary, length_months=length_months,
            framework=framework, ends_with_appointment_review=ends_with_appointment_review)
        if use_onboarding_template:
            Milestone.objects.bulk_create([
                Milestone(programme=programme, order=i, title=t, kind=k, completion=c, due_month=m)
                for i, (t, k, c, m) in enumerate(ONBOARDING_MILESTONES, start=1)])
        audit.record(actor=actor, action="development.programme_created", obj=programme,
                     organisation=organisation,
                     after={"name": name, "milestones": programme.milestones.count(),
                            "length_months": length_months})
    return programme


def add_milestone(*, actor, programme, title, kind, completion, due_month):
    title = (title or "").strip()
    if not title:
        raise ValidationError("Enter the milestone's title")
    if not 1 <= due_month <= programme.length_months:
        raise ValidationError(f"The month must be between 1 and {programme.length_months}")
    with transaction.atomic(durable=True):
        order = (programme.milestones.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        milestone = Milestone.objects.create(programme=programme, order=order, title=title, kind=kind,
                                             completion=completion, due_month=due_month)
        MilestoneRecord.objects.bulk_create([
            MilestoneRecord(enrolment=e, milestone=milestone)
            for e in Enrolment.objects.filter(cohort__programme=programme)])
        audit.record(actor=actor, action="development.milestone_added", obj=milestone,
                     organisation=programme.organisation,
                     after={"title": title, "completion": completion, "due_month": due_month})
    return milestone


def add_programme_lead(*, actor, programme, person):
    if person.organisation_id != programme.organisation_id:
        raise ValidationError("A programme lead must work at the programme's organisation")
    with transaction.atomic(durable=True):
        lead, created = ProgrammeLead.objects.get_or_create(programme=programme, person=person)
        if created:
            audit.record(actor=actor, action="development.programme_lead_added", obj=programme,
                         organisation=programme.organisation, after={"lead": person.staff_number})
    return lead


def create_cohort(*, actor, programme, name, starts_on):
    name = (name or "").strip()
    if not name:
        raise ValidationError("Enter the cohort's name")
    with transaction.atomic(durable=True):
        if programme.cohorts.filter(name=name).exists():
            raise ValidationError(f"This programme already has a cohort called {name!r}")
        cohort = Cohort.objects.create(programme=programme, name=name, starts_on=starts_on)
        audit.record(actor=actor, action="development.cohort_created", obj=cohort,
                     organisation=programme.organisation,
                     after={"name": name, "starts_on": starts_on.isoformat()})
    return cohort


def enrol(*, actor, cohort, person, enrolled_on=None):
    programme = cohort.programme
    if person.organisation_id != programme.organisation_id:
        raise ValidationError("Only people who work at the programme's organisation can be enrolled")
    if not person.active:
        raise ValidationError(f"{person} has left the organisation")
    with transaction.atomic(durable=True):
        if Enrolment.objects.filter(person=person, cohort__programme=programme,
                                    status=Enrolment.Status.ACTIVE).exists():
            raise ValidationError(f"{person} is already enrolled on {programme}")
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(cohort=cohort, person=person,
                                                     enrolled_on=enrolled_on or date.today())
        except IntegrityError as exc:
            raise ValidationError(f"{person} is already in this cohort") from exc
        MilestoneRecord.objects.bulk_create([MilestoneRecord(enrolment=enrolment, milestone=m)
                                             for m in programme.milestones.all()])
        audit.record(actor=actor, action="development.enrolled", obj=enrolment,
                     organisation=programme.organisation,
                     after={"person": person.staff_number, "cohort": cohort.name})
    return enrolment


def upload_evidence(*, actor, record, upload, today=None):
    """Check and store an evidence file for a milestone. A file that fails a check is refused
    with a ValidationError and nothing is stored: no file, no row. For a milestone completed by
    evidence, the upload completes it."""
    checked = uploads.check_upload(upload)
    enrolment = record.enrolment
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError("This enrolment is no longer in progress")
    stored, new_file = None, False
    try:
        with transaction.atomic(durable=True):
            record = MilestoneRecord.objects.select_for_update().get(pk=record.pk)
            stored, new_file = uploads.write(checked)
            evidence = EvidenceFile.objects.create(
                person=enrolment.person, milestone_record=record, stored_name=stored,
                original_name=checked.original_name, content_type=checked.content_type, size=checked.size,
                sha256=checked.sha256, uploaded_by=actor if getattr(actor, "pk", None) else None)
            completes = record.milestone.completion == Milestone.Completion.EVIDENCE and not record.done
            if completes:
                record.done, record.completed_on = True, today or date.today()
                record.save(update_fields=["done", "completed_on"])
            audit.record(actor=actor, action="development.evidence_uploaded", obj=record,
                         organisation=enrolment.person.organisation,
                         after={"file": checked.original_name, "bytes": checked.size,
                                "milestone": record.milestone.title, "completed": completes})
    except BaseException:
        if new_file:
            uploads.remove(stored)
        raise
    return evidence


def sign_off_milestone(*, actor, record, note="", today=None):
    """A named person (a programme lead or the person's leader) signs a milestone off."""
    if record.done:
        raise ValidationError("This milestone is already complete")
    if record.enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError("This enrolment is no longer in progress")
    with transaction.atomic(durable=True):
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


def decide_appointment_review(*, actor, enrolment, decision, reasons, today=None):
    """Record the permanent-appointment decision at the end of the programme. Every milestone
    must be complete; a decision to extend may later be followed by a final one."""
    if decision not in AppointmentReview.Decision.values:
        raise ValidationError("Choose a decision")
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError("Give the reasons for the decision")
    if not enrolment.cohort.programme.ends_with_appointment_review:
        raise ValidationError("This programme does not end with a permanent-appointment review")
    missing = outstanding_milestones(enrolment)
    if missing:
        raise ValidationError(f"{len(missing)} milestone(s) are not complete yet, such as {missing[0].title!r}")
    with transaction.atomic(durable=True):
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        existing = AppointmentReview.objects.filter(enrolment=enrolment).first()
        before = {"decision": existing.decision} if existing else {}
        if existing and existing.decision != AppointmentReview.Decision.EXTENDED:
            raise ValidationError("The decision has already been recorded")
        review = existing or AppointmentReview(enrolment=enrolment)
        review.decision, review.reasons = decision, reasons
        review.decided_on = today or date.today()
        review.decided_by, review.decided_by_name = actor, _name(actor)
        review.save()
        if decision != AppointmentReview.Decision.EXTENDED:
            enrolment.status = Enrolment.Status.COMPLETED
            enrolment.save(update_fields=["status"])
        audit.record(actor=actor, action="development.appointment_review_decided", obj=enrolment,
                     organisation=enrolment.person.organisation, before=before,
                     after={"decision": decision, "decided_by": review.decided_by_name})
    return review


def find_person(*, organisation, staff_number):
    person = Person.objects.filter(organisation=organisation, staff_number=(staff_number or "").strip()).first()
    if person is None:
        raise ValidationError(f"No one at {organisation} has the staff number {staff_number!r}")
    return person
