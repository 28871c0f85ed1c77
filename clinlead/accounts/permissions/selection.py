"""Who may do what in a staff-led selection.

The talent admin of the organisation runs the process; the electorate (staff of the vacancy's
unit on the cut-off date) votes and sees the published results; the decision committee (chosen
per selection) sees the candidates and shortlist and records its decision; everyone else is
refused. Nothing here opens a ballot before the close: that rule is in the selection selectors.
"""

from clinlead.accounts.permissions.core import Role, has_role

__all__ = [
    "can_manage_selection", "is_in_electorate", "is_on_committee", "can_view_selection",
    "can_see_candidates", "can_vote_in", "can_see_selection_results", "can_decide",
    "can_put_self_forward", "can_withdraw_candidate", "can_record_attendance",
]


def _person(user):
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return None
    person = user.person
    return person if person.active else None


def can_manage_selection(user, selection) -> bool:
    """The organisation's talent admin runs the selection."""
    return has_role(user, Role.TALENT_ADMIN, selection.organisation_id)


def is_in_electorate(user, selection) -> bool:
    person = _person(user)
    return person is not None and selection.electors.filter(person=person).exists()


def is_on_committee(user, selection) -> bool:
    person = _person(user)
    return person is not None and selection.committee.filter(person=person).exists()


def can_view_selection(user, selection) -> bool:
    return (can_manage_selection(user, selection) or is_in_electorate(user, selection)
            or is_on_committee(user, selection))


def can_see_candidates(user, selection) -> bool:
    """The committee and the talent admin see the candidates; so does the electorate, who
    interview them and vote."""
    return can_view_selection(user, selection)


def can_vote_in(user, selection) -> bool:
    """Membership of the electorate; whether the ballot is open now is the ballot's own rule."""
    return is_in_electorate(user, selection)


def can_see_selection_results(user, selection) -> bool:
    """The published results (after the close): the electorate, the committee, the talent admin."""
    return can_view_selection(user, selection)


def can_decide(user, selection) -> bool:
    """The committee records its decision; the talent admin follows it."""
    return is_on_committee(user, selection) or can_manage_selection(user, selection)


def can_put_self_forward(user, selection) -> bool:
    """Any active member of staff of the organisation may ask; the organisation's policy and
    the eligibility checks decide whether they may stand."""
    person = _person(user)
    return person is not None and person.organisation_id == selection.organisation_id


def can_withdraw_candidate(user, candidate) -> bool:
    person = _person(user)
    return can_manage_selection(user, candidate.selection) or (
        person is not None and candidate.person_id == person.pk)


def can_record_attendance(user, selection) -> bool:
    """The panel (the committee) or the selection's admin records who took part in an interview;
    never the voter for themself (the service refuses that too)."""
    return can_manage_selection(user, selection) or is_on_committee(user, selection)
