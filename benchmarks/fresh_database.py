"""Set up Django on an empty database for a benchmark: a fresh SQLite file in a temporary
folder, or a PostgreSQL database whose name contains "bench" (flushed first, so nothing real is
ever touched)."""

import os
import sys
import tempfile
from pathlib import Path


def open_fresh_database(database_url: str = "", *, flush: bool = True) -> Path:
    """Configure, start Django, migrate and (for PostgreSQL, unless `flush` is False) flush.
    Returns the data folder."""
    workdir = Path(tempfile.mkdtemp(prefix="clinlead-bench-"))
    os.environ["CLINLEAD_DATA_DIR"] = str(workdir)
    if database_url:
        if "bench" not in database_url.rsplit("/", 1)[-1]:
            sys.exit(
                "--database-url must name a database whose name contains 'bench' (it is flushed)"
            )
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinlead.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if database_url and flush:
        call_command("flush", interactive=False, verbosity=0)
    return workdir
