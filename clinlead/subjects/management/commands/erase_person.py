from django.core.management.base import BaseCommand, CommandError

from clinlead.org.models import Person
from clinlead.subjects import services
from clinlead.subjects.management.commands import _person as args


class Command(BaseCommand):
    help = (
        "Erase a member of staff who has left: delete what is only about them and replace their "
        "name, e-mail and staff number everywhere with a pseudonym; published figures stay as "
        "they are (docs/data-subject-requests.md). Refused, with the reasons, while a legal "
        "hold or an open process needs them."
    )

    def add_arguments(self, parser):
        args.add_arguments(parser)
        parser.add_argument(
            "--confirm", action="store_true", help="really erase (it cannot be undone)"
        )

    def handle(self, *_, staff_number, organisation, by, confirm, **options):
        person = args.person(staff_number, organisation)
        actor, label = args.actor(by)
        if not confirm:
            raise CommandError("erasure cannot be undone: run it again with --confirm")
        # The name is replaced wherever it is written, so a namesake's mentions would change too.
        namesakes = Person.objects.filter(first_name=person.first_name, last_name=person.last_name)
        if namesakes.exclude(pk=person.pk).exists():
            self.stderr.write(
                f"Warning: someone else is also called {person.full_name}; text naming "
                "them by that name is replaced too (docs/data-subject-requests.md)."
            )
        try:
            erased, removed, rewritten = services.erase_person(
                actor=actor, person=person, label=label
            )
        except services.ErasureRefused as exc:
            raise CommandError("erasure refused: " + "; ".join(exc.reasons)) from None
        self.stdout.write(
            f"Erased staff number {staff_number}: now {erased.staff_number} ({erased.full_name})."
        )
        for what, count in sorted(removed.items()):
            self.stdout.write(f"  deleted {count} {what}")
        for table, count in sorted(rewritten.items()):
            self.stdout.write(f"  replaced the identity in {count} rows of {table}")
