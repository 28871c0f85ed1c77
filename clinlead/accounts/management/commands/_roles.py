"""What `grant-role` and `revoke-role` share: reading and checking their arguments."""

from django.core.management.base import CommandError

from clinlead.accounts.models import Role, User
from clinlead.accounts.roles import PROGRAMME_LEAD
from clinlead.org.models import Organisation, Person

LABEL = "command line"
ROLES = [*Role.values, PROGRAMME_LEAD]


def add_arguments(parser):
    parser.add_argument("organisation", help="the organisation's short name (slug), e.g. northgate")
    parser.add_argument("role", help=f"one of: {', '.join(ROLES)}")
    parser.add_argument("--programme", help=f"with {PROGRAMME_LEAD}: the development programme, by id or exact name")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--staff-number", help="the member of staff, by their staff number at that organisation")
    who.add_argument("--username", help="a login by its username (for a login with no staff record)")


def organisation(slug):
    found = Organisation.objects.filter(slug=slug).first()
    if found is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"organisation {slug!r}: no such organisation (known: {known})")
    return found


def role(value):
    if value not in ROLES:
        raise CommandError(f"role {value!r}: not a role; the roles are: {', '.join(ROLES)}")
    return value


def programme(org, role, value):
    """The programme named by --programme, which only programme_lead needs and it must have."""
    if role != PROGRAMME_LEAD:
        if value is not None:
            raise CommandError(f"--programme: only {PROGRAMME_LEAD} is given per programme")
        return None
    if value is None:
        raise CommandError(f"--programme: {PROGRAMME_LEAD} needs the programme (id or exact name)")
    # development sits above accounts: its programmes are reached through the organisation.
    found = list(org.development_programmes.filter(pk=int(value)) if value.isascii() and value.isdigit()
                 else org.development_programmes.filter(name=value))
    if len(found) != 1:
        reason = "two programmes have that name; give its id" if found else f"no such programme at {org.slug}"
        raise CommandError(f"--programme {value!r}: {reason}")
    return found[0]


def person(org, staff_number):
    found = Person.objects.filter(organisation=org, staff_number=staff_number.strip()).first()
    if found is None:
        raise CommandError(f"--staff-number {staff_number!r}: nobody with that staff number at {org.slug}")
    return found


def login(username):
    found = User.objects.filter(username=username).select_related("person").first()
    if found is None:
        raise CommandError(f"--username {username!r}: no such login")
    return found
