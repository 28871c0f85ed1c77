from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinlead.org import hr_reversal
from clinlead.org.models import HrImport


class Command(BaseCommand):
    help = ("Reverse an applied HR import (its number is printed by import-hr and shown on the HR import page), "
            "within CLINLEAD_HR_IMPORT_REVERSIBLE_DAYS days. What it undoes: docs/hr-import.md.")

    def add_arguments(self, parser):
        parser.add_argument("import_id", type=int)
        parser.add_argument("--dry-run", action="store_true", help="say what it would undo, change nothing")

    def handle(self, *args, import_id, dry_run, **options):
        hr_import = HrImport.objects.filter(pk=import_id).select_related("organisation").first()
        if hr_import is None:
            raise CommandError(f"There is no HR import {import_id}")
        try:
            plan = (hr_reversal.plan_reversal(hr_import=hr_import) if dry_run
                    else hr_reversal.reverse_hr_import(actor=None, hr_import=hr_import))
        except ValidationError as exc:
            raise CommandError(f"Import {import_id} cannot be reversed: {' '.join(exc.messages)}") from None
        c = plan.counts()
        self.stdout.write(("Dry run, nothing changed. Would have: " if dry_run else "Reversed: ")
                          + f"{c['back_in_post']} back in post, {c['restored']} given their earlier details, "
                          f"{c['removed']} added by it removed; not undone: {c['kept_new']} added by it and "
                          f"needed since, {c['changed_since']} changed since, {c['demographics_not_undone']} "
                          "gender or ethnicity changes")
