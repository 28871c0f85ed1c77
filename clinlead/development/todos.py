"""Development's to-dos for the home inbox: 360 feedback requests waiting for the person's
answer, raters waiting for their approval, and their own milestones overdue or due soon."""

from datetime import timedelta

from django.urls import reverse

from clinlead.development import selectors
from clinlead.development.models_programmes import Enrolment, MilestoneRecord
from clinlead.todos import Todo, todo_provider

# Milestones enter the inbox this long before they are due.
MILESTONE_NOTICE = timedelta(days=30)


def _person_at(user, organisation):
    person = user.person if getattr(user, "person_id", None) else None
    return person if person is not None and person.organisation_id == organisation.pk else None


@todo_provider
def feedback_todos(*, user, organisation, today):
    person = _person_at(user, organisation)
    todos = []
    if person is not None:
        for invitation in selectors.feedback_requests(person=person):
            todos.append(Todo(f"Give 360 feedback for {invitation.assessment.person.full_name}",
                              invitation.get_absolute_url(), "360 feedback",
                              detail=f"{invitation.assessment.framework.name}: your answers are anonymous."))
    for assessment in selectors.rater_lists_to_approve(user=user):
        if assessment.person.organisation_id == organisation.pk:
            todos.append(Todo(f"Approve the raters {assessment.person.full_name} proposed",
                              reverse("development:approve_raters", kwargs={"pk": assessment.pk}),
                              "360 feedback", detail="They cannot be asked for feedback until approved."))
    return todos


@todo_provider
def milestone_todos(*, user, organisation, today):
    person = _person_at(user, organisation)
    if person is None:
        return []
    todos = []
    # One query: the home page runs this on every visit (not `enrolment_progress`, which also
    # loads evidence and reviews the inbox does not show).
    waiting = (MilestoneRecord.objects.filter(enrolment__person=person, enrolment__status=Enrolment.Status.ACTIVE,
                                              done=False)
               .select_related("milestone", "enrolment__cohort__programme"))
    for record in waiting:
        due = selectors.milestone_due_on(record, today=today)
        if due > today + MILESTONE_NOTICE:
            continue
        todos.append(Todo(record.milestone.title, reverse("development:milestone", kwargs={"pk": record.pk}),
                          "Overdue milestone" if due < today else "Milestone",
                          due=due, detail=record.enrolment.cohort.programme.name))
    return todos
