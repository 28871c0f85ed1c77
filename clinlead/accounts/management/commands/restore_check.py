import json as json_module

from django.core.management.base import BaseCommand, CommandError

from clinlead.backups import fingerprint


class Command(BaseCommand):
    help = ("Check a restored database (docs/operations.md, \"Restore drill\"): every migration applied, and "
            "each table's row count and content hash, to compare with the source. Exits 1 when a migration "
            "is missing.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="the whole fingerprint as JSON, to compare")

    def handle(self, *args, json: bool = False, **options):
        found = fingerprint()
        if json:
            self.stdout.write(_dumps(found))
        else:
            tables = found["tables"]
            self.stdout.write(f"{len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows")
            for table, about in tables.items():
                if about["rows"]:
                    self.stdout.write(f"  {table:<48} {about['rows']:>9}  {about['sha256'][:16]}")
        if found["migrations"]:
            raise CommandError(f"migrations not applied: {', '.join(found['migrations'])}")
        if not json:
            self.stdout.write("Every migration is applied.")


def _dumps(found):
    return json_module.dumps(found, indent=1, sort_keys=True)
