from django.core.management.base import BaseCommand, CommandError

from clinlead.accounts import roles
from clinlead.accounts.management.commands import _roles as args


class Command(BaseCommand):
    help = ("Give a role at an organisation to a member of staff (who gets a login if they have none) "
            "or to a login. Roles: docs/configuration.md.")

    def add_arguments(self, parser):
        args.add_arguments(parser)

    def handle(self, *_, organisation, role, staff_number, username, programme, **options):
        org = args.organisation(organisation)
        role = args.role(role)
        led = args.programme(org, role, programme)
        person = args.person(org, staff_number) if staff_number is not None else None
        user = args.login(username) if username is not None else None
        if led is not None:
            if person is None:
                raise CommandError(f"--username: {roles.PROGRAMME_LEAD} is given to a member of staff (--staff-number)")
            try:
                roles.grant_programme_lead(actor=None, label=args.LABEL, programme=led, person=person)
            except roles.RoleError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{person.full_name} now leads {led.name}.")
            return
        try:
            grant = roles.grant_role(actor=None, label=args.LABEL, organisation=org, role=role, person=person, user=user)
        except roles.RoleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{grant.user} is now {grant.get_role_display()} at {org.name} (login: {grant.user.username}).")
        if not grant.user.has_usable_password():
            self.stdout.write(f"The login has no password: they sign in with single sign-on, or set one with "
                              f"`clinlead changepassword {grant.user.username}`.")
