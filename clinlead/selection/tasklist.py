"""The selection's stages as an NHS.UK task list, for the person looking at it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from clinlead.accounts import permissions
from clinlead.notifications import local_time
from clinlead.selection import selectors
from clinlead.selection.models import Selection

S = Selection.Stage
ORDER = [S.NOMINATIONS, S.INTERVIEWS, S.BALLOT, S.CLOSED, S.COUNTED, S.APPOINTED]
DONE, TODO, WAITING = "done", "todo", "waiting"


@dataclass
class Task:
    name: str
    status: str  # the words shown
    state: str = DONE  # done: plain text; todo: a blue tag; waiting: grey, "cannot start yet"
    href: str = ""
    hint: str = ""


def _when(moment, organisation=None):
    return local_time(moment, organisation, "%d %b %Y, %H:%M")


def task_list(user, selection, *, person):
    if selection.stage in (S.CANCELLED, S.FAILED):
        return [Task(selection.get_stage_display(), "Ended", DONE, hint=selection.ended_reason)]
    at = ORDER.index(selection.stage)
    url = lambda name: reverse(f"selection:{name}", kwargs={"pk": selection.pk})  # noqa: E731
    manager = permissions.can_manage_selection(user, selection)
    vacancy = selection.vacancy
    standing = selectors.standing_candidates(selection=selection).count()
    tasks = [Task("Vacancy opened", "Completed",
                  hint=f"{vacancy.get_reason_display()}, opened {vacancy.opened_on:%d %b %Y}")]
    tasks.append(Task("Candidates", "In progress" if at == 0 else "Completed", TODO if at == 0 else DONE,
                      url("candidates"), f"{standing} standing"
                      + (" · nominations open" if at == 0 else " · nominations closed")))
    if at == 0:
        tasks.append(Task("Electorate", "Not started", TODO if manager else WAITING,
                          url("electorate") if manager else "",
                          f"Staff of {selection.unit.path} on a cut-off date you choose"))
    else:
        tasks.append(Task("Electorate", "Completed", DONE, url("electorate") if manager else "",
                          f"{selection.electorate_size} staff of {selection.unit.path} on {selection.cutoff:%d %b %Y}"))
    interview_hint = ("Taking part is required to vote" if selection.interview_required
                      else "Taking part is encouraged, not required to vote")
    tasks.append(Task("Interviews", *(("Cannot start yet", WAITING) if at == 0 else
                                      ("In progress", TODO) if at in (1, 2) else ("Completed", DONE)),
                      url("interviews") if at >= 1 else "", interview_hint))
    tasks.append(_ballot_task(selection, at, manager, person, url))
    if at < 3:
        tasks.append(Task("Count and shortlist", "Cannot start yet", WAITING,
                          hint="Nothing is counted or shown before the ballot closes"))
    elif at == 3:
        tasks.append(Task("Count and shortlist", "Ready to count", TODO, url("results"),
                          "The receipts are published; the count follows"))
    else:
        elected = len((selection.count_result or {}).get("elected", []))
        tasks.append(Task("Count and shortlist", "Completed", DONE, url("results"),
                          f"Shortlist of {elected}, stage by stage"))
    members = selection.committee.count()
    decision_href = url("decision") if permissions.can_decide(user, selection) else ""
    if at < 4:
        tasks.append(Task("Committee decision", "Cannot start yet", WAITING,
                          url("committee") if manager else "", f"{members} committee members so far"))
    else:
        tasks.append(Task("Committee decision", "Completed" if at == 5 else "In progress",
                          DONE if at == 5 else TODO, decision_href,
                          f"{members} leaders from other departments"))
    if at == 5:
        appointment = selection.appointment
        tasks.append(Task("Appointment", "Completed", DONE, url("appointment"),
                          f"{selection.chosen}, term {appointment.term_number}" if appointment else ""))
    else:
        tasks.append(Task("Appointment", "Cannot start yet", WAITING))
    return tasks


def _ballot_task(selection, at, manager, person, url):
    if at < 2:
        ready = at == 1 and manager
        return Task("Ballot", "Not started" if ready else "Cannot start yet", TODO if ready else WAITING,
                    url("schedule_ballot") if ready else "", selection.get_method_display())
    if at > 2:
        return Task("Ballot", "Closed", DONE, url("receipt"), f"Closed {_when(selection.closed_at)}")
    now = timezone.now()
    voted = person is not None and selectors.has_voted(selection=selection, person=person)
    elector = selectors.is_elector(selection=selection, person=person)
    if now < selection.opens_at:
        return Task("Ballot", "Scheduled", TODO, "", f"Opens {_when(selection.opens_at)}")
    if now >= selection.closes_at:
        return Task("Ballot", "Waiting to be closed", TODO, "", f"Closing time passed {_when(selection.closes_at)}")
    if voted:
        return Task("Ballot", "You have voted", DONE, url("receipt"), f"Open until {_when(selection.closes_at)}")
    return Task("Ballot", "Open", TODO, url("vote") if elector else "", f"Open until {_when(selection.closes_at)}")
