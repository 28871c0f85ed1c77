"""Background work for surveys: e-mailing single-use links.

A task's row in the queue keeps its arguments, its times and its result, so it names only the
cycle and a shard of invitation keys, and returns nothing: who still needs a link is found when
the task runs, and no two tasks' rows can say who answered in between.
"""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from clinlead import notifications
from clinlead.surveys.models import SurveyCycle


@task()
def send_survey_links(*, cycle_id, shard=0, shards=1, reminder=False, attempt=1) -> None:
    from clinlead.surveys.services import (
        InvitationUnusable,
        invitations_needing_a_link,
        issue_link,
        survey_link,
    )

    cycle = SurveyCycle.objects.select_related("organisation").get(pk=cycle_id)
    if cycle.status != SurveyCycle.Status.OPEN:
        return
    messages = []
    for invitation in invitations_needing_a_link(cycle=cycle, shard=shard, shards=shards):
        if not invitation.person.work_email:
            continue
        try:
            link = survey_link(issue_link(invitation=invitation))
        except InvitationUnusable:
            continue  # answered since the task started
        subject = ("Reminder: " if reminder else "") + f"How is your leader doing? {cycle.organisation} leader survey"
        body = (
            f"Dear {invitation.person.first_name},\n\n"
            f"{cycle.organisation} asks every member of staff about their immediate leader once a year. "
            "It takes about five minutes and your answers are anonymous: they are sealed as you send "
            "them, so nobody can read them until the survey closes, and then they are stored without "
            "your name or anything that links them to you. No result is shown for fewer than "
            f"{cycle.min_responses} people.\n\nYour personal link (it works once): {link}\n\n"
            f"The survey closes on {cycle.closes_on:%d %B %Y}.\n"
        )
        messages.append(notifications.Message(to=(invitation.person.work_email,), subject=subject, body=body))
    # A failure is recorded as a count against the cycle, never with an address: it must not
    # say who had still not answered.
    # Tried again only when nobody was reached: the links just issued then went to nobody, and
    # the next try issues fresh ones.
    notifications.send(messages, kind="survey.reminder" if reminder else "survey.link",
                       organisation=cycle.organisation, about=cycle,
                       again=notifications.queue_again(send_survey_links, attempt=attempt, cycle_id=cycle_id,
                                                       shard=shard, shards=shards, reminder=reminder))


# When an older transaction (a nightly pg_dump, a long report) kept old row versions, try again
# this much later, this many times.
RECLAIM_RETRY = timedelta(minutes=10)
RECLAIM_ATTEMPTS = 12


@task()
def reclaim_survey_space(*, after_transaction=None, attempt=1) -> None:
    """After a close: remove the old row versions (VACUUM FULL on PostgreSQL), in the background,
    because it may have to wait for older transactions to end first."""
    from clinlead.surveys.services import reclaim_deleted_rows

    if reclaim_deleted_rows(after_transaction=after_transaction) or attempt >= RECLAIM_ATTEMPTS:
        return
    again = reclaim_survey_space
    if again.get_backend().supports_defer:
        again.using(run_after=timezone.now() + RECLAIM_RETRY).enqueue(
            after_transaction=after_transaction, attempt=attempt + 1)
