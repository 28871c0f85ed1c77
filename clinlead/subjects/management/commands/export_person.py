import json
from pathlib import Path

from django.core.management.base import BaseCommand

from clinlead.subjects import services
from clinlead.subjects.management.commands import _person as args


class Command(BaseCommand):
    help = (
        "Write everything Clinlead holds about a member of staff as JSON, for a subject access "
        "request (docs/data-subject-requests.md). The export is recorded in the audit trail."
    )

    def add_arguments(self, parser):
        args.add_arguments(parser)
        parser.add_argument("--output", help="the file to write (default: standard output)")

    def handle(self, *_, staff_number, organisation, by, output, **options):
        person = args.person(staff_number, organisation)
        actor, label = args.actor(by)
        data = services.export_person(actor=actor, person=person, label=label)
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote the export of staff number {staff_number} to {output}.")
        else:
            self.stdout.write(text, ending="")
