"""The rules a selection follows so that a trust can defend it, each in one place.

Every rule here answers "why not?" in words the page shows: a function returns the problems
(empty when the step may go ahead). The services call these and refuse with the first problem;
the pages call them to explain before anyone clicks. docs/selection.md lists them with their
defaults. Defaults that an organisation may change are on `SelectionPolicy` and are copied onto
each selection when its vacancy opens, so the rules never change mid-way.
"""

import math
from collections import Counter
from datetime import date

from clinlead.accounts.models import Role, RoleGrant
from clinlead.org.models import Unit, UnitMembership
from clinlead.selection.models import (
    Candidate,
    CommitteeMember,
    CommitteeSeparation,
    Selection,
)

S = Selection.Stage
# Default turnout below which a ballot fails (percent of the electorate). Half, as the Trade Union
# Act 2016 asks of a ballot for industrial action: a shortlist published as "the staff's choice"
# should have been chosen by at least half the staff entitled to choose it. Configurable per
# organisation (1-100) on the selection policy.
DEFAULT_QUORUM_PERCENT = 50
# What the count does with a candidate who withdraws after the ballot opened; shown on the
# candidates page and the ballot paper before the ballot opens, and in docs/selection.md.
WITHDRAWAL_AFTER_OPENING = (
    "A candidate may withdraw after the ballot opens only themself, with a reason, until the ballot "
    "closes. Their name stays on the ballot paper; the count treats them as excluded before the first "
    "stage: with ranked preferences each ballot passes to its next preference (as in an STV "
    "exclusion); with approval voting, approvals of them are not counted. After the close nobody may "
    "withdraw: the published shortlist stands."
)
CASTING_VOTE_RULE = (
    "The committee decides by a majority of the votes of its members free of conflicts of interest. "
    "When the most-voted candidates are tied, the chair gives a casting vote between them, with "
    "written reasons, and it is recorded."
)


# ------------------------------------------------------------------ when
def ballot_has_opened(selection, *, now) -> bool:
    """From the moment the ballot opens (or anything later in the process)."""
    if selection.stage in {S.NOMINATIONS, S.INTERVIEWS}:
        return False
    if selection.stage == S.BALLOT:
        return selection.opens_at is not None and now >= selection.opens_at
    return selection.stage != S.CANCELLED or selection.opens_at is not None and now >= selection.opens_at


def ended_problem(selection):
    if selection.stage == S.CANCELLED:
        return "The selection has been cancelled."
    if selection.stage == S.FAILED:
        return "The ballot failed: too few voted. Cancel the selection and open the vacancy again."
    if selection.stage == S.APPOINTED:
        return "The appointment has been made."
    return ""


# ------------------------------------------------------------------ the committee
def separation_unit(selection) -> Unit:
    """The unit a committee member must work outside: the nearest unit of the organisation's
    chosen kind (department by default) at or above the vacancy's unit; the vacancy's own unit
    when the chart has none of that kind above it, or when the level is "unit"."""
    unit = selection.unit
    if selection.committee_separation == CommitteeSeparation.UNIT:
        return unit
    for candidate in [unit, *reversed(unit.ancestors())]:
        if candidate.kind == selection.committee_separation:
            return candidate
    return unit


def current_units(*, person, day: date):
    return [m.unit for m in UnitMembership.objects.on(day).filter(person=person).select_related("unit")]


def member_problems(*, selection, person, day: date, is_leader_on):
    """Why this person may not sit on the committee (empty when they may)."""
    problems = []
    if person.organisation_id != selection.organisation_id or not person.active:
        problems.append(f"{person.full_name} is not active staff of {selection.organisation}.")
    if CommitteeMember.objects.filter(selection=selection, person=person).exists():
        problems.append(f"{person.full_name} is already on the committee.")
    if Candidate.objects.filter(selection=selection, person=person).exists():
        problems.append(f"{person.full_name} is a candidate and cannot sit on the committee.")
    units = current_units(person=person, day=day)
    if not units:
        problems.append(f"{person.full_name} has no current unit, so their department cannot be checked.")
    outside = separation_unit(selection)
    inside = [u for u in units if outside.contains(u)]
    if inside:
        problems.append(
            f"{person.full_name} works in {inside[0].path}, inside {outside.path}, the vacancy's "
            f"{selection.get_committee_separation_display()}: the committee must come from outside it.")
    if not is_leader_on(person=person, day=day):
        problems.append(f"{person.full_name} is not a leader (holds no position and leads nobody).")
    return problems


def committee_change_problem(selection, *, now) -> str:
    """Members are seated, removed and the chair named only before the ballot opens."""
    ended = ended_problem(selection)
    if ended:
        return ended
    if ballot_has_opened(selection, now=now):
        return ("The committee was fixed when the ballot opened: members cannot be added, removed or "
                "made chair after that.")
    return ""


def undeclared_problems(members, lead):
    undeclared = [m.person.full_name for m in members if m.interest_declared_on is None]
    return [lead + ", ".join(undeclared) + "."] if undeclared else []


def committee_shape_problems(*, members, min_votes):
    """The committee, as it must stand when the ballot opens: at least `min_votes` members, every
    one having declared their interests, and an odd number of members free of conflicts or a
    chair among them (who breaks a tie)."""
    problems = undeclared_problems(members, "Every committee member declares their interests before the ballot "
                                            "opens; not yet: ")
    voting = [m for m in members if m.may_vote]
    if len(voting) < min_votes:
        problems.append(f"The committee needs at least {min_votes} members free of conflicts of interest "
                        f"before the ballot opens; it has {len(voting)}.")
    elif len(voting) % 2 == 0 and not any(m.is_chair for m in voting):
        problems.append(f"The committee has an even number of voting members ({len(voting)}): name a chair, "
                        "who gives a casting vote in a tie, or seat one more member.")
    return problems


def decide(*, members, casting_vote_id):
    """(winning candidate id or None, tied candidate ids, problems) from the members' votes."""
    voting = [m for m in members if m.may_vote]
    waiting = [m for m in voting if m.vote_for_id is None]
    problems = []
    if waiting:
        problems.append("Not every member has recorded their vote: "
                        + ", ".join(m.person.full_name for m in waiting) + ".")
    votes = Counter(m.vote_for_id for m in voting if m.vote_for_id)
    if not votes:
        return None, [], problems
    top = max(votes.values())
    leaders = sorted(c for c, n in votes.items() if n == top)
    if top * 2 > sum(votes.values()):
        return leaders[0], [], problems
    if waiting:
        return None, [], problems
    if casting_vote_id in leaders:
        return casting_vote_id, leaders, problems
    chair = next((m for m in voting if m.is_chair), None)
    if chair is None:
        problems.append("No candidate has a majority of the committee's votes and the committee has no chair "
                        "free of conflicts to give a casting vote; members may change their vote.")
    else:
        problems.append(f"No candidate has a majority of the committee's votes: the chair, "
                        f"{chair.person.full_name}, gives the casting vote between the tied candidates.")
    return None, leaders, problems


# ------------------------------------------------------------------ candidates
def runs_the_selection(*, selection, person) -> bool:
    """The admin who opened the vacancy, or any talent admin of the organisation, runs it."""
    if selection.vacancy.opened_by_id and selection.vacancy.opened_by.person_id == person.pk:
        return True
    return RoleGrant.objects.filter(user__person=person, role=Role.TALENT_ADMIN,
                                    organisation_id=selection.organisation_id).exists()


def withdrawal_problem(*, selection, candidate, by_candidate, reason, now) -> str:
    """Before the ballot opens the selection's admin withdraws a candidate (or the candidate
    themself); from then until the close, only the candidate, with a reason; never after."""
    ended = ended_problem(selection)
    if ended:
        return ended
    if candidate.withdrawn:
        return f"{candidate.person.full_name} has already withdrawn."
    if selection.stage in {S.CLOSED, S.COUNTED}:
        return "The ballot has closed: nobody may withdraw now, and the published shortlist stands."
    if ballot_has_opened(selection, now=now):
        if not by_candidate:
            return ("The ballot has opened: only the candidate themself may withdraw now, giving a reason.")
        if len(reason.strip()) < 10:
            return "Give your reason for withdrawing (at least 10 characters): it is shown to the staff."
    return ""


def shortlist_problem(*, shortlist_size, standing) -> str:
    """A shortlist as large as the field would make the ballot choose nothing."""
    if standing >= 2 and shortlist_size >= standing:
        return (f"The shortlist must be smaller than the field: {standing} candidates stand, so the "
                f"shortlist can hold at most {standing - 1}.")
    return ""


def seats_for_count(*, shortlist_size, standing):
    """(seats, note): after withdrawals during the ballot the shortlist shrinks to one less than
    those still standing, and the count says so."""
    if standing >= 2 and shortlist_size >= standing:
        return standing - 1, (f"The shortlist was to hold {shortlist_size}; after withdrawals {standing} "
                              f"stand, so it holds {standing - 1}.")
    return max(1, min(shortlist_size, standing)), ""


# ------------------------------------------------------------------ the ballot
def quorum_needed(selection) -> int:
    """Ballots needed for the ballot to stand: the quorum share of the electorate, at least one."""
    return max(1, math.ceil(selection.electorate_size * selection.quorum_percent / 100))


def quorum_problem(selection, *, ballots) -> str:
    needed = quorum_needed(selection)
    if ballots >= needed:
        return ""
    return (f"The ballot failed: {ballots} of {selection.electorate_size} staff voted, fewer than the "
            f"{needed} ({selection.quorum_percent} % of the electorate) it needs. No shortlist is drawn; "
            "the selection can be cancelled and the vacancy opened again.")


def attendance_problem(*, recorder_person, person) -> str:
    """Attendance is recorded by the panel or the admin who saw it, never by the voter."""
    if recorder_person is not None and recorder_person.pk == person.pk:
        return ("Attendance is recorded by the interview panel or the selection's administrator, not by "
                "the voter themself.")
    return ""
