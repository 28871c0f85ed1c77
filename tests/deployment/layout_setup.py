"""Run inside the layout's own environment (`python -m tests.deployment.layout_setup`): finds in
the demo what the multi-server test drives through the servers, and prints it as JSON.

What a person would get by other means is made here: survey links (sent by e-mail in life) and
logins for two electors (single sign-on in life)."""

import json

import django

django.setup()

from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from clinlead import custody  # noqa: E402
from clinlead.accounts.models import User  # noqa: E402
from clinlead.org.demo_data import DEMO_PASSWORD  # noqa: E402
from clinlead.org.models import Person, Position  # noqa: E402
from clinlead.selection import selectors as ballot  # noqa: E402
from clinlead.selection.models import Selection  # noqa: E402
from clinlead.surveys.models import Invitation, SurveyCycle  # noqa: E402
from clinlead.surveys.services import issue_link  # noqa: E402


def main():
    now = timezone.now()
    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    invitations = Invitation.objects.filter(cycle=cycle, used=False).order_by("pk")[:12]
    links = [issue_link(invitation=invitation) for invitation in invitations]
    survey_key = custody.demo_key_folder() / f"northgate-{slugify(cycle.name)}-custody-key.json"

    open_ballot = Selection.objects.get(
        organisation__slug="northgate", stage=Selection.Stage.BALLOT, closes_at__gt=now
    )
    voters = []
    for elector in open_ballot.electors.select_related("person").order_by("person_id"):
        if not ballot.voting_problems(selection=open_ballot, person=elector.person, now=now):
            username = f"voter{len(voters) + 1}"
            user = User.objects.filter(person=elector.person).first() or User(
                username=username, person=elector.person
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            voters.append(user.username)
        if len(voters) == 2:
            break

    position = (
        Position.objects.filter(organisation__slug="northgate", succession_pool__isnull=False)
        .order_by("pk")
        .first()
    )
    in_pool = set(position.succession_pool.candidates.values_list("person_id", flat=True))
    newcomer = (
        Person.objects.filter(organisation__slug="northgate", active=True)
        .exclude(pk__in=in_pool)
        .order_by("-pk")
        .first()
    )
    print(
        json.dumps(
            {
                "survey": {"cycle": cycle.pk, "links": links, "key_file": str(survey_key)},
                "ballot": {"selection": open_ballot.pk, "voters": voters},
                "pool": {
                    "position": position.pk,
                    "staff_number": newcomer.staff_number,
                    "name": newcomer.full_name,
                },
            }
        )
    )


main()
