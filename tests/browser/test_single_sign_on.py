"""Single sign-on with a real OpenID provider, in Chromium.

The test starts `oidc-provider` (the certified npm package, tests/sso/provider.mjs) and Clinlead
itself as `clinlead serve` on a fresh SQLite demo (a file copy of the demo this test process has
built, the one `clinlead demo --staff 200 --seed 11` builds), configured through the
CLINLEAD_OIDC_* settings as a trust would configure it. A person logs in at the provider and
lands on Clinlead's home page as themselves, matched by work e-mail; an address nobody in Clinlead
has is refused with a page that says why; logging out of Clinlead ends the provider's session too
(RP-initiated logout).
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.browser.conftest import assert_accessible
from tests.deployment.test_layout import _free_port
from tests.sso import provider

# The tests use no database themselves; the django_db mark makes pytest-django create the test
# database, in which this process's shared demo is built (`demo_database`). The xdist group keeps
# the four tests in one worker, so the provider and server start once: the grouping that
# tests/conftest.py adds in pytest_collection_modifyitems comes after pytest-xdist has read the
# marks, so it is named here.
pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.xdist_group("single-sign-on")]

REPO = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "clinlead", "clinlead-sso-test-secret"
STRANGER = "stranger@northgate.nhs.example"
SSO_BUTTON = "Log in with your organisation account"


class SingleSignOn:
    """A provider and a Clinlead server that trusts it, each a process of its own."""

    def __init__(self, tmp, frontend):
        self.tmp, self.processes = tmp, []
        self.port, self.provider_port = _free_port(), _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.issuer = f"http://127.0.0.1:{self.provider_port}"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},  # SQLite in tmp
            "DJANGO_SETTINGS_MODULE": "clinlead.settings",
            "CLINLEAD_DATA_DIR": str(tmp),
            "PYTHONPATH": str(REPO),
            "CLINLEAD_OIDC_ENABLED": "1",
            "CLINLEAD_OIDC_CLIENT_ID": CLIENT_ID,
            "CLINLEAD_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "CLINLEAD_OIDC_AUTHORIZATION_ENDPOINT": f"{self.issuer}/auth",
            "CLINLEAD_OIDC_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "CLINLEAD_OIDC_USER_ENDPOINT": f"{self.issuer}/me",
            "CLINLEAD_OIDC_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "CLINLEAD_OIDC_END_SESSION_ENDPOINT": f"{self.issuer}/session/end",
        }
        (tmp / "frontend").symlink_to(frontend)

    def start(self, demo_database):
        # The process's shared demo, copied into the server's database file: building it again
        # with `clinlead demo` in a subprocess took half a minute to a minute and a half.
        with sqlite3.connect(self.tmp / "clinlead.sqlite3") as copy:
            demo_database.backup(copy)
        copy.close()
        self.newcomer = self._person_without_a_login()
        accounts = {
            "alice": "alice@northgate.nhs.example",
            "charlie": "charlie@riverside.nhs.example",
            "newcomer": self.newcomer["email"],
            "stranger": STRANGER,
        }
        # Clinlead starts while the provider does: it only needs the provider's addresses.
        self.processes.append(subprocess.Popen(
            [sys.executable, "-m", "clinlead", "serve", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--threads", "4"],
            env=self.env, cwd=REPO,
        ))
        self.processes.append(provider.start(
            provider.install(), port=self.provider_port, clinlead=self.base,
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, accounts=accounts, log_dir=self.tmp,
        ))
        for _ in range(300):
            try:
                if requests.get(f"{self.base}/health/ready/", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail("clinlead serve was not ready in a minute")

    def _person_without_a_login(self):
        with sqlite3.connect(self.tmp / "clinlead.sqlite3") as db:
            email, first = db.execute(
                "SELECT work_email, first_name FROM org_person WHERE active AND work_email != ''"
                " AND id NOT IN (SELECT person_id FROM accounts_user WHERE person_id IS NOT NULL)"
                " ORDER BY id LIMIT 1"
            ).fetchone()
        return {"email": email, "first_name": first}

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def demo_database(shared_demo, django_db_blocker):
    """The demo as a SQLite database (an in-memory copy kept by `SharedDemo`), built now if no
    test of this process has asked for `demo` yet. Browser tests run on SQLite only."""
    assert shared_demo.sqlite, "the single sign-on test runs on SQLite only"
    with django_db_blocker.unblock():
        if shared_demo.world is None:
            shared_demo.build()
    return shared_demo.snapshots["demo"]


@pytest.fixture(scope="module")
def sso(tmp_path_factory, installed_frontend, browser, demo_database):
    running = SingleSignOn(tmp_path_factory.mktemp("sso"), Path(installed_frontend))
    try:
        running.start(demo_database)
        yield running
    finally:
        running.stop()


@pytest.fixture
def page(browser, sso):
    context = browser.new_context()
    # The provider's development pages import a web font from Google; nothing leaves the machine.
    context.route("https://fonts.googleapis.com/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in_at_provider(page, sso, login):
    page.goto(f"{sso.base}/accounts/login/")
    page.get_by_role("link", name=SSO_BUTTON).click()
    page.wait_for_url(f"{sso.issuer}/**")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any password: the development form checks none")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign-in").click()
    if page.url.startswith(sso.issuer):
        page.get_by_role("button", name="Continue").click()  # the provider's consent step
    page.wait_for_url(f"{sso.base}/**")

def test_a_person_signs_in_through_the_provider_and_lands_home_as_themselves(page, sso):
    sign_in_at_provider(page, sso, "alice")
    assert page.url == f"{sso.base}/"
    assert page.locator("h1").inner_text() == "Hello, Alice"
    assert page.locator(".nhsuk-header__account-item").first.inner_text() == "Alice Morgan"


def test_someone_with_no_login_yet_gets_one_for_their_own_record(page, sso):
    sign_in_at_provider(page, sso, "newcomer")
    assert page.url == f"{sso.base}/"
    assert page.locator("h1").inner_text() == f"Hello, {sso.newcomer['first_name']}"


def test_an_address_nobody_in_clinlead_has_is_refused_with_a_page_saying_why(page, sso):
    sign_in_at_provider(page, sso, "stranger")
    assert page.url == f"{sso.base}/accounts/sso-refused/"
    assert page.locator("h1").inner_text() == "You cannot log in to Clinlead with this account"
    assert STRANGER in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{sso.base}/")
    assert page.url.startswith(f"{sso.base}/accounts/login/"), "the stranger is not logged in"


def test_logging_out_of_clinlead_ends_the_providers_session_too(page, sso):
    sign_in_at_provider(page, sso, "charlie")
    assert page.locator("h1").inner_text() == "Hello, Charlie"
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{sso.issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{sso.base}/accounts/login/")
    page.goto(f"{sso.base}/")
    assert page.url.startswith(f"{sso.base}/accounts/login/"), "still logged in to Clinlead"
    # Back at the provider, Charlie is asked to sign in again: its session has ended too.
    page.get_by_role("link", name=SSO_BUTTON).click()
    page.wait_for_url(f"{sso.issuer}/**")
    assert page.locator("input[name=login]").is_visible()
