"""The leader survey in the home inbox: the person's own unanswered invitation, due when the
survey closes. Whether anyone else has answered is shown to nobody."""

from django.urls import reverse

from clinlead.surveys.models import Invitation, SurveyCycle
from clinlead.todos import Todo, todo_provider


@todo_provider
def survey_todos(*, user, organisation, today):
    person = user.person if user.person_id else None
    if person is None or person.organisation_id != organisation.pk:
        return []
    waiting = (Invitation.objects.filter(person=person, used=False, cycle__status=SurveyCycle.Status.OPEN)
               .select_related("cycle"))
    return [Todo(f"Your {inv.cycle.name} leader survey", reverse("surveys:start", kwargs={"pk": inv.cycle_id}),
                 "Leader survey", due=inv.cycle.closes_on,
                 detail="Twelve questions about your immediate leader, anonymous. About five minutes.")
            for inv in waiting]
