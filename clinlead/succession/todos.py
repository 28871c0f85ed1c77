"""Succession's to-dos for the home inbox, for the holder of a position: their own term ending
(from the 18-month warning on), and their successor pool to review while nobody in it is ready
now (incumbents own their pools)."""

from django.urls import reverse

from clinlead.succession.selectors import my_positions, risk_of
from clinlead.succession.terms import due_milestones
from clinlead.todos import Todo, todo_provider


@todo_provider
def succession_todos(*, user, organisation, today):
    person = user.person if getattr(user, "person_id", None) else None
    if person is None or person.organisation_id != organisation.pk:
        return []
    todos = []
    for position in my_positions(person=person, day=today):
        holder = position.holder
        if holder is None or holder.person_id != person.pk:
            continue
        ending = due_milestones(holder.last_day, today)
        if ending:
            todos.append(Todo(f"Your term as {position.title} ends on {holder.last_day:%-d %B %Y}",
                              reverse("succession:departure_plan", kwargs={"pk": holder.pk}), "Term ending",
                              due=holder.last_day,
                              detail="Tell the talent team your plans, and make sure a successor is ready."))
        if risk_of(position=position, pool=position.pool, day=today) != "low":
            todos.append(Todo(f"Review your successor pool for {position.title}",
                              reverse("succession:pool", kwargs={"pk": position.pk}), "Successor pool",
                              due=holder.last_day if ending else None,
                              detail="Nobody in it is ready now: name or develop the people who could follow you."))
    return todos
