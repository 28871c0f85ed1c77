"""Granting and revoking roles: one action each, with its audit event.

Roles that do not follow from the organisation chart (talent admin, executive, auditor,
special-category viewer, organisation admin) are granted per organisation, on the **Roles** page
or with `clinlead grant-role` / `clinlead revoke-role`. Both call these functions.

Rules, each refused with a reason that names what was wrong:
- a leaver (HR has them as left) cannot be given a role, and a login that is switched off cannot;
- a person can be given a role only at their own organisation (logins with no staff record, such
  as an external auditor's, are named by username on the command line);
- the last organisation admin of an organisation cannot be removed, so someone can always grant
  roles there without a superuser.

A member of staff who has no login yet gets one when first given a role: it has no password, so
they sign in with single sign-on (matched by work e-mail), or an operator sets a password with
`clinlead changepassword USERNAME` (docs/setting-up.md).
"""

from django.db.models import Q

from clinlead import actions
from clinlead.accounts.models import Role, RoleGrant, User
from clinlead.audit import services as audit
from clinlead.org.models import Organisation, Person


class RoleError(ValueError):
    """A grant or revoke that the rules refuse; nothing was changed."""


def role_named(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise RoleError(f"{value!r} is not a role; the roles are: {', '.join(Role.values)}") from None


def username_for(person: Person) -> str:
    return f"{person.organisation.slug}-{person.staff_number}".lower()[:150]


def _holder(user: User) -> str:
    return f"{user.person.full_name} ({user.username})" if user.person_id else user.username


def _check_can_hold(*, person: Person | None, user: User | None, organisation: Organisation,
                    own_organisation_only: bool = True):
    if person is not None:
        if own_organisation_only and person.organisation_id != organisation.pk:
            raise RoleError(f"{person.full_name} works at {person.organisation}, not {organisation}: "
                            "a person is given roles at their own organisation")
        if not person.active:
            raise RoleError(f"{person.full_name} (staff number {person.staff_number}) has left "
                            f"{organisation}: a leaver cannot be given a role")
    if user is not None and not user.is_active:
        raise RoleError(f"The login {user.username!r} is switched off: it cannot be given a role")


def grant_role(*, actor, organisation: Organisation, role: str, person: Person | None = None,
               user: User | None = None, label: str | None = None) -> RoleGrant:
    """Give `role` at `organisation` to a member of staff (`person`, who gets a login if they
    have none) or to an existing login (`user`)."""
    role = role_named(role)
    if (person is None) == (user is None):
        raise RoleError("Name one person or one login to give the role to")
    # A login named explicitly (the command line's --username) may belong to another
    # organisation's staff, e.g. a health system's auditor; a person chosen from this
    # organisation's staff (the Roles page) must work here.
    named_login = user is not None
    if named_login and user.person_id:
        person = user.person
    _check_can_hold(person=person, user=user, organisation=organisation, own_organisation_only=not named_login)
    with actions.atomic():
        # One role change at a time per organisation, so two admins cannot race past the rules.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        created = False
        if user is None:
            user = User.objects.filter(person=person).first()
            if user is None:
                username = username_for(person)
                if User.objects.filter(username=username).exists():
                    raise RoleError(f"The username {username!r} is taken by another login; "
                                    "give the role to that login by its username instead")
                user = User(username=username, email=person.work_email, person=person)
                user.set_unusable_password()
                user.save()
                created = True
            _check_can_hold(person=person, user=user, organisation=organisation)
        if RoleGrant.objects.filter(user=user, role=role, organisation=organisation).exists():
            raise RoleError(f"{_holder(user)} is already {role.label} at {organisation}")
        grant = RoleGrant.objects.create(user=user, role=role, organisation=organisation)
        audit.record(actor=actor, action="accounts.role_granted", obj=grant, organisation=organisation,
                     label=label, after={"role": role.value, "username": user.username,
                                         "staff_number": person.staff_number if person else "",
                                         "login_created": created})
    return grant


def revoke_role(*, actor, grant: RoleGrant, label: str | None = None) -> None:
    organisation = grant.organisation
    with actions.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        grant = RoleGrant.objects.select_related("user__person").filter(pk=grant.pk).first()
        if grant is None:
            raise RoleError("That role has already been revoked")
        if grant.role == Role.ORGANISATION_ADMIN and not _other_admins(grant).exists():
            raise RoleError(f"{_holder(grant.user)} is the last organisation admin of {organisation}: "
                            "give the role to someone else before removing it")
        audit.record(actor=actor, action="accounts.role_revoked", obj=grant, organisation=organisation,
                     label=label, before={"role": grant.role, "username": grant.user.username,
                                          "staff_number": grant.user.person.staff_number if grant.user.person_id else ""})
        grant.delete()


def _other_admins(grant: RoleGrant):
    """Organisation admins other than `grant` who can still sign in (not leavers, login on)."""
    return RoleGrant.objects.filter(organisation_id=grant.organisation_id, role=Role.ORGANISATION_ADMIN,
                                    user__is_active=True).exclude(pk=grant.pk).filter(
        Q(user__person__isnull=True) | Q(user__person__active=True))


def grants_by_role(*, organisation: Organisation):
    """Every role with who holds it at `organisation`, in the order of the Role list."""
    grants = RoleGrant.objects.filter(organisation=organisation).select_related("user__person").order_by(
        "user__person__last_name", "user__username")
    held = {role: [] for role in Role}
    for grant in grants:
        held[Role(grant.role)].append(grant)
    return [(role, held[role]) for role in Role]


def roles_of(*, people, organisation: Organisation) -> dict[int, list[str]]:
    """The role names each of `people` holds at `organisation`, by person id."""
    found: dict[int, list[str]] = {}
    for person_id, role in RoleGrant.objects.filter(organisation=organisation, user__person__in=people).values_list(
            "user__person_id", "role"):
        found.setdefault(person_id, []).append(Role(role).label)
    return found


# Programme leads are appointed per development programme, not per organisation; they are
# given and taken away here too (and given on the programme's own page), under the same rules.
PROGRAMME_LEAD = "programme_lead"


def _programme_lead_model():
    """development's ProgrammeLead, reached through the organisation's relations: development sits
    above accounts, so accounts never imports it (tests/test_layers.py)."""
    programme = Organisation._meta.get_field("development_programmes").related_model
    return programme._meta.get_field("leads").related_model


def grant_programme_lead(*, actor, programme, person: Person, label: str | None = None):
    _check_can_hold(person=person, user=None, organisation=programme.organisation)
    with actions.atomic():
        if programme.leads.filter(person=person).exists():
            raise RoleError(f"{person.full_name} already leads {programme.name}")
        lead = programme.leads.create(person=person)
        audit.record(actor=actor, action="development.programme_lead_added", obj=programme,
                     organisation=programme.organisation, label=label, after={"lead": person.staff_number})
    return lead


def revoke_programme_lead(*, actor, lead, label: str | None = None) -> None:
    with actions.atomic():
        lead = type(lead).objects.select_related("programme__organisation", "person").filter(pk=lead.pk).first()
        if lead is None:
            raise RoleError("That programme lead has already been removed")
        audit.record(actor=actor, action="development.programme_lead_removed", obj=lead.programme,
                     organisation=lead.programme.organisation, label=label,
                     before={"lead": lead.person.staff_number})
        lead.delete()


def programme_leads(*, organisation: Organisation):
    return _programme_lead_model().objects.filter(programme__organisation=organisation).select_related(
        "programme", "person").order_by("programme__name", "person__last_name")


def programmes(*, organisation: Organisation):
    return organisation.development_programmes.order_by("name")
