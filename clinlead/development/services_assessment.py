"""Assessment actions: start an assessment, self-assess, propose raters, approve them (which
puts the answers in a custodian's keeping), give 360 feedback, close, void.

Anonymity of 360 feedback at rest (threat model in docs/development.md): while the assessment is
open, an answer exists only as a sealed box (`clinlead.sealing`, padded to one size per
assessment) that the custodian's key file and passphrase open — nobody holding the database, a
backup or the server can read it. Nothing ties a stored answer to a rater beyond the moment it
was written, and that row is unreadable. At close the custodian hands the key back: the boxes are
opened, and the answers join the stored responses all at once, in a fresh random order under
random ids, with no rater, invitation or time; the boxes are deleted and the key forgotten. The
audit trail keeps a count per day of answers, never one event per answer.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from clinlead import actions, notifications, sealing, unsealing
from clinlead.accounts import permissions
from clinlead.audit import services as audit
from clinlead.development.models import (
    ANONYMOUS_GROUPS,
    Assessment,
    FeedbackInvitation,
    FeedbackResponse,
    Framework,
    RaterGroup,
    SealedFeedback,
)
from clinlead.org.models import ReportingLine

# A new 360 on the same person within this many months must have an entirely different set of
# peers and direct reports, or the earlier one must be voided: otherwise a mean over n+1 raters
# less the earlier mean over n gives the added rater's scores.
RERUN_INTERVAL_MONTHS = 12


def start_assessment(*, actor, person, framework, today=None):
    if not isinstance(framework, Framework) or framework.organisation_id not in (None, person.organisation_id):
        raise ValidationError("Choose a framework open to your organisation")
    with actions.atomic():
        if Assessment.objects.filter(person=person, framework=framework, state=Assessment.State.OPEN).exists():
            raise ValidationError(f"{person} already has an open assessment against {framework.name}")
        # k is fixed now, as raters are promised it: a later lowering of the trust's k never applies.
        assessment = Assessment.objects.create(person=person, framework=framework, opened_on=today or date.today(),
                                               created_by=actor if getattr(actor, "pk", None) else None,
                                               k=person.organisation.min_responses)
        audit.record(actor=actor, action="development.assessment_started", obj=assessment,
                     organisation=person.organisation,
                     after={"framework": framework.code, "version": framework.version, "k": assessment.k})
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
    with actions.atomic():
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


def _rerun_conflict(assessment, rater_ids, day):
    """The earlier 360 on the same person, within the interval and not voided, that shares an
    anonymous rater with `rater_ids`, and one such rater's id; or None."""
    from clinlead.dates import add_months

    earlier = (FeedbackInvitation.objects
               .filter(assessment__person_id=assessment.person_id, rater_id__in=rater_ids,
                       rater_group__in=ANONYMOUS_GROUPS,
                       assessment__state__in=[Assessment.State.OPEN, Assessment.State.CLOSED],
                       assessment__opened_on__gte=add_months(day, -RERUN_INTERVAL_MONTHS))
               .exclude(assessment_id=assessment.pk).select_related("assessment", "rater").first())
    return earlier


def _check_rerun(assessment, raters, day):
    anonymous = [r.pk for r, g in raters if g in ANONYMOUS_GROUPS]
    clash = _rerun_conflict(assessment, anonymous, day) if anonymous else None
    if clash is not None:
        raise ValidationError(
            f"{clash.rater} was asked to rate {assessment.person} in the 360 opened on "
            f"{clash.assessment.opened_on:%-d %B %Y}. Within {RERUN_INTERVAL_MONTHS} months a new 360 must have "
            "an entirely different set of peers and direct reports, or a talent admin must void the earlier one "
            "(comparing the two would reveal the added raters' scores).")


def invite_raters(*, actor, assessment, raters, today=None):
    """Propose raters: [(person, rater group)]. Nobody is asked until the list is approved
    (`approve_raters`); each approved rater then gets a single-use link by e-mail and on their
    own 'Feedback you have been asked for' page."""
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
    _check_rerun(assessment, raters, day)
    with actions.atomic():
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
        audit.record(actor=actor, action="development.raters_proposed", obj=assessment,
                     organisation=assessment.person.organisation, after={"proposed": counts})
    return invitations


def approve_raters(*, actor, assessment, decline=(), passphrases=None, today=None):
    """Approve the proposed raters (less those declined) and send their links.

    The first approval opens the 360 for answers: a key pair is made, its public key stored, and
    the private key handed back only inside the approver's custodian key file(s) — returned here
    (a `sealing.CustodyKeys`) to be downloaded once; later approvals return None. The approver
    keeps the key file until the 360 closes.
    """
    if actor is not None and not permissions.can_approve_raters(actor, assessment):
        raise ValidationError(f"Only {assessment.person}'s line manager, a lead of their programme or a talent "
                              "admin can approve the raters")
    day = today or date.today()
    keys = None
    with actions.atomic():
        assessment = Assessment.objects.select_for_update().select_related("person__organisation").get(pk=assessment.pk)
        if not assessment.is_open:
            raise ValidationError("This assessment is closed")
        pending = list(assessment.invitations.filter(approved=False).select_related("rater"))
        declined = [i for i in pending if str(i.pk) in {str(x) for x in decline}]
        approving = [i for i in pending if i not in declined]
        if not approving and not declined:
            raise ValidationError("No proposed raters are waiting for approval")
        _check_rerun(assessment, [(i.rater, i.rater_group) for i in approving], day)
        if approving and not assessment.public_key:
            if not passphrases:
                raise ValidationError("Choose the custodian's passphrase: it keeps the answers sealed until close")
            try:
                keys = sealing.make_custody_keys(passphrases=list(passphrases),
                                                 label=f"360 of {assessment.person.full_name} #{assessment.pk}")
            except sealing.CustodyError as exc:
                raise ValidationError(str(exc)) from None
            assessment.public_key = keys.public_key
            assessment.custodian_name = str(actor) if actor is not None else "system"
            assessment.save(update_fields=["public_key", "custodian_name"])
        FeedbackInvitation.objects.filter(pk__in=[i.pk for i in declined]).delete()
        FeedbackInvitation.objects.filter(pk__in=[i.pk for i in approving]).update(approved=True)
        counts = {g: sum(1 for i in approving if i.rater_group == g) for g in RaterGroup.values}
        audit.record(actor=actor, action="development.raters_approved", obj=assessment,
                     organisation=assessment.person.organisation,
                     after={"approved": counts, "declined": len(declined), "custody_opened": keys is not None})
        transaction.on_commit(lambda: _send_invitations(approving))
    return keys


def _send_invitations(invitations):
    messages = []
    for invitation in invitations:
        email = invitation.rater.work_email
        if not email:
            continue
        link = settings.SITE_URL.rstrip("/") + reverse("development:give_feedback", kwargs={"pk": invitation.pk})
        messages.append(notifications.Message(
            to=(email,), subject=f"Feedback for {invitation.assessment.person.full_name}",
            body=(f"{invitation.assessment.person.full_name} has asked for your feedback against the "
                  f"{invitation.assessment.framework.name}.\n\n{where_answers_appear(invitation)}\n\n{link}\n\n"
                  "The link works once, and only for you.")))
    if messages:
        assessment = invitations[0].assessment
        notifications.send(messages, kind="development.feedback_invitation",
                           organisation=assessment.person.organisation, about=assessment)


def where_answers_appear(invitation) -> str:
    """What a rater is told about where their answers go (on the form and in the e-mail)."""
    person = invitation.assessment.person.full_name
    if invitation.rater_group == RaterGroup.MANAGER:
        return (f"As {person}'s line manager, your ratings are shown as yours, by name: on {person}'s 360 report "
                "(read by them and the talent team) and on their succession candidate card (read by succession "
                "panels).")
    k = invitation.assessment.effective_k
    return (f"Your answers are sealed until the 360 closes, then pooled with the other raters' with nothing to "
            f"say who gave them. The pooled means appear only for groups of at least {k} raters, on {person}'s "
            "360 report (read by them and the talent team) and — as the all-rater mean — on their succession "
            "candidate card (read by succession panels). Means near either end of the scale are shown as a band, "
            "so they never reveal that everyone gave the same extreme score.")


def seal_size(assessment) -> int:
    """One box size for every answer of an assessment, whatever it holds."""
    return 256 + 32 * assessment.framework.dimensions.count()


def seal_answer(assessment, *, group, scores):
    """Keep one answer as a sealed box until close (inside the caller's transaction)."""
    box = sealing.seal(public_key=assessment.public_key, payload={"g": group, "s": scores},
                       size=seal_size(assessment))
    SealedFeedback.objects.create(assessment=assessment, box=box)


def store_answers(assessment, answers):
    """Write opened answers [{"g": group, "s": scores}] as responses all at once, in a fresh
    random order under random ids (inside the caller's transaction)."""
    FeedbackResponse.objects.bulk_create([
        FeedbackResponse(id=uuid.uuid4(), assessment=assessment, rater_group=a["g"], scores=a["s"])
        for a in unsealing.shuffled(answers)])
    return len(answers)


def submit_feedback(*, actor, invitation_id, scores):
    """Seal one rater's scores (with their rater group) to the custodian's key; the invitation is
    marked used in the same transaction, so it can answer once. The audit trail adds one to
    today's count of answers to this assessment."""
    person_id = getattr(actor, "person_id", None)
    with actions.atomic():
        invitation = (FeedbackInvitation.objects.select_for_update().select_related("assessment__framework",
                                                                                     "assessment__person")
                      .filter(pk=invitation_id).first())
        if invitation is None or person_id is None or invitation.rater_id != person_id or not invitation.approved:
            raise ValidationError("This feedback link is not yours")
        if invitation.used:
            raise ValidationError("You have already given this feedback")
        assessment = invitation.assessment
        if not assessment.is_open:
            raise ValidationError("This assessment has closed")
        seal_answer(assessment, group=invitation.rater_group, scores=clean_scores(assessment, scores))
        invitation.used = True
        invitation.save(update_fields=["used"])
        # Neither who answered, nor how, nor when beyond the day: a count per day.
        audit.count_today(action="development.feedback_given", obj=assessment,
                          organisation=assessment.person.organisation)
    return assessment


def close_assessment(*, actor, assessment, key_files=(), passphrases=(), today=None):
    """Close: no more answers. The custodian's key file(s) and passphrase(s) open the sealed
    answers, which join the stored responses at once in a fresh random order under random ids;
    the boxes are deleted (`clinlead.unsealing`). Rater figures (those the anonymity rule
    publishes) then appear."""
    def lock():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_open:
            raise ValidationError("This assessment is already closed")
        return locked

    def finish(locked, answers):
        # Every invitation is rewritten here, so none keeps the transaction id of its answer.
        FeedbackInvitation.objects.filter(assessment=locked).update(used=F("used"))
        locked.state, locked.closed_on = Assessment.State.CLOSED, today or date.today()
        locked.save(update_fields=["state", "closed_on"])
        audit.record(actor=actor, action="development.assessment_closed", obj=locked,
                     organisation=locked.person.organisation, after={"state": "closed", "answers": answers})

    # The key as stored now: the caller's copy may predate the approval that made it.
    public_key = Assessment.objects.filter(pk=assessment.pk).values_list("public_key", flat=True).first()
    unsealing.close_and_unlink(
        public_key=public_key, key_files=key_files, passphrases=passphrases,
        domain=unsealing.Domain(
            lock=lock, sealed=lambda locked: SealedFeedback.objects.filter(assessment=locked),
            write=store_answers, finish=finish,
            missing_key=lambda locked: ("Closing opens the sealed answers: give the custodian's key file and "
                                        f"passphrase ({locked.custodian_name or 'the person who approved the raters'}"
                                        " holds it)"),
            tables=[SealedFeedback, FeedbackInvitation, FeedbackResponse]))
    return Assessment.objects.get(pk=assessment.pk)


def void_assessment(*, actor, assessment, reason):
    """Void a 360 (a talent admin, with a reason): its rater figures are deleted and never shown,
    and its raters may be asked again within the interval."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give the reason for voiding this 360")
    with actions.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.state == Assessment.State.VOIDED:
            raise ValidationError("This assessment is already voided")
        FeedbackResponse.objects.filter(assessment=assessment).delete()
        SealedFeedback.objects.filter(assessment=assessment).delete()
        before = assessment.state
        assessment.state, assessment.voided_reason = Assessment.State.VOIDED, reason
        assessment.closed_on = assessment.closed_on or date.today()
        assessment.save(update_fields=["state", "voided_reason", "closed_on"])
        audit.record(actor=actor, action="development.assessment_voided", obj=assessment,
                     organisation=assessment.person.organisation, before={"state": before},
                     after={"state": "voided", "reason": reason})
    return assessment
