"""Browser tests: Debian's chromium (its headless shell) driven by Playwright against
pytest-django's live server.

Every test here is marked `browser`. Helpers used by the test modules live here too:
`log_in` goes through the real login form, `log_in_as` only starts the session (for tests not
about logging in), `assert_accessible` (tests/browser/accessibility.py) runs axe-core (installed
from npm by `clinlead.frontend.ensure_assets`) and fails on serious or critical WCAG 2.0/2.1 A/AA
findings, skipping a page whose structure it has already found clean,
`assert_no_browser_errors` fails on script errors and content-security-policy refusals,
`save_screenshot` keeps a full-page screenshot as a test artefact (when CLINLEAD_SCREENSHOTS is
set), `smallest_chart_text` measures the chart text as drawn on screen.
"""

import os
from pathlib import Path

import pytest

from tests.browser.accessibility import assert_accessible

# Debian's chromium-headless-shell: Chromium's own headless browser, without the desktop
# browser around it, which Playwright also runs by default for headless tests. Same Blink, same
# version as Debian's chromium, at about half the CPU (measured on tests/browser: Chromium's CPU
# 274 s -> 157 s). Debian's full chromium is used where only it is installed.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
FULL_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM = next((p for p in (HEADLESS_SHELL, FULL_CHROMIUM) if p.exists()), HEADLESS_SHELL)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-site-isolation-trials",  # with FEATURES_OFF below
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
IPHONE = {
    "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
    "device_scale_factor": 3,
}
NOT_A_PAGE = {
    "Page not found", "You do not have access to this page",
    "Sorry, there is a problem with the service", "Too many failed attempts",
}
# Chromium features switched off to save CPU (about a tenth of the browser tests' Chromium time,
# measured on tests/browser with the full chromium): site isolation, a new renderer document per
# navigation, a spare renderer kept warm, and browsing-instance swaps. The tests load one local
# site, so each context keeps one renderer process instead of starting and throwing away
# several; what a page does is the same. Passed with Playwright's own list: Chromium reads only
# the last --disable-features.
FEATURES_OFF = [
    "IsolateOrigins", "site-per-process", "RenderDocument", "SpareRendererForSitePerProcess",
    "ProactivelySwapBrowsingInstance",
]
TIMEOUT_MS = 15_000
# The backend a password login through the form is accepted by (axes' backend only refuses).
PASSWORD_BACKEND = "clinlead.accounts.backends.ActiveStaffBackend"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = (f"{CHROMIUM} is not installed: the browser tests need Debian's "
                  "chromium-headless-shell package")
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run them, so this is a failure, not a skip)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread from here on; Django's ORM would
    # otherwise refuse to be called by the tests (and fixtures) that drive the browser.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


def launch_chromium(playwright):
    """CHROMIUM with CHROMIUM_ARGS, and FEATURES_OFF switched off as well as the features
    Playwright switches off. Playwright passes its own --disable-features and Chromium honours
    only the last one given, so the browser is launched once to read Playwright's list back,
    then again with both lists in one switch (test_browser_launch.py checks the result)."""

    def launch(extra):
        return playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + extra
        )

    first = launch([])
    try:
        off = [f for switch in features_off_switches() for f in switch]
    finally:
        first.close()
    return launch([f"--disable-features={','.join(dict.fromkeys(off + FEATURES_OFF))}"])


def features_off_switches():
    """Each --disable-features switch the newest browser this process launched was given, in
    order, as lists."""
    return [a.split("=", 1)[1].split(",") for a in browser_command_line()
            if a.startswith("--disable-features=")]


def browser_command_line():
    """The arguments of the newest browser process this test process started (through
    Playwright's driver), read from /proc: the headless shell has no chrome://version page."""
    me, parents, arguments, started = os.getpid(), {}, {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # gone meanwhile
        pid, fields = int(entry.name), stat[stat.rindex(")") + 2 :].split()
        parents[pid], started[pid] = int(fields[1]), int(fields[19])
        arguments[pid] = [a.decode(errors="replace") for a in argv if a]

    def started_here(pid):
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == me:
                return True
        return False

    browsers = [pid for pid, argv in arguments.items()
                if "--remote-debugging-pipe" in argv and started_here(pid)
                and not any(a.startswith("--type=") for a in argv)]
    assert browsers, "no browser process started by this process"
    return arguments[max(browsers, key=started.__getitem__)]


@pytest.fixture(scope="session", autouse=True)
def frontend_assets(request):
    """The NHS.UK design system and axe-core from npm, installed once (`installed_frontend`)."""
    if not CHROMIUM.exists():
        return None  # the `browser` fixture explains the skip
    return request.getfixturevalue("installed_frontend")


@pytest.fixture
def new_page(browser):
    """new_page(**context_options): a page in a fresh browser context, closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{**DESKTOP, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.browser_errors = watch_for_errors(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop page (1280×900) in a fresh context: no cookies, no session."""
    return new_page()


@pytest.fixture
def phone(new_page):
    """An iPhone-sized page (390×844, touch, 3× pixels) in a fresh context."""
    return new_page(**IPHONE)


def watch_for_errors(page):
    """Collect uncaught script errors, console errors (CSP refusals land there) and failed
    same-origin requests; `assert_no_browser_errors` reports them."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: uncaught {exc}"))

    def on_console(message):
        if message.type == "error":
            errors.append(f"{page.url}: console: {message.text}")

    page.on("console", on_console)
    def on_failed(request):
        # A request the browser abandons because the page moved on (say, the favicon while a
        # form submits) is not a fault of the page.
        if "ERR_ABORTED" not in (request.failure or ""):
            errors.append(f"{request.url}: request failed: {request.failure}")

    page.on("requestfailed", on_failed)
    return errors


def assert_no_browser_errors(page):
    errors = list(page.browser_errors)
    page.browser_errors.clear()
    assert not errors, "The browser reported errors:\n" + "\n".join(errors)


def log_in(page, live_server, username, password=None):
    """Log in through the real form, as a person would; ends on whatever page the app shows next."""
    from clinlead.org.demo_data import DEMO_PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD if password is None else password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()


def log_in_as(page, live_server, username):
    """Log in without the form, for tests about what comes after (0.1 s instead of 0.7 s): the
    server makes the session a form login makes (same session store, same backend, so the same
    keys), the browser gets its cookie, and the page opens home, where the form login lands.
    The CSRF cookie comes, as after the form, with the first page that holds a form (the header's
    Log out button). Tests about logging in itself use `log_in`."""
    from django.conf import settings
    from django.test import Client

    from clinlead.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username), backend=PASSWORD_BACKEND)
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url, "httpOnly": True, "sameSite": "Lax",
    }])
    response = page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/", f"{username} was not logged in: {page.url}"
    return response


def heading(page):
    """The page's h1, whitespace-normalised ("" when there is none)."""
    h1 = page.locator("h1")
    assert h1.count() <= 1, f"{page.url} has {h1.count()} h1 elements"
    return " ".join(h1.first.inner_text().split()) if h1.count() else ""


def assert_real_page(page, response=None):
    """A page a person can use: answered 200, has one h1, and is not an error page."""
    if response is not None:
        assert response.status == 200, f"{page.url} answered {response.status}"
    title = heading(page)
    assert title, f"{page.url} has no h1"
    assert title not in NOT_A_PAGE, f"{page.url} shows the error page {title!r}"
    return title


# The name issue 16's page tests use (the leader report, survey, dashboard, evaluation and
# succession chart): the same check, one implementation.
assert_axe_clean = assert_accessible


def artefacts_dir() -> Path:
    """Where browser tests keep what a person checks by eye (screenshots): `test-artefacts/`
    under CLINLEAD_DATA_DIR, else the repository's `var/` (both outside git)."""
    base = os.environ.get("CLINLEAD_DATA_DIR") or Path(__file__).resolve().parents[2] / "var"
    folder = Path(base) / "test-artefacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshots_wanted() -> bool:
    """Screenshots are for a person to look at, and nothing asserts on them; a full-page PNG of
    a long report takes seconds (the board report is ~30,000 px tall). They are kept only when
    CLINLEAD_SCREENSHOTS is set (say, `CLINLEAD_SCREENSHOTS=1 pytest tests/browser`)."""
    return os.environ.get("CLINLEAD_SCREENSHOTS", "") not in ("", "0")


def save_screenshot(page, name, element=None):
    """A full-page screenshot of the page as it is now (or of `element`, a locator), kept as
    `<artefacts>/<name>.png` when screenshots are wanted; returns the path, or None."""
    if not screenshots_wanted():
        return None
    path = artefacts_dir() / f"{name}.png"
    if element is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        element.screenshot(path=str(path))
    return path


def smallest_chart_text(page, selector="figure svg"):
    """[(px, text)] for every text drawn in a visible chart SVG, smallest first: the SVG's font
    size times the scale the page draws the SVG at (its width on screen over its viewBox's).
    `selector` picks the charts (those drawn in the chart style sit in a <figure>)."""
    return page.evaluate(
        """(selector) => {
            const sizes = [];
            for (const svg of document.querySelectorAll(selector)) {
                const box = svg.getBoundingClientRect();
                if (!box.width || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) continue;
                const scale = box.width / svg.viewBox.baseVal.width;
                for (const text of svg.querySelectorAll("text")) {
                    if (!text.textContent.trim()) continue;
                    const px = parseFloat(getComputedStyle(text).fontSize) * scale;
                    sizes.push([Math.round(px * 100) / 100, text.textContent.trim()]);
                }
            }
            return sizes.sort((a, b) => a[0] - b[0]);
        }""",
        selector,
    )
