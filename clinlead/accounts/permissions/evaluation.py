"""Evaluation: who may see and do what.

An evaluation compares organisations, never people, so its figures need no suppression. It is
open to the executives and talent admins of every Clinlead organisation taking part in it (as
pilot or comparator, and the organisation that set it up). Only the talent admins of the
organisation that set it up manage it (set-up, data imports, recomputing): a participant may
not rename another organisation's evaluation, remove its pilots or replace its figures.
Everyone else is refused.
"""

from clinlead.accounts.models import Role
from clinlead.accounts.permissions.core import (
    can_manage_talent,
    can_see_organisation_aggregates,
    needs_role,
)

__all__ = [
    "participating_organisation_ids", "can_list_evaluations", "can_create_evaluation",
    "can_view_evaluation", "can_manage_evaluation", "can_plan_evaluation",
    "can_add_evaluation_metric",
]


def _superuser(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def participating_organisation_ids(evaluation) -> set:
    """The Clinlead organisations taking part: linked pilots and comparators, and the organiser."""
    ids = set(evaluation.organisations.exclude(organisation=None).values_list("organisation_id", flat=True))
    ids.add(evaluation.organisation_id)
    return ids


@needs_role(Role.EXECUTIVE, Role.TALENT_ADMIN)
def can_list_evaluations(user, organisation) -> bool:
    """The evaluations an organisation takes part in: its executives and talent admins."""
    return can_see_organisation_aggregates(user, organisation)


@needs_role(Role.TALENT_ADMIN)
def can_create_evaluation(user, organisation) -> bool:
    return can_manage_talent(user, organisation)


def can_add_evaluation_metric(user, organisation) -> bool:
    """Add a metric of the organisation's own to the catalogue."""
    return can_manage_talent(user, organisation)


def can_plan_evaluation(user, organisation) -> bool:
    """The planning calculator (no data): whoever may see the organisation's evaluations."""
    return can_list_evaluations(user, organisation)


def can_view_evaluation(user, evaluation) -> bool:
    if _superuser(user):
        return True
    return any(can_see_organisation_aggregates(user, org_id)
               for org_id in participating_organisation_ids(evaluation))


def can_manage_evaluation(user, evaluation) -> bool:
    if _superuser(user):
        return True
    return can_manage_talent(user, evaluation.organisation_id)
