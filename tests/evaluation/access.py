"""Who may open each evaluation page (see tests/access_table.py).

The demo evaluation "Leadership model pilot" is set up by Northgate, with the three demo trusts
as pilots: Northgate's executive (erin) and talent admin (tara) see it, and tara manages it.
Leaders, staff, Charlie (staff at Riverside, a pilot, but without a role), the auditor and the
special-category viewer are refused; the superuser may do everything.
"""

from clinlead.evaluation.models import Evaluation
from tests.access_table import FOUND, only

VIEWERS = {"erin", "tara", "admin"}
MANAGERS = {"tara", "admin"}


def objects(world):
    return {"evaluation": Evaluation.objects.get(name="Leadership model pilot").pk}


def org(o):
    return {"slug": "northgate"}


def evaluation(o):
    return {"pk": o["evaluation"]}


ROWS = {
    "evaluation:list": ("get", org, only(VIEWERS)),
    "evaluation:create": ("get", org, only(MANAGERS)),
    "evaluation:metrics": ("get", org, only(VIEWERS)),
    "evaluation:plan": ("get", org, only(VIEWERS)),
    "evaluation:detail": ("get", evaluation, only(VIEWERS)),
    "evaluation:pdf": ("get", evaluation, only(VIEWERS)),
    "evaluation:xlsx": ("get", evaluation, only(VIEWERS)),
    "evaluation:edit": ("get", evaluation, only(MANAGERS)),
    "evaluation:import": ("get", evaluation, only(MANAGERS)),
    "evaluation:primary": ("get", evaluation, only(MANAGERS)),
    "evaluation:import_template": ("get", evaluation, only(MANAGERS)),
    # Updating recomputes nothing that is up to date, then goes back to the report.
    "evaluation:refresh": ("post", evaluation, only(MANAGERS, when_allowed=FOUND)),
}
