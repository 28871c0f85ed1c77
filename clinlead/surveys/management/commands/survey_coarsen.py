from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from clinlead.surveys.models import SurveyCycle
from clinlead.surveys.services_coarsen import coarsen_closed_cycle


class Command(BaseCommand):
    help = ("Store the answers of every closed or published survey cycle closed before answers were coarsened "
            "at close (and of cycles loaded from past files) as the close now stores them: each answer keeps only "
            "its disclosure block, no profession (docs/secrecy.md). Published figures do not change. Run once "
            "after upgrading.")

    def handle(self, *args, **options):
        cycles = (SurveyCycle.objects.filter(status__in=[SurveyCycle.Status.CLOSED, SurveyCycle.Status.PUBLISHED],
                                             close_figures={})
                  .select_related("organisation").order_by("organisation__name", "opens_on"))
        for cycle in cycles:
            try:
                answers = coarsen_closed_cycle(actor=None, cycle=cycle)
            except ValidationError as exc:
                self.stderr.write(f"{cycle.organisation}, {cycle}: {'; '.join(exc.messages)}")
                continue
            self.stdout.write(f"{cycle.organisation}, {cycle}: {answers} answers stored coarsened")
