from django.core.management.base import BaseCommand, CommandError

from clinlead.accounts import roles
from clinlead.accounts.management.commands import _roles as args
from clinlead.accounts.models import RoleGrant, User


class Command(BaseCommand):
    help = "Take a role at an organisation away from a member of staff or a login."

    def add_arguments(self, parser):
        args.add_arguments(parser)

    def handle(self, *_, organisation, role, staff_number, username, programme, **options):
        org = args.organisation(organisation)
        role = args.role(role)
        led = args.programme(org, role, programme)
        if led is not None:
            if staff_number is None:
                raise CommandError(f"--username: {roles.PROGRAMME_LEAD} is held by a member of staff (--staff-number)")
            person = args.person(org, staff_number)
            lead = led.leads.filter(person=person).first()
            if lead is None:
                raise CommandError(f"--staff-number {staff_number!r}: does not lead {led.name}")
            roles.revoke_programme_lead(actor=None, label=args.LABEL, lead=lead)
            self.stdout.write(f"{person.full_name} no longer leads {led.name}.")
            return
        if staff_number is not None:
            person = args.person(org, staff_number)
            user, named = User.objects.filter(person=person).first(), f"--staff-number {staff_number!r}"
        else:
            user, named = args.login(username), f"--username {username!r}"
        grant = RoleGrant.objects.filter(user=user, role=role, organisation=org).select_related("organisation").first()
        if user is None or grant is None:
            raise CommandError(f"{named}: does not hold the role {role} at {org.slug}")
        try:
            roles.revoke_role(actor=None, label=args.LABEL, grant=grant)
        except roles.RoleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{user} is no longer {grant.get_role_display()} at {org.name}.")
