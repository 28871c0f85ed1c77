"""Close and unlink: the one way sealed answers and ballots become readable (surveys, ballots,
360s). `clinlead.sealing` seals and opens boxes; `clinlead.custody` takes the key files back;
this module runs the close around them, and each app passes in only what is its own.

The steps, in this order:

1. the custodians' key files and passphrases rebuild the private key, before anything is locked
   (the passphrase hashing is slow on purpose); a wrong file or passphrase is a ValidationError
   naming it, and nothing is changed;
2. in one transaction: the owner (cycle, selection, assessment) is locked and checked (`lock`);
   every box is read and opened; the opened payloads are put in a fresh random order (the
   operating system's randomness), whatever order the boxes were in (physical, by key, by
   arrival); the app writes them as plaintext rows with random ids (`write`); the sealed rows
   are deleted; the app rewrites whatever tied a person to a box and records the close
   (`finish`). So the plaintext rows share one transaction id with each other and with every
   rewritten row, never the id of the transaction a person answered or voted in;
3. once committed, PostgreSQL's old row versions of those tables are removed (`reclaim`: plain
   VACUUM by default; surveys pass a VACUUM FULL that waits for older transactions).

The private key lives only in this call's `Opener`, which is dropped when it returns.
"""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from clinlead import actions, sealing


@dataclass(frozen=True)
class Domain:
    """The part of a close that belongs to one app.

    lock(): inside the transaction, lock the owner, check it may close, and return it.
    sealed(owner): the queryset of its sealed rows (each with a `box`).
    write(owner, payloads): write the opened payloads (already shuffled) as plaintext rows in
        random order with random ids; returns what `finish` needs (e.g. a count).
    finish(owner, written): rewrite the rows that tied a person to a box, set the owner's state
        and record the audit event.
    missing_key(owner): the message when there are boxes and no key was given.
    reclaim: run once committed (default: VACUUM of `tables` on PostgreSQL).
    """

    lock: Callable[[], Any]
    sealed: Callable[[Any], Any]
    write: Callable[[Any, list], Any]
    finish: Callable[[Any, Any], None]
    missing_key: Callable[[Any], str]
    tables: Sequence[type] = ()
    reclaim: Callable[[], Any] | None = None


def open_keys(*, public_key, key_files, passphrases) -> sealing.Opener:
    """The rebuilt key, or a ValidationError naming the file or passphrase that is wrong."""
    try:
        return sealing.open_custody_keys(public_key=public_key, key_files=list(key_files),
                                         passphrases=list(passphrases))
    except sealing.CustodyError as exc:
        raise ValidationError(str(exc)) from None


def shuffled(items) -> list:
    items = list(items)
    secrets.SystemRandom().shuffle(items)
    return items


def close_and_unlink(
    *, domain: Domain, public_key, key_files=(), passphrases=(), require_key=False
):
    """Open the owner's boxes with the custodians' keys and write them unlinked (module doc).
    Returns what `domain.write` returned.

    With `require_key` the key files are checked even when no box was sealed (a survey or a
    ballot: the close proves the custodians still hold the key); without it (a 360) they are
    needed only when there is a box to open.
    """
    opener = open_keys(public_key=public_key, key_files=key_files, passphrases=passphrases) \
        if public_key and (key_files or require_key) else None
    with actions.atomic():
        owner = domain.lock()
        sealed = domain.sealed(owner)
        if opener is None and sealed.exists():
            raise ValidationError(domain.missing_key(owner))
        written = unseal(
            sealed=sealed, opener=opener, write=lambda payloads: domain.write(owner, payloads)
        )
        domain.finish(owner, written)
        transaction.on_commit(domain.reclaim or (lambda: vacuum(domain.tables)))
    return written


def unseal(*, sealed, opener, write):
    """Open every box of `sealed`, hand the payloads to `write` in a fresh random order, delete
    the boxes; inside the caller's transaction. Returns what `write` returned."""
    boxes = list(sealed.values_list("box", flat=True))
    try:
        payloads = shuffled(opener.open(box) for box in boxes) if boxes else []
    except sealing.CustodyError as exc:
        raise ValidationError(str(exc)) from None
    written = write(payloads)
    sealed.delete()
    return written


def vacuum(tables) -> bool:
    """PostgreSQL keeps a deleted or rewritten row's old version in the table until VACUUM: run
    it on these tables. Outside any transaction only (VACUUM cannot run in one); elsewhere a
    no-op (SQLite's `secure_delete` has zeroed deleted content already)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
    return True
