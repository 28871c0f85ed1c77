"""Succession rules: talent admins manage every pool of their organisation; the holder of a
position manages that position's pool only; executives (and talent admins) see the monitor;
gender and ethnicity per pool only with special-category access."""

from datetime import date

from clinlead.accounts.permissions.core import (
    Role,
    active_person,
    can_manage_talent,
    can_see_special_category,
    has_role,
    needs_role,
)
from clinlead.org.models import Appointment

__all__ = [
    "holds_position", "can_manage_pool", "can_view_pool", "can_view_succession_monitor",
    "can_use_my_successors", "can_view_candidate_card", "can_search_talent",
    "can_manage_terms", "can_plan_departure", "can_see_pool_demographics", "can_see_pipeline_diversity",
]


def _person_id(user):
    person = active_person(user)
    return person.pk if person is not None else None


def _current(day=None):
    day = day or date.today()
    return Appointment.objects.held_on(day)


def holds_position(user, position, day: date | None = None) -> bool:
    """The user is today's holder (a current Appointment) of this position."""
    person_id = _person_id(user)
    return bool(person_id) and _current(day).filter(position=position, person_id=person_id).exists()


def can_manage_pool(user, position) -> bool:
    return can_manage_talent(user, position.organisation_id) or holds_position(user, position)


@needs_role(Role.EXECUTIVE, Role.TALENT_ADMIN)
def can_view_succession_monitor(user, organisation) -> bool:
    return any(has_role(user, r, organisation) for r in (Role.EXECUTIVE, Role.TALENT_ADMIN))


@needs_role(Role.EXECUTIVE, Role.TALENT_ADMIN, Role.SPECIAL_CATEGORY)
def can_see_pipeline_diversity(user, organisation) -> bool:
    """Gender and ethnicity along the leadership pipeline (aggregates above the threshold): those
    who see the succession monitor, and the equality lead, whose work it is."""
    return can_view_succession_monitor(user, organisation) or can_see_special_category(user, organisation)


def can_view_pool(user, position) -> bool:
    return can_manage_pool(user, position) or can_view_succession_monitor(user, position.organisation_id)


def can_use_my_successors(user) -> bool:
    """"My successors" is for people who hold a position today."""
    if getattr(user, "is_superuser", False):
        return True
    person_id = _person_id(user)
    return bool(person_id) and _current().filter(person_id=person_id).exists()


def can_view_candidate_card(user, person) -> bool:
    """The whole card (leader index, development) is for the talent team that selects."""
    return can_manage_talent(user, person.organisation_id)


def can_search_talent(user, organisation) -> bool:
    return can_manage_talent(user, organisation)


def can_manage_terms(user, organisation) -> bool:
    return can_manage_talent(user, organisation)


def can_plan_departure(user, appointment) -> bool:
    """The holder plans their own departure; the talent admins can record it for them."""
    return can_manage_talent(user, appointment.position.organisation_id) or (
        bool(_person_id(user)) and appointment.person_id == _person_id(user))


def can_see_pool_demographics(user, organisation) -> bool:
    """Gender and ethnicity of one pool (never of one person): special-category access only."""
    return can_see_special_category(user, organisation)
