"""`clinlead load-framework FILE.json [--organisation SLUG]`: load an organisation's own
competency framework (its structure: dimensions and levels) as a new version."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinlead.development.frameworks import MAX_FILE_CHARS, load_framework, load_national_frameworks


class Command(BaseCommand):
    help = "Load a competency framework file (format in docs/development.md) as a new version."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the framework file (.json)")
        parser.add_argument("--organisation", help="the organisation's short name (slug), if the file names none")
        parser.add_argument("--national", action="store_true",
                            help="load the national frameworks shipped with Clinlead (if not loaded yet)")

    def handle(self, *args, file, organisation, national, **options):
        if national:
            loaded = load_national_frameworks()
            self.stdout.write(f"Loaded {len(loaded)} national framework(s)." if loaded
                              else "The national frameworks are already loaded.")
            if not file:
                return
        if not file:
            raise CommandError("Name a framework file, or use --national")
        path = Path(file)
        try:
            if path.stat().st_size > 4 * MAX_FILE_CHARS:
                raise CommandError(f"{file} is {path.stat().st_size:,} bytes; a framework file is far smaller")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            framework = load_framework(actor=None, text=text, organisation_slug=organisation, source=path.name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Loaded {framework.name} version {framework.version} for {framework.organisation}: "
                          f"{framework.dimensions.count()} dimensions, {framework.levels.count()} levels.")
