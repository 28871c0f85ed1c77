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
