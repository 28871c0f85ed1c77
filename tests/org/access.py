"""Access rows for the HR import's own pages (see tests/access_table.py)."""

from datetime import date

from django.utils import timezone

from clinlead.org.hr_import import empty_journal
from clinlead.org.models import HrImport
from tests.access_table import only


def objects(world):
    applied = HrImport.objects.create(
        organisation=world.organisations["northgate"], applied_at=timezone.now(), filename="extract.csv",
        full_extract=False, effective=date.today(), journal=empty_journal())
    return {"hr_import": applied.pk}


ROWS = {
    # Shown to the talent admin (and the superuser) whether or not there is anything to reverse.
    "org:import_hr_reverse": ("get", lambda o: {"slug": "northgate", "pk": o["hr_import"]}, only({"tara", "admin"})),
}
