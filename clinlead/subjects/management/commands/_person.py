"""What the data-subject commands share: finding the person and the login acting."""

from django.core.management.base import CommandError

from clinlead.accounts.models import User
from clinlead.org.models import Person

LABEL = "command line"


def add_arguments(parser):
    parser.add_argument("staff_number", help="the person's staff number")
    parser.add_argument(
        "--organisation",
        help="the organisation's short name (slug), when the staff number is used at more than one",
    )
    parser.add_argument(
        "--by", help="the username of whoever asked for this (recorded in the audit trail)"
    )


def person(staff_number, organisation):
    found = Person.objects.filter(staff_number=staff_number.strip()).select_related("organisation")
    if organisation:
        found = found.filter(organisation__slug=organisation)
    found = list(found[:2])
    if not found:
        where = f" at {organisation}" if organisation else ""
        raise CommandError(f"staff number {staff_number!r}: nobody with that staff number{where}")
    if len(found) > 1:
        raise CommandError(
            f"staff number {staff_number!r} is used at more than one organisation; "
            "give --organisation"
        )
    return found[0]


def actor(username):
    """(login, label) for the audit trail: the login named by --by, or the command line."""
    if username is None:
        return None, LABEL
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--by {username!r}: no such login")
    return user, f"{user} ({LABEL})"
