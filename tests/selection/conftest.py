"""Fixtures of the selection tests: passphrase hashing as cheap as libsodium allows (the
custodians' key files would otherwise take a second each to make and to open)."""

import nacl.pwhash
import pytest

from clinlead import sealing


@pytest.fixture(autouse=True)
def _cheap_passphrase_hashing(monkeypatch):
    monkeypatch.setattr(sealing, "_kdf_cost", (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN))
