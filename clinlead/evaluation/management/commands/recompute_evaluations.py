"""Recompute every evaluation result that is out of date, e.g. after a deploy that changed the
analysis (its version is part of each result's fingerprint), so no report is read stale."""

from django.core.management.base import BaseCommand

from clinlead.evaluation.models import Evaluation
from clinlead.evaluation.services import recompute_results


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        total = 0
        for evaluation in Evaluation.objects.order_by("pk"):
            done = recompute_results(actor=None, evaluation=evaluation)
            total += len(done)
            if done:
                self.stdout.write(f"{evaluation}: {', '.join(a.metric.name for a in done)}")
        self.stdout.write(f"{total} result{'s' if total != 1 else ''} recomputed.")
