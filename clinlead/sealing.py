"""Sealed boxes: answers and ballots that nobody holding the database, the server or a backup can
read while a survey or a ballot is open.

When a survey cycle or a ballot opens, a key pair is made. The public key stays with the cycle or
ballot, and every answer or ballot is sealed to it as it arrives (libsodium sealed boxes: only the
holder of the private key can open one, and a box does not say who sealed it). The private key
leaves the application at once as key files, one per custodian, each protected by that custodian's
passphrase (Argon2id, then XSalsa20-Poly1305). With two custodians the private key is split into
two shares (one random, the other the key XOR that random pad), so each file alone says nothing and
both custodians are needed to open the boxes. Nothing of the private key is stored by Clinlead.

At close, the custodians hand back their files and passphrases; the application rebuilds the key,
opens the boxes and forgets the key. A lost key file or passphrase means the boxes can never be
opened: that cycle or ballot cannot be counted, and nothing else is affected.

Every payload is padded to a fixed size before sealing, so the length of a box says nothing about
what is inside (a long comment, or how many candidates a voter ranked).

Pure Python: no Django import. The apps store the public key and the boxes.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
import nacl.public
import nacl.pwhash
import nacl.secret
import nacl.utils

KEY_FILE_FORMAT = "clinlead-custody-key/1"
MIN_PASSPHRASE_LENGTH = 12
MAX_CUSTODIANS = 2
# Argon2id cost for the key files: the "moderate" profile (256 MiB, about a second) by default.
# Tests lower it through `set_kdf_cost`; each key file records the cost it was made with.
_kdf_cost = (nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE)


class CustodyError(ValueError):
    """A key file or passphrase that cannot open the boxes; the message is safe to show."""


def set_kdf_cost(*, opslimit: int, memlimit: int) -> None:
    global _kdf_cost
    _kdf_cost = (opslimit, memlimit)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class CustodyKeys:
    """What opening makes: the public key to store, and one key file per custodian to hand out."""

    public_key: str
    key_files: list[bytes]


def check_passphrase(passphrase: str) -> None:
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise CustodyError(
            f"A custodian's passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters."
        )


def make_custody_keys(
    *, passphrases: Sequence[str], label: str, kdf_cost: tuple[int, int] | None = None
) -> CustodyKeys:
    """A new key pair; the private key comes back only inside the custodians' key files.

    `kdf_cost` (opslimit, memlimit) overrides the Argon2id cost for these files only: the demo's
    keys, whose passphrase is printed for everyone, need no cost at all.
    """
    if not 1 <= len(passphrases) <= MAX_CUSTODIANS:
        raise CustodyError(f"Name one or {MAX_CUSTODIANS} custodians.")
    for passphrase in passphrases:
        check_passphrase(passphrase)
    private = nacl.public.PrivateKey.generate()
    public_key = _b64(bytes(private.public_key))
    secret = bytes(private)
    shares = [nacl.utils.random(len(secret)) for _ in passphrases[1:]]
    last = secret
    for share in shares:
        last = bytes(a ^ b for a, b in zip(last, share, strict=True))
    shares.append(last)
    files = [
        _key_file(
            share=share,
            passphrase=passphrase,
            public_key=public_key,
            label=label,
            custodian=number,
            custodians=len(passphrases),
            cost=kdf_cost or _kdf_cost,
        )
        for number, (share, passphrase) in enumerate(zip(shares, passphrases, strict=True), start=1)
    ]
    return CustodyKeys(public_key=public_key, key_files=files)


def _key_file(
    *, share: bytes, passphrase: str, public_key: str, label: str, custodian: int,
    custodians: int, cost: tuple[int, int],
) -> bytes:
    opslimit, memlimit = cost
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    key = nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        passphrase.encode("utf-8"),
        salt,
        opslimit=opslimit,
        memlimit=memlimit,
    )
    box = nacl.secret.SecretBox(key).encrypt(share)
    document = {
        "format": KEY_FILE_FORMAT,
        "label": label,
        "public_key": public_key,
        "custodian": custodian,
        "custodians": custodians,
        "kdf": {"name": "argon2id", "opslimit": opslimit, "memlimit": memlimit, "salt": _b64(salt)},
        "share": _b64(bytes(box)),
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _read_key_file(raw: bytes, number: int) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        document = None
    if not isinstance(document, dict) or document.get("format") != KEY_FILE_FORMAT:
        raise CustodyError(f"Key file {number} is not a Clinlead custody key file.")
    return document


class Opener:
    """The rebuilt private key, for the close action only. Keep it no longer than the action."""

    def __init__(self, private: nacl.public.PrivateKey):
        self._box = nacl.public.SealedBox(private)

    def open(self, box: bytes) -> Any:
        try:
            padded = self._box.decrypt(bytes(box))
        except nacl.exceptions.CryptoError as exc:
            raise CustodyError("A sealed answer could not be opened with this key.") from exc
        return json.loads(_unpad(padded).decode("utf-8"))


def open_custody_keys(
    *, public_key: str, key_files: Sequence[bytes], passphrases: Sequence[str]
) -> Opener:
    """Rebuild the private key from every custodian's file and passphrase (in any order).

    Raises CustodyError, naming the file, for a file of another cycle or ballot, a missing
    custodian, or a wrong passphrase. Nothing is changed by a failed attempt.
    """
    if len(key_files) != len(passphrases):
        raise CustodyError("Give one passphrase for each key file.")
    documents = [_read_key_file(raw, number) for number, raw in enumerate(key_files, start=1)]
    for number, document in enumerate(documents, start=1):
        if document.get("public_key") != public_key:
            raise CustodyError(f"Key file {number} belongs to another survey or ballot.")
    needed = documents[0].get("custodians") if documents else None
    # A file without a whole-number custodian leaves a gap (refused below), never a crash.
    custodians = sorted(d["custodian"] for d in documents if isinstance(d.get("custodian"), int))
    if not documents or not isinstance(needed, int) or custodians != list(range(1, needed + 1)):
        raise CustodyError(
            f"This key is held by {needed or 'its'} custodians: "
            "give every custodian's key file once."
        )
    shares = [
        _open_share(document, passphrase, number)
        for number, (document, passphrase) in enumerate(
            zip(documents, passphrases, strict=True), start=1
        )
    ]
    secret = shares[0]
    for share in shares[1:]:
        secret = bytes(a ^ b for a, b in zip(secret, share, strict=True))
    private = nacl.public.PrivateKey(secret)
    if _b64(bytes(private.public_key)) != public_key:
        raise CustodyError("These key files do not rebuild the key of this survey or ballot.")
    return Opener(private)


def _open_share(document: Mapping[str, Any], passphrase: str, number: int) -> bytes:
    try:
        kdf = document["kdf"]
        key = nacl.pwhash.argon2id.kdf(
            nacl.secret.SecretBox.KEY_SIZE,
            passphrase.encode("utf-8"),
            _unb64(kdf["salt"]),
            opslimit=int(kdf["opslimit"]),
            memlimit=int(kdf["memlimit"]),
        )
        return nacl.secret.SecretBox(key).decrypt(_unb64(document["share"]))
    except nacl.exceptions.CryptoError as exc:
        raise CustodyError(f"The passphrase for key file {number} is wrong.") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise CustodyError(f"Key file {number} is damaged.") from exc


def seal(*, public_key: str, payload: Any, size: int) -> bytes:
    """Seal a JSON-able payload to the public key, padded to `size` bytes of plaintext."""
    # UTF-8 rather than \u escapes: a character then takes at most 4 bytes, so a box sized for
    # the longest text holds any text of that many characters.
    text = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode(
        "utf-8"
    )
    box = nacl.public.SealedBox(nacl.public.PublicKey(_unb64(public_key)))
    return bytes(box.encrypt(_pad(text, size)))


def _pad(text: bytes, size: int) -> bytes:
    # Length-prefixed, then random filler: the box is the same length whatever it holds.
    if len(text) + 4 > size:
        raise ValueError(f"payload of {len(text)} bytes does not fit a sealed box of {size}")
    return len(text).to_bytes(4, "big") + text + secrets.token_bytes(size - 4 - len(text))


def _unpad(padded: bytes) -> bytes:
    length = int.from_bytes(padded[:4], "big")
    if length > len(padded) - 4:
        raise CustodyError("A sealed answer is damaged.")
    return padded[4 : 4 + length]
