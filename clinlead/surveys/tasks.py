"""Background work for surveys: e-mailing single-use links."""

from django.core.mail import send_mail
from django_tasks import task

from clinlead.surveys.models import Invitation, SurveyCycle


@task()
def send_survey_links(*, cycle_id, invitation_ids, reminder=False):
    from clinlead.surveys.services import InvitationUnusable, issue_link, survey_link

    cycle = SurveyCycle.objects.select_related("organisation").get(pk=cycle_id)
    if cycle.status != SurveyCycle.Status.OPEN:
        return 0
    sent = 0
    for invitation in Invitation.objects.filter(pk__in=invitation_ids, used=False).select_related("person"):
        if not invitation.person.work_email:
            continue
        try:
            link = survey_link(issue_link(invitation=invitation))
        except InvitationUnusable:
            continue  # answered since the task was queued
        subject = ("Reminder: " if reminder else "") + f"How is your leader doing? {cycle.organisation} leader survey"
        body = (
            f"Dear {invitation.person.first_name},\n\n"
            f"{cycle.organisation} asks every member of staff about their immediate leader once a year. "
            "It takes about five minutes and your answers are anonymous: they are stored without your "
            "name, and no result is shown for fewer than "
            f"{cycle.min_responses} people.\n\nYour personal link (it works once): {link}\n\n"
            f"The survey closes on {cycle.closes_on:%d %B %Y}.\n"
        )
        send_mail(subject, body, None, [invitation.person.work_email])
        sent += 1
    return sent
