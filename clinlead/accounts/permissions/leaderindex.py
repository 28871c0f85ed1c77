"""Who may read leader-index results."""

from clinlead.accounts.permissions.core import can_see_organisation_aggregates, led_units

__all__ = ["can_see_leader_report", "can_see_cycle_results"]


def can_see_leader_report(user, leader) -> bool:
    """The leader themselves, executives and talent admins of the organisation, and anyone who
    leads a unit the leader works in (their line of directors)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.person_id == leader.pk or can_see_organisation_aggregates(user, leader.organisation):
        return True
    from clinlead.org.models import UnitMembership

    unit = UnitMembership.objects.filter(person=leader, end__isnull=True).select_related("unit").first()
    if unit is None:
        return False
    return any(u.contains(unit.unit) for u in led_units(user))


def can_see_cycle_results(user, cycle) -> bool:
    return can_see_organisation_aggregates(user, cycle.organisation)
