"""`clinlead serve`: the web application under gunicorn, as production runs it.

Settings come from the environment (docs/deployment.md); the options here override them."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinlead.deployment import DeploymentSettingError, gunicorn_arguments


class Command(BaseCommand):
    help = (
        "Serve Clinlead with gunicorn (CLINLEAD_BIND, CLINLEAD_WEB_WORKERS, CLINLEAD_WEB_THREADS)."
    )
    requires_system_checks = []  # the settings are checked by each worker as it loads

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", help="address:port to listen on (default CLINLEAD_BIND or 127.0.0.1:8000)"
        )
        parser.add_argument(
            "--workers", type=int, help="processes (default CLINLEAD_WEB_WORKERS or 2 per core)"
        )
        parser.add_argument(
            "--threads", type=int, help="threads per process (default CLINLEAD_WEB_THREADS or 4)"
        )
        parser.add_argument(
            "--print",
            action="store_true",
            dest="print_only",
            help="print the gunicorn command instead of running it",
        )

    def handle(self, *args, bind, workers, threads, print_only, **options):
        try:
            arguments = gunicorn_arguments(
                bind=bind,
                workers=workers,
                threads=threads,
                trusted_proxies=settings.CLINLEAD_TRUSTED_PROXIES,
            )
        except DeploymentSettingError as error:
            raise CommandError(str(error)) from error
        command = [sys.executable, "-m", "gunicorn", *arguments]
        if print_only:
            self.stdout.write(" ".join(command))
            return
        try:
            import gunicorn  # noqa: F401
        except ImportError as error:
            raise CommandError(
                "gunicorn is not installed: python3 -m pip install -e '.'"
            ) from error
        sys.stdout.flush()
        # gunicorn takes over this process, so a process manager's signals reach it directly.
        os.execv(sys.executable, command)
