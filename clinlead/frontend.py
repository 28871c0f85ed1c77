"""Front-end packages come from npm at install time; nothing third-party is committed.

`ensure_assets` installs the pinned packages under the data directory and copies what the
pages serve into a static folder. The NHS.UK stylesheet's web fonts are on a CDN, which our
content security policy (and the no-CDN rule) forbids, so their @font-face rules are dropped:
the design system's own fallback (Arial) is used instead.
"""

import fcntl
import json
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

PACKAGE_DIR = Path(__file__).resolve().parent / "frontend"
NHSUK_FILES = ["nhsuk-frontend.min.css", "nhsuk-frontend.min.js"]


class FrontendError(Exception):
    pass


def frontend_dir() -> Path:
    return settings.DATA_DIR / "frontend"


def static_dir() -> Path:
    return frontend_dir() / "static"


def axe_script() -> Path:
    return frontend_dir() / "node_modules" / "axe-core" / "axe.min.js"


def ensure_assets(*, log=print) -> Path:
    target = frontend_dir()
    target.mkdir(parents=True, exist_ok=True)
    # Two processes (say, two test workers) may ask at once: one installs, the other waits.
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_assets(target, log)


def _ensure_assets(target, log):
    wanted = json.loads((PACKAGE_DIR / "package.json").read_text())
    installed = target / "package.json"
    up_to_date = (
        installed.exists()
        and json.loads(installed.read_text()) == wanted
        and (target / "node_modules" / "nhsuk-frontend").is_dir()
        and (static_dir() / "vendor" / "nhsuk" / NHSUK_FILES[0]).is_file()
    )
    if up_to_date:
        return static_dir()
    npm = shutil.which("npm")
    if npm is None:
        raise FrontendError(
            "npm is needed to fetch the NHS.UK design system; install Node.js and npm"
        )
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PACKAGE_DIR / name, target / name)
    log("Fetching front-end packages with npm ...")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=target,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise FrontendError(f"npm ci failed:\n{done.stderr[-2000:]}")
    _copy_nhsuk(target / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk")
    return static_dir()


def _copy_nhsuk(source: Path):
    out = static_dir() / "vendor" / "nhsuk"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source / "assets", out / "assets")
    css = (source / NHSUK_FILES[0]).read_text()
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    css = css.replace("url(/assets/", "url(assets/")
    (out / NHSUK_FILES[0]).write_text(css)
    shutil.copyfile(source / NHSUK_FILES[1], out / NHSUK_FILES[1])
