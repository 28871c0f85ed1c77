"""`clinlead milestone-reminders [--organisation SLUG]`: e-mail overdue-milestone reminders to
the people concerned and their programme leads (run it weekly)."""

from django.core.management.base import BaseCommand, CommandError

from clinlead.development.reminders import send_reminders
from clinlead.org.models import Organisation


class Command(BaseCommand):
    help = "E-mail reminders of overdue onboarding milestones and evidence waiting for review."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="one organisation's short name (slug); all by default")

    def handle(self, *args, organisation, **options):
        organisations = Organisation.objects.all()
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"There is no organisation called {organisation!r}")
        for org in organisations:
            sent = send_reminders(actor=None, organisation=org)
            self.stdout.write(f"{org.name}: {sent} reminder(s) sent.")
