from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinlead.surveys.services_retention import cycles_past_retention, delete_answers_past_retention


class Command(BaseCommand):
    help = ("Delete the answers, comments and sealed boxes of published surveys whose closing day is more than "
            "CLINLEAD_SURVEY_RETENTION_DAYS days ago; their published figures stay. Run it daily (cron). "
            "Does nothing while the setting is unset.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="the retention period for this run (default: the setting)")
        parser.add_argument("--dry-run", action="store_true", help="name the cycles, delete nothing")

    def handle(self, *args, days, dry_run, **options):
        days = days if days is not None else settings.CLINLEAD_SURVEY_RETENTION_DAYS
        if days is None:
            self.stdout.write("CLINLEAD_SURVEY_RETENTION_DAYS is not set: survey answers are kept.")
            return
        if days < 0:
            raise CommandError("The retention period cannot be negative.")
        today = timezone.localdate()
        cycles = list(cycles_past_retention(days=days, today=today))
        for cycle in cycles:
            if dry_run:
                self.stdout.write(f"would delete the answers of {cycle.organisation} {cycle.name} "
                                  f"(closed {cycle.closes_on})")
                continue
            deleted = delete_answers_past_retention(actor=None, cycle=cycle, today=today)
            self.stdout.write(f"{cycle.organisation} {cycle.name} (closed {cycle.closes_on}): deleted "
                              f"{deleted['responses']} answers, {deleted['comments']} comments, "
                              f"{deleted['sealed_boxes']} sealed boxes; published figures kept")
        if not cycles:
            self.stdout.write(f"No published survey closed more than {days} days ago still keeps its answers.")
