"""`clinlead selection-reminders`: remind electors who have not voted that their ballot closes
within 48 hours (run it hourly; each ballot is reminded once)."""

from django.core.management.base import BaseCommand

from clinlead.selection.services_governance import send_due_reminders


class Command(BaseCommand):
    help = "E-mail electors who have not voted when their selection's ballot closes within 48 hours."

    def handle(self, *args, **options):
        for selection in send_due_reminders():
            self.stdout.write(f"Reminded the electorate of {selection}.")
