"""Reminders of overdue milestones: to each person with one, and to each programme lead a list
of their people with overdue milestones or evidence waiting for review. Run weekly by
`clinlead milestone-reminders` (cron or a scheduled task); e-mail goes through Django's mail API
once the run's audit event is committed."""

from collections import defaultdict
from datetime import date

from django.conf import settings

from clinlead import actions, notifications
from clinlead.audit import services as audit
from clinlead.development.models import Enrolment, ProgrammeLead
from clinlead.development.selectors import enrolment_progress


def _link(obj):
    return settings.SITE_URL.rstrip("/") + obj.get_absolute_url()


def reminder_messages(*, organisation, today=None):
    """[(subject, body, to)] for the organisation's enrolments in progress today."""
    today = today or date.today()
    messages, by_lead = [], defaultdict(list)
    enrolments = (Enrolment.objects.filter(cohort__programme__organisation=organisation, status=Enrolment.Status.ACTIVE)
                  .select_related("person", "cohort__programme"))
    for enrolment in enrolments:
        progress = enrolment_progress(enrolment, today=today)
        overdue = [r for r in progress.records if r.overdue]
        if overdue and enrolment.person.work_email:
            lines = "\n".join(f"- {r.milestone.title} (due {r.due_on:%-d %B %Y})" for r in overdue)
            messages.append((f"Overdue on {enrolment.cohort.programme.name}",
                             f"These milestones are overdue:\n{lines}\n\n{_link(enrolment)}\n\n"
                             "If your circumstances have changed (part-time, leave), ask your programme lead "
                             "for your own due dates or a pause.", [enrolment.person.work_email]))
        if overdue or progress.awaiting_review:
            by_lead[enrolment.cohort.programme_id].append(
                f"- {enrolment.person.full_name}: {len(overdue)} overdue, {progress.awaiting_review} evidence "
                f"to review — {_link(enrolment)}")
    for lead in ProgrammeLead.objects.filter(programme_id__in=by_lead).select_related("person", "programme"):
        if lead.person.work_email:
            messages.append((f"{lead.programme.name}: overdue milestones and evidence to review",
                             "\n".join(by_lead[lead.programme_id]), [lead.person.work_email]))
    return messages


def send_reminders(*, actor, organisation, today=None):
    """Send the reminders and note the run (how many messages) in the audit trail."""
    messages = reminder_messages(organisation=organisation, today=today)
    with actions.atomic():
        audit.record(actor=actor, action="development.milestone_reminders_sent", obj=organisation,
                     organisation=organisation, after={"messages": len(messages)})
        prepared = [notifications.Message(to=tuple(to), subject=s, body=b) for s, b, to in messages]
        notifications.send_after_commit(prepared, kind="development.milestone_reminder", organisation=organisation,
                                        about=organisation)
    return len(messages)
