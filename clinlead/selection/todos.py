"""Staff-led selection's to-dos for the home inbox: a ballot to vote in, interviews to attend,
interests to declare, a shortlist to decide on, nominations open.

Only the person's own tasks: whether they have voted decides only whether their own "Vote" to-do
is still there, which their ballot page tells them too; nobody else's vote shows anywhere.
"""

from django.urls import reverse
from django.utils import timezone

from clinlead.notifications import local_time
from clinlead.selection import selectors
from clinlead.selection.models import InterviewSession, Selection, SelectionPolicy, VoterRecord
from clinlead.todos import Todo, todo_provider

WHEN = "%d %B %Y, %H:%M"
S = Selection.Stage


def _url(name, selection):
    return reverse(f"selection:{name}", kwargs={"pk": selection.pk})


def _day(moment, organisation):
    return timezone.localtime(moment).date() if moment else None


@todo_provider
def selection_todos(*, user, organisation, today):
    person = selectors.person_from_user(user)
    if person is None or person.organisation_id != organisation.pk or not person.active:
        return []
    now = timezone.now()
    todos = []
    mine = (Selection.objects.filter(organisation=organisation, electors__person=person)
            .select_related("vacancy__position"))
    voted = set(VoterRecord.objects.filter(person=person, selection__in=mine).values_list("selection_id", flat=True))
    for selection in mine.filter(stage__in=[S.INTERVIEWS, S.BALLOT]):
        title = selection.vacancy.position.title
        if selection.stage == S.BALLOT and selection.pk not in voted and selectors.ballot_is_open(
                selection=selection, now=now):
            todos.append(Todo(f"Vote: choose the shortlist for {title}", _url("vote", selection), "Secret ballot",
                              due=_day(selection.closes_at, organisation),
                              detail=f"Open until {local_time(selection.closes_at, organisation, WHEN)}."))
        elif selection.stage == S.INTERVIEWS or (selection.opens_at and now < selection.opens_at):
            session = (InterviewSession.objects.filter(selection=selection, starts_at__gte=now)
                       .order_by("starts_at").first())
            when = session.starts_at if session else selection.opens_at
            todos.append(Todo(f"Meet the candidates for {title}", _url("interviews", selection), "Interviews",
                              due=_day(when, organisation),
                              detail="Meet the candidates face to face, then vote for the shortlist."))
    declaring = (Selection.objects.filter(organisation=organisation, committee__person=person,
                                          committee__interest_declared_on__isnull=True,
                                          stage__in=[S.NOMINATIONS, S.INTERVIEWS, S.BALLOT])
                 .select_related("vacancy__position"))
    for selection in declaring:
        todos.append(Todo(f"Declare your interests: {selection.vacancy.position.title}",
                          _url("decision", selection), "Declaration of interests",
                          due=_day(selection.opens_at, organisation),
                          detail="You sit on the decision committee: declare your interests before the ballot opens."))
    deciding = (Selection.objects.filter(organisation=organisation, committee__person=person, stage=S.COUNTED)
                .select_related("vacancy__position"))
    for selection in deciding:
        todos.append(Todo(f"Decide: {selection.vacancy.position.title}", _url("decision", selection),
                          "Committee decision", due=_day(selection.counted_at, organisation),
                          detail="The staff have chosen the shortlist; the committee makes the final choice."))
    if SelectionPolicy.for_organisation(organisation).allow_self_nomination:
        nominating = (Selection.objects.filter(organisation=organisation, stage=S.NOMINATIONS)
                      .select_related("vacancy__position").order_by("-id")[:3])
        for selection in nominating:
            todos.append(Todo(f"Stand for {selection.vacancy.position.title}", _url("self_nominate", selection),
                              "Nominations open", detail="Nominations are open: you may put yourself forward."))
    return todos
