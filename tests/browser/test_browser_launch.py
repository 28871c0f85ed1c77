"""The browser the tests drive is launched with Clinlead's features switched off *and*
Playwright's: Chromium honours only the last --disable-features switch, so passing ours alone
would quietly switch Playwright's back on (see `launch_chromium`)."""

import pytest

from tests.browser.conftest import FEATURES_OFF, features_off_switches

pytestmark = pytest.mark.browser


def test_the_last_disable_features_switch_holds_every_feature_switched_off(browser):
    switches = features_off_switches()
    honoured = set(switches[-1])
    assert len(switches) >= 2, "Playwright's own switch was not seen: nothing to merge"
    assert set(FEATURES_OFF) <= honoured
    for earlier in switches[:-1]:
        assert set(earlier) <= honoured, f"dropped: {sorted(set(earlier) - honoured)}"
