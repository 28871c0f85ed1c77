"""Development fixtures: the demo group with the development demo on top, and evidence files
kept in a temporary MEDIA_ROOT."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dev(demo):
    """The demo world with the development demo (world.development names its people). The shared
    `demo` fixture runs every app's demo; this adds ours only if it has not."""
    if not hasattr(demo, "development"):
        from clinlead.development.demo import add_demo_data

        add_demo_data(world=demo, generator=demo.generator)
    return demo


@pytest.fixture(autouse=True)
def cheap_custody_keys(monkeypatch):
    """Custodian key files made with Argon2id's minimum cost: the tests make many."""
    import nacl.pwhash

    from clinlead import sealing

    monkeypatch.setattr(sealing, "_kdf_cost", (nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN))
