"""The demo's open survey cycle, opened and answered as the product does it: a custody key is
made, invitations are sent out, and each simulated answer is sealed by the answering action.

The demo's key file is written to the demo's custody folder (clinlead.custody) and opens with
DEMO_CUSTODY_PASSPHRASE, so anyone trying the demo can close the cycle in the browser. Demo
keys are made without the Argon2 cost: the demo's data is made up and its passphrase public.
"""

import os
from pathlib import Path

import nacl.pwhash
from django.utils.text import slugify

from clinlead import custody, sealing
from clinlead.surveys import services
from clinlead.surveys.models import Invitation, SurveyCycle

DEMO_CUSTODY_PASSPHRASE = custody.DEMO_PASSPHRASE
DEMO_KDF_COST = (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN)


def custody_folder() -> Path:
    return custody.demo_key_folder()


def open_demo_cycle(*, organisation, name, opens_on, closes_on, sheets) -> SurveyCycle:
    """Open a cycle on `opens_on` and seal the answers in `sheets` ({person id: (answers,
    burnout, satisfaction)}) for the leader each person's invitation names. Runs inside the
    demo's transaction."""
    cycle = SurveyCycle.objects.create(
        organisation=organisation, name=name, instrument=services.default_instrument(), opens_on=opens_on,
        closes_on=closes_on, min_responses=organisation.min_responses, min_comments=organisation.min_comments)
    keys = sealing.make_custody_keys(passphrases=[DEMO_CUSTODY_PASSPHRASE], label=f"{organisation} {cycle}",
                                     kdf_cost=DEMO_KDF_COST)
    services._open(actor=None, cycle=cycle, keys=keys, snapshot_date=opens_on)
    _write_key_file(keys.key_files[0], f"{organisation.slug}-{slugify(name)}-custody-key.json")
    invitations = (Invitation.objects.filter(cycle=cycle, person_id__in=sheets, leader__isnull=False)
                   .select_related("cycle__instrument", "cycle__organisation").order_by("pk"))
    for invitation in invitations:
        answers, burnout, satisfaction = sheets[invitation.person_id]
        services.seal_response(invitation=invitation, answers=answers, burnout=burnout, satisfaction=satisfaction)
    return cycle


def _write_key_file(content: bytes, filename: str) -> None:
    folder = custody_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / filename
    temporary = folder / f".{filename}.{os.getpid()}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    os.replace(temporary, target)
