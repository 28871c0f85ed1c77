"""Run in the drill's environment against a source or a restored database
(`python -m tests.deployment.drill_check [--close KEY_FILE]`): prints as JSON what people would
read from it — every published cycle's figures (as `clinlead leaderindex published` prints them),
every counted ballot recounted from its stored ballots next to its published result, and whether
the leader report and the dashboard render. With --close, the open Northgate survey is then
closed with the custodian's key file, as a custodian would after a restore."""

import io
import json
import sys

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from clinlead.accounts.models import User  # noqa: E402
from clinlead.custody import DEMO_PASSPHRASE  # noqa: E402
from clinlead.leaderindex.models import LeaderResult  # noqa: E402
from clinlead.selection import selectors  # noqa: E402
from clinlead.selection.models import Selection  # noqa: E402
from clinlead.surveys.models import SurveyCycle  # noqa: E402
from clinlead.surveys.services import close_cycle  # noqa: E402


def published():
    figures = {}
    for cycle in SurveyCycle.objects.filter(status="published").order_by("pk"):
        out = io.StringIO()
        call_command("leaderindex", "published", str(cycle.pk), "--json", "--covers", stdout=out)
        figures[f"{cycle.organisation.slug} {cycle.name}"] = json.loads(out.getvalue())
    return figures


def recounts():
    found = {}
    for selection in Selection.objects.filter(stage__in=["counted", "appointed"]).order_by("pk"):
        again = selectors.recount(selection=selection)
        found[str(selection.pk)] = {
            "published": selection.count_result["elected"],
            "recounted": again.elected,
            "ballots": again.valid_votes,
        }
    return found


def pages():
    alice = User.objects.get(username="alice")
    result = (
        LeaderResult.objects.filter(leader_id=alice.person_id).order_by("-cycle__opens_on").first()
    )
    client = Client()
    client.force_login(alice)
    report = client.get(
        reverse("leaderindex:report", kwargs={"cycle": result.cycle_id, "leader": alice.person_id})
    )
    client.force_login(User.objects.get(username="erin"))
    dashboard = client.get(reverse("leaderindex:dashboard", kwargs={"pk": result.cycle_id}))
    return {
        "leader report": report.status_code,
        "dashboard": dashboard.status_code,
        "index shown": f"{result.index:.1f}" in report.content.decode(),
    }


def close(key_file):
    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status="open")
    sealed = cycle.sealed_responses.count()
    with open(key_file, "rb") as handle:
        close_cycle(
            actor=None, cycle=cycle, key_files=[handle.read()], passphrases=[DEMO_PASSPHRASE]
        )
    return {
        "sealed": sealed,
        "opened": cycle.responses.count(),
        "left sealed": cycle.sealed_responses.count(),
    }


def main(arguments):
    found = {"published": published(), "recounts": recounts(), "pages": pages()}
    if arguments[:1] == ["--close"]:
        found["closed"] = close(arguments[1])
    print(json.dumps(found, sort_keys=True))


main(sys.argv[1:])
