from django.core.management.base import BaseCommand

from clinlead.surveys.models import SurveyCycle
from clinlead.surveys.services import count_progress


class Command(BaseCommand):
    help = "Count each open survey's progress for today (run once a day, e.g. from cron)."

    def handle(self, *args, **options):
        for cycle in SurveyCycle.objects.filter(status=SurveyCycle.Status.OPEN).select_related("organisation"):
            count_progress(cycle=cycle)
            self.stdout.write(f"Counted progress of the {cycle} at {cycle.organisation}")
