"""What `grant-role` and `revoke-role` share: reading and checking their arguments."""

from django.core.management.base import CommandError

from clinlead.accounts.models import Role, User
from clinlead.org.models import Organisation, Person

LABEL = "command line"


def add_arguments(parser):
    parser.add_argument("organisation", help="the organisation's short name (slug), e.g. northgate")
    parser.add_argument("role", help=f"one of: {', '.join(Role.values)}")
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
    if value not in Role.values:
        raise CommandError(f"role {value!r}: not a role; the roles are: {', '.join(Role.values)}")
    return value


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
