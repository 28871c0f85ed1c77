"""Assessment actions: start an assessment, self-assess, invite raters, give 360 feedback, close.

Anonymity of 360 feedback rests on four things done here: a response is stored with its rater
group only (no rater, no invitation, no time, a random id); the invitation is marked used in the
same transaction; the audit trail records that *a* rater answered, never who or what; and
closing an assessment rewrites its responses in a random order under new ids, so neither the
order rows were written in nor the database's transaction ids tie a response to its invitation.
"""

import random
import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from clinlead.audit import services as audit
from clinlead.development.models import (
    Assessment,
    FeedbackInvitation,
    FeedbackResponse,
    Framework,
    RaterGroup,
)
from clinlead.org.models import ReportingLine

RATER_LABEL = "A rater (anonymous)"


def start_assessment(*, actor, person, framework, today=None):
    if not isinstance(framework, Framework) or framework.organisation_id not in (None, person.organisation_id):
        raise ValidationError("Choose a framework open to your organisation")
    with transaction.atomic(durable=True):
        if Assessment.objects.filter(person=person, framework=framework, state=Assessment.State.OPEN).exists():
            raise ValidationError(f"{person} already has an open assessment against {framework.name}")
        assessment = Assessment.objects.create(person=person, framework=framework, opened_on=today or date.today(),
                                               created_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor=actor, action="development.assessment_started", obj=assessment,
                     organisation=person.organisation, after={"framework": framework.code, "version": framework.version})
    return assessment


def clean_scores(assessment, scores) -> dict:
    """{dimension id: score} for every dimension of the framework, each on its scale."""
    top = len(assessment.framework.scale())
    cleaned = {}
    for dimension in assessment.framework.dimensions.all():
        value = scores.get(dimension.pk, scores.get(str(dimension.pk)))
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(f"Choose a rating for {dimension.name!r}") from None
        if not 1 <= value <= top:
            raise ValidationError(f"The rating for {dimension.name!r} must be between 1 and {top}")
        cleaned[str(dimension.pk)] = value
    return cleaned


def submit_self_assessment(*, actor, assessment, scores, today=None):
    if not assessment.is_open:
        raise ValidationError("This assessment is closed")
    cleaned = clean_scores(assessment, scores)
    with transaction.atomic(durable=True):
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        first = not assessment.self_scores
        assessment.self_scores, assessment.self_submitted_on = cleaned, today or date.today()
        assessment.save(update_fields=["self_scores", "self_submitted_on"])
        # Scores are the person's own view of themselves; the trail says only that they gave one.
        audit.record(actor=actor, action="development.self_assessment_submitted", obj=assessment,
                     organisation=assessment.person.organisation, after={"first": first})
    return assessment


def _check_rater(assessment, rater, group, day):
    subject = assessment.person
    if rater.pk == subject.pk:
        raise ValidationError("People cannot rate themselves as a rater; use the self-assessment")
    if rater.organisation_id != subject.organisation_id or not rater.active:
        raise ValidationError(f"{rater} does not work at {subject.organisation}")
    leader_ids = set(ReportingLine.objects.on(day).filter(person=subject).values_list("leader_id", flat=True))
    report_ids = set(ReportingLine.objects.on(day).filter(leader=subject).values_list("person_id", flat=True))
    if group == RaterGroup.MANAGER and rater.pk not in leader_ids:
        raise ValidationError(f"{rater} is not {subject}'s line manager")
    if group == RaterGroup.DIRECT_REPORT and rater.pk not in report_ids:
        raise ValidationError(f"{rater} does not report to {subject}")
    if group == RaterGroup.PEER and rater.pk in leader_ids | report_ids:
        raise ValidationError(f"{rater} is {subject}'s line manager or direct report, not a peer")


def invite_raters(*, actor, assessment, raters, today=None):
    """Invite raters: [(person, rater group)]. Each gets a single-use link by e-mail and on
    their own 'Feedback you have been asked for' page."""
    if not assessment.is_open:
        raise ValidationError("This assessment is closed")
    if not raters:
        raise ValidationError("Choose at least one person to invite")
    day = today or date.today()
    seen = set()
    for rater, group in raters:
        if group not in RaterGroup.values:
            raise ValidationError("Choose a rater group")
        if rater.pk in seen:
            raise ValidationError(f"{rater} is listed twice")
        seen.add(rater.pk)
        _check_rater(assessment, rater, group, day)
    with transaction.atomic(durable=True):
        already = set(assessment.invitations.values_list("rater_id", flat=True))
        repeated = [r for r, _ in raters if r.pk in already]
        if repeated:
            raise ValidationError(f"{repeated[0]} has already been invited")
        managers = [r for r, g in raters if g == RaterGroup.MANAGER]
        if managers and assessment.invitations.filter(rater_group=RaterGroup.MANAGER).exists():
            raise ValidationError("The line manager has already been invited")
        invitations = FeedbackInvitation.objects.bulk_create(
            [FeedbackInvitation(assessment=assessment, rater=r, rater_group=g) for r, g in raters])
        counts = {g: sum(1 for _, x in raters if x == g) for g in RaterGroup.values}
        audit.record(actor=actor, action="development.raters_invited", obj=assessment,
                     organisation=assessment.person.organisation, after={"invited": counts})
        transaction.on_commit(lambda: _send_invitations(invitations))
    return invitations


def _send_invitations(invitations):
    for invitation in invitations:
        email = invitation.rater.work_email
        if not email:
            continue
        link = settings.SITE_URL.rstrip("/") + reverse("development:give_feedback", kwargs={"pk": invitation.pk})
        send_mail(
            subject=f"Feedback for {invitation.assessment.person.full_name}",
            message=(f"{invitation.assessment.person.full_name} has asked for your feedback against the "
                     f"{invitation.assessment.framework.name}. Your answers are pooled with others in your "
                     f"group and shown only when enough people have answered.\n\n{link}\n\n"
                     "The link works once, and only for you."),
            from_email=None, recipient_list=[email], fail_silently=True)


def submit_feedback(*, actor, invitation_id, scores):
    """Store one rater's scores. The response keeps only its rater group; the invitation is
    marked used in the same transaction, so it can answer once."""
    person_id = getattr(actor, "person_id", None)
    with transaction.atomic(durable=True):
        invitation = (FeedbackInvitation.objects.select_for_update().select_related("assessment__framework",
                                                                                     "assessment__person")
                      .filter(pk=invitation_id).first())
        if invitation is None or person_id is None or invitation.rater_id != person_id:
            raise ValidationError("This feedback link is not yours")
        if invitation.used:
            raise ValidationError("You have already given this feedback")
        assessment = invitation.assessment
        if not assessment.is_open:
            raise ValidationError("This assessment has closed")
        cleaned = clean_scores(assessment, scores)
        FeedbackResponse.objects.create(assessment=assessment, rater_group=invitation.rater_group, scores=cleaned)
        invitation.used = True
        invitation.save(update_fields=["used"])
        # Neither who answered nor how: only that a rater did.
        audit.record(actor=None, label=RATER_LABEL, action="development.feedback_given", obj=assessment,
                     organisation=assessment.person.organisation)
    return assessment


def close_assessment(*, actor, assessment, today=None):
    """Close: no more answers; rater figures (those the anonymity rule publishes) appear."""
    with transaction.atomic(durable=True):
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not assessment.is_open:
            raise ValidationError("This assessment is already closed")
        assessment.state, assessment.closed_on = Assessment.State.CLOSED, today or date.today()
        assessment.save(update_fields=["state", "closed_on"])
        responses = [(r.rater_group, r.scores) for r in FeedbackResponse.objects.filter(assessment=assessment)]
        FeedbackResponse.objects.filter(assessment=assessment).delete()
        random.SystemRandom().shuffle(responses)
        FeedbackResponse.objects.bulk_create([
            FeedbackResponse(id=uuid.uuid4(), assessment=assessment, rater_group=g, scores=s) for g, s in responses])
        audit.record(actor=actor, action="development.assessment_closed", obj=assessment,
                     organisation=assessment.person.organisation, after={"state": "closed"})
    return assessment
