"""Run in the drill's own environment (`python -m tests.deployment.drill_setup`): builds the
demo organisation (published survey cycles, a counted ballot, an open survey with sealed answers)
and adds what a backup must never let anyone read, then prints those secrets as JSON.

- an answer sealed in the open survey, with a comment nobody else wrote (inside its box only);
- a survey link issued and not used (only its hash is stored), and one used (its hash erased);
- an API token (only its SHA-256 is stored) and a login's password (only its hash);
- the custody key file's share and passphrase (never stored: they are the custodian's), and the
  installation's secret key (in the data folder, not the database)."""

import json
import secrets

import django
import nacl.pwhash

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from clinlead import actions, custody, sealing  # noqa: E402
from clinlead.accounts.api_tokens import create_api_token  # noqa: E402
from clinlead.accounts.models import User  # noqa: E402
from clinlead.org.demo import DemoGenerator, add_feature_demo_data  # noqa: E402
from clinlead.surveys.models import Invitation, SurveyCycle  # noqa: E402
from clinlead.surveys.services import issue_link, submit_response  # noqa: E402


def main():
    # As in the test process (tests/conftest.py): custody key files at Argon2id's lowest cost
    # (each file records its cost, so it still opens) and a fast login hasher. The production
    # costs (half a second and 256 MB a key file) would only slow the drill: what it checks is
    # that the backup holds the rows and never the secrets, whatever they were hashed with.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sealing.set_kdf_cost(
        opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN, memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN
    )
    call_command("migrate", interactive=False, verbosity=0)
    generator = DemoGenerator(staff=200, seed=11).build()
    with actions.atomic():  # as `clinlead demo` does
        world = generator.write()
        add_feature_demo_data(world=world, generator=generator)

    cycle = SurveyCycle.objects.get(organisation__slug="northgate", status=SurveyCycle.Status.OPEN)
    unused = Invitation.objects.filter(cycle=cycle, used=False, leader__isnull=False).order_by("pk")
    answered, waiting = unused[0], unused[1]
    comment = f"drill comment {secrets.token_hex(8)} about my leader"
    used_token = issue_link(invitation=answered)
    submit_response(
        token=used_token,
        answers=[4, 5, 3, 4, 2, 5, 4, 3, 4, 5, 1, 4],
        burnout=2,
        satisfaction=4,
        comment=comment,
    )
    unused_token = issue_link(invitation=waiting)

    admin = User.objects.get(username="admin")
    _, api_secret = create_api_token(
        actor=admin, organisation=cycle.organisation, name="drill", scopes=["leaderindex:read"]
    )
    password = f"drill-password-{secrets.token_hex(6)}"
    admin.set_password(password)
    admin.save()

    key_file = custody.demo_key_folder() / f"northgate-{slugify(cycle.name)}-custody-key.json"
    share = json.loads(key_file.read_text())["share"]
    print(
        json.dumps(
            {
                "open_cycle": cycle.pk,
                "key_file": str(key_file),
                "secrets": {
                    "sealed comment": comment,
                    "unused survey link token": unused_token,
                    "used survey link token": used_token,
                    "API token": api_secret,
                    "login password": password,
                    "custody key share": share,
                    "custody passphrase": custody.DEMO_PASSPHRASE,
                    "secret key": settings.SECRET_KEY,
                },
            }
        )
    )


main()
