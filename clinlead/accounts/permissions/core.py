"""Who may see and do what: every object rule of Clinlead lives here.

Staff see their own organisation's chart and their own things; a leader also sees what sits
under the units they lead; talent admins act for their organisation only; executives see
organisation-wide aggregates; auditors read the audit trail; gender and ethnicity are open only
to a role granted special-category access, and then only as aggregates above the threshold.
"""

from datetime import date

from clinlead.accounts.models import Role, RoleGrant
from clinlead.org.models import Appointment, Organisation, ReportingLine, Unit

__all__ = [
    "has_role", "active_person", "home_organisation_id", "visible_organisations", "can_view_organisation",
    "can_view_person", "can_import_hr", "can_manage_talent", "can_view_audit",
    "can_see_special_category", "can_see_organisation_aggregates", "led_units", "is_leader",
    "can_see_unit_aggregates", "can_manage_roles", "Role", "needs_role", "refusal",
]


def needs_role(*roles):
    """Mark an organisation rule with the roles it opens to, so a refusal (the 403 page) can say
    which role the page needs instead of only "no"."""
    def mark(rule):
        rule.roles_needed = roles
        return rule
    return mark


def refusal(rule, organisation) -> str:
    """Why a page was refused, in words: the roles `rule` opens to ("" if it names none)."""
    roles = getattr(rule, "roles_needed", ())
    if not roles:
        return ""
    labels = [Role(role).label for role in roles]
    names = " or ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 2 else labels)
    return (f"This page needs the {names} role at {organisation.name}. If your work needs it, "
            "ask an organisation admin there to give it to you.")


def _grants(user):
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = getattr(user, "_clinlead_grants", None)
    if cache is None:
        cache = set(RoleGrant.objects.filter(user=user).values_list("role", "organisation_id"))
        user._clinlead_grants = cache
    return cache


def has_role(user, role, organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return (role, org_id) in _grants(user)


def active_person(user):
    """The member of staff behind a login, while HR has them as active; None for a leaver.
    Everything a person may do because of who they are (hold a position, lead a team) ends
    when they leave."""
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return person if person is not None and person.active else None


def home_organisation_id(user):
    person = active_person(user)
    return person.organisation_id if person is not None else None


def visible_organisations(user):
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    ids = {org for _, org in _grants(user)}
    if home_organisation_id(user):
        ids.add(home_organisation_id(user))
    return Organisation.objects.filter(id__in=ids)


def can_view_organisation(user, organisation) -> bool:
    return visible_organisations(user).filter(pk=organisation.pk).exists()


def can_view_person(user, person) -> bool:
    return can_view_organisation(user, person.organisation)


@needs_role(Role.TALENT_ADMIN)
def can_import_hr(user, organisation) -> bool:
    return has_role(user, Role.TALENT_ADMIN, organisation)


@needs_role(Role.TALENT_ADMIN)
def can_manage_talent(user, organisation) -> bool:
    return has_role(user, Role.TALENT_ADMIN, organisation)


@needs_role(Role.AUDITOR)
def can_view_audit(user, organisation) -> bool:
    return has_role(user, Role.AUDITOR, organisation)


@needs_role(Role.ORGANISATION_ADMIN)
def can_manage_roles(user, organisation) -> bool:
    """Grant and revoke the organisation's roles: its organisation admins (and superusers)."""
    return has_role(user, Role.ORGANISATION_ADMIN, organisation)


@needs_role(Role.SPECIAL_CATEGORY)
def can_see_special_category(user, organisation) -> bool:
    """Gender and ethnicity aggregates: only with an explicit grant (or as superuser)."""
    return has_role(user, Role.SPECIAL_CATEGORY, organisation)


@needs_role(Role.EXECUTIVE, Role.TALENT_ADMIN)
def can_see_organisation_aggregates(user, organisation) -> bool:
    return any(has_role(user, r, organisation) for r in (Role.EXECUTIVE, Role.TALENT_ADMIN))


def led_units(user, day: date | None = None):
    """Units whose position the user holds today: a leader sees aggregates for these subtrees."""
    person = active_person(user)
    if person is None:
        return Unit.objects.none()
    day = day or date.today()
    unit_ids = Appointment.objects.held_on(day).filter(person=person).values(
        "position__unit_id"
    )
    return Unit.objects.filter(id__in=unit_ids)


def is_leader(user, day: date | None = None) -> bool:
    """A leader holds a position or has people reporting to them."""
    person = active_person(user)
    if person is None:
        return False
    day = day or date.today()
    return led_units(user, day).exists() or ReportingLine.objects.on(day).filter(leader=person).exists()


def can_see_unit_aggregates(user, unit) -> bool:
    """A director sees their own division's aggregates; executives and talent admins see all."""
    if can_see_organisation_aggregates(user, unit.organisation):
        return True
    return any(u.contains(unit) for u in led_units(user))
