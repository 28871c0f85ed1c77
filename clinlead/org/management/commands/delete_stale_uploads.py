from django.core.management.base import BaseCommand

from clinlead.org.hr_uploads import delete_stale_uploads


class Command(BaseCommand):
    help = "Delete HR files uploaded for checking but never applied, once older than a day."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {delete_stale_uploads()} stale upload(s).")
