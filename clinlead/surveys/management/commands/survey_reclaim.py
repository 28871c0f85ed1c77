from django.core.management.base import BaseCommand, CommandError

from clinlead.surveys.services import reclaim_deleted_rows


class Command(BaseCommand):
    help = ("Remove the old row versions a survey close left behind (PostgreSQL VACUUM FULL of the survey "
            "tables), waiting for older transactions to end. The close runs this itself; run it again when "
            "the close warned that an older transaction kept some.")

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=int, default=600, help="seconds to wait for older transactions (600)")

    def handle(self, *args, wait, **options):
        if not reclaim_deleted_rows(wait_seconds=wait):
            raise CommandError("A transaction older than this command is still running; old row versions may remain.")
        self.stdout.write("Old row versions of the survey tables are removed.")
