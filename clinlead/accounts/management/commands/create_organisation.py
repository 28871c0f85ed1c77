from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinlead.accounts.organisations import create_organisation
from clinlead.org.models import Organisation

FLAGS = {"slug": "slug", "name": "--name", "kind": "--kind"}


class Command(BaseCommand):
    help = "Create an empty organisation (then import its staff: docs/setting-up.md)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="short name used in addresses and HR extracts, e.g. northgate")
        parser.add_argument("--name", required=True, help="full name, e.g. 'Northgate Hospitals NHS Foundation Trust'")
        parser.add_argument("--kind", default=Organisation.Kind.TRUST, help=f"one of: {', '.join(Organisation.Kind.values)}")

    def handle(self, *_, slug, name, kind, **options):
        try:
            organisation = create_organisation(actor=None, label="command line", slug=slug, name=name, kind=kind)
        except ValidationError as exc:
            problems = [f"{FLAGS.get(field, field)} {value!r}: {' '.join(messages)}"
                        for field, messages in exc.message_dict.items()
                        for value in [{"slug": slug, "name": name, "kind": kind}.get(field, "")]]
            raise CommandError("; ".join(problems)) from None
        self.stdout.write(f"Created {organisation.name} ({organisation.slug}).")
