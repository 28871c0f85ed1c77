from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinlead.subjects import services
from clinlead.subjects.management.commands import _person as args


class Command(BaseCommand):
    help = (
        "Place a legal hold on a member of staff's data (erasure is refused while it is in force), "
        "or lift it (docs/data-subject-requests.md)."
    )

    def add_arguments(self, parser):
        args.add_arguments(parser)
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument(
            "--reason", help="place a hold, for this reason (a claim, an investigation)"
        )
        what.add_argument("--lift", action="store_true", help="lift the holds in force")

    def handle(self, *_, staff_number, organisation, by, reason, lift, **options):
        person = args.person(staff_number, organisation)
        actor, label = args.actor(by)
        try:
            if lift:
                holds = services.lift_legal_holds(actor=actor, person=person, label=label)
                self.stdout.write(
                    f"Lifted {len(holds)} legal hold(s) on staff number {staff_number}."
                )
            else:
                services.place_legal_hold(actor=actor, person=person, reason=reason, label=label)
                self.stdout.write(f"Placed a legal hold on staff number {staff_number}.")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
