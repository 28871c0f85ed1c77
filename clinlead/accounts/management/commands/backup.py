from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinlead.backups import BackupError, take_backup


class Command(BaseCommand):
    help = ("Back up the database into FILE while the servers keep running: SQLite's VACUUM INTO, or "
            "pg_dump --format=custom on PostgreSQL (docs/operations.md). The file is readable by its owner only.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup file to write (must not exist)")

    def handle(self, *args, file, **options):
        try:
            how = take_backup(target=file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written to {file} ({file.stat().st_size} bytes): {how}")
