"""The table for the database cache (CLINLEAD_CACHE_URL=database, the production default), made by
`migrate` so that a release needs no separate `createcachetable` step. Harmless where another cache
is configured."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

from clinlead.deployment import CACHE_TABLE


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    # It checks whether the table exists first, so running it twice changes nothing.
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_forget_login_records")]
    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
