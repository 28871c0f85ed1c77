"""Survey test fixtures: custody keys cheap to make (Argon2 at its minimum cost)."""

import nacl.pwhash
import pytest

from clinlead import sealing


@pytest.fixture(autouse=True)
def _cheap_custody_keys(monkeypatch):
    monkeypatch.setattr(sealing, "_kdf_cost", (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN))
